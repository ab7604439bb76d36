using System.Text;
using System.Text.Unicode;
using Carnet.IO;

namespace Carnet.Tasks.Data;

/// <summary>
/// Reads a user's text file strictly as UTF-8: a byte-order mark is allowed and dropped, an invalid byte sequence is
/// a <see cref="DataFormatException"/> naming the line and the column (counted in Unicode scalar values, 1-based)
/// where the bad bytes start, never a replacement character.
/// </summary>
internal static class Utf8File
{
    /// <summary>The file's text without its byte-order mark, read through <see cref="InputFile"/> (regular files within the size limit).</summary>
    public static string Read(string path) => Decode(InputFile.ReadAllBytes(path), path);

    /// <summary>The bytes' text without a byte-order mark; <paramref name="source"/> names them in messages.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string source)
    {
        ReadOnlySpan<byte> content = bytes.StartsWith(ByteOrderMark) ? bytes[ByteOrderMark.Length..] : bytes;
        try
        {
            return Strict.GetString(content); // one string of the exact length: no intermediate buffer
        }
        catch (DecoderFallbackException)
        {
            throw Invalid(content, source);
        }
    }

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The error for invalid bytes: the line is one more than the line breaks before the bad byte, the column one more than the scalar values since the last.</summary>
    private static DataFormatException Invalid(ReadOnlySpan<byte> bytes, string source)
    {
        var text = new char[bytes.Length]; // UTF-16 never needs more code units than UTF-8 has bytes
        Utf8.ToUtf16(bytes, text, out int read, out int written, replaceInvalidSequences: false);
        ReadOnlySpan<char> before = text.AsSpan(0, written);
        ReadOnlySpan<char> line = before[(before.LastIndexOf('\n') + 1)..];
        int column = 1;
        foreach (Rune _ in line.EnumerateRunes())
        {
            column++;
        }

        return new DataFormatException(source, before.Count('\n') + 1, column,
            $"not valid UTF-8 text (byte 0x{bytes[read]:X2} at byte offset {read}); save the file as UTF-8");
    }
}
