using System.Text;

namespace Carnet.IO;

/// <summary>
/// The one path by which Carnet reads a user's file. Before anything is opened, a path that is not a regular file is
/// refused by name (a named pipe would block the open, a device such as <c>/dev/zero</c> never ends); a file longer
/// than <see cref="InputLimits.MaximumBytes"/> is refused before it is read; a file whose length is not known
/// beforehand, or that grows while read, is read only up to the limit. Every refusal is an
/// <see cref="InputFileException"/> naming the file.
/// </summary>
internal static class InputFile
{
    /// <summary>Opens <paramref name="path"/> for reading once it is known to be a regular file within the limit.</summary>
    public static FileStream Open(string path, long? limit = null)
    {
        long maximum = limit ?? InputLimits.MaximumBytes;
        RequireRegular(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        if (stream.CanSeek && stream.Length > maximum)
        {
            long length = stream.Length;
            stream.Dispose();
            throw TooLarge(path, $"is {InputLimits.Describe(length)}", maximum);
        }

        return stream;
    }

    /// <summary>The whole content of <paramref name="path"/>, at most the limit.</summary>
    public static byte[] ReadAllBytes(string path, long? limit = null)
    {
        long maximum = limit ?? InputLimits.MaximumBytes;
        using var stream = Open(path, maximum);
        long expected = stream.CanSeek ? stream.Length : 0; // 0 also for files that report none, such as /proc's
        if (expected >= Array.MaxLength)
        {
            throw new InputFileException(path, $"the file is {InputLimits.Describe(expected)}; files of 2 GiB or more cannot be read into memory");
        }

        var buffer = new byte[Math.Max(expected + 1, 1 << 16)];
        long total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (total > maximum || buffer.Length == Array.MaxLength)
                {
                    throw TooLarge(path, $"holds more than {InputLimits.Describe(total)}", maximum);
                }

                Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, Math.Min(2L * buffer.Length, maximum + 1)));
            }

            int read = stream.Read(buffer, (int)total, buffer.Length - (int)total);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (total > maximum)
            {
                throw TooLarge(path, $"holds more than {InputLimits.Describe(maximum)}", maximum);
            }
        }

        Array.Resize(ref buffer, (int)total);
        return buffer;
    }

    /// <summary>
    /// The next line of <paramref name="reader"/> without its line break, or null at the end; a line longer than
    /// <paramref name="maximumCharacters"/> is refused with its number, so an endless line cannot fill the memory.
    /// </summary>
    public static string? ReadLine(TextReader reader, string source, int lineNumber, int maximumCharacters = 1 << 20)
    {
        var line = new StringBuilder();
        while (true)
        {
            int next = reader.Read();
            if (next < 0)
            {
                return line.Length == 0 ? null : line.ToString();
            }

            if (next == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            if (line.Length == maximumCharacters)
            {
                throw new InputFileException(source, $"line {lineNumber} is longer than {maximumCharacters:N0} characters");
            }

            line.Append((char)next);
        }
    }

    private static void RequireRegular(string path)
    {
        string? problem = FileKinds.Of(path) switch
        {
            FileKind.Missing => "file not found",
            FileKind.Directory => "is a directory, not a file",
            FileKind.NamedPipe => "is a named pipe (FIFO), not a regular file; Carnet reads regular files only: save the data to a file first",
            FileKind.CharacterDevice => "is a character device, not a regular file; Carnet reads regular files only",
            FileKind.BlockDevice => "is a block device, not a regular file; Carnet reads regular files only",
            FileKind.Socket => "is a socket, not a regular file; Carnet reads regular files only",
            _ => null,
        };
        if (problem is not null)
        {
            throw new InputFileException(path, problem);
        }
    }

    private static InputFileException TooLarge(string path, string size, long maximum)
        => new(path, $"the file {size}; Carnet reads files up to {InputLimits.Describe(maximum)} " +
            $"(set {InputLimits.EnvironmentVariable} to a number of MiB to change the limit)");
}
