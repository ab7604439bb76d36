using System.Security.Cryptography;

namespace Carnet.IO;

/// <summary>Writes a file so that a reader never sees half of it: a temporary file beside the target, flushed, then renamed.</summary>
internal static class AtomicFile
{
    /// <summary>Writes what <paramref name="write"/> puts in the stream to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ArgumentException">The path is empty or names no file.</exception>
    /// <exception cref="IOException">The file cannot be written; nothing is left behind.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string fileName = Path.GetFileName(fullPath);
        string? directory = Path.GetDirectoryName(fullPath);
        if (fileName.Length == 0 || directory is null)
        {
            throw new ArgumentException($"'{path}' does not name a file.", nameof(path));
        }

        string suffix = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        string temporaryPath = Path.Combine(directory, $".{fileName}.{suffix}.tmp");
        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporaryPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporaryPath);
            throw;
        }
    }

    /// <summary>Deletes the temporary file on a best-effort basis; the caller rethrows the original failure.</summary>
    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return;
        }
    }
}
