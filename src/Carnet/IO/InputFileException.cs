namespace Carnet.IO;

/// <summary>
/// A user's file that Carnet will not read: missing, not a regular file (a named pipe, a device, a directory), or
/// longer than <see cref="InputLimits.MaximumBytes"/>. The message starts with the file's path.
/// </summary>
public sealed class InputFileException : IOException
{
    /// <summary>Creates the error; the message reads <c>path: problem</c>.</summary>
    public InputFileException(string path, string problem)
        : base($"{path}: {problem}")
    {
        Path = path;
    }

    /// <summary>The file.</summary>
    public string Path { get; }
}
