using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Carnet.IO;

/// <summary>
/// Writes safetensors content. The output is deterministic: <c>__metadata__</c> first with its keys in ordinal
/// order, then the tensors in the order given, their data laid out contiguously in that same order; compact JSON
/// padded with spaces to a multiple of 8 bytes, as the reference implementation does.
/// </summary>
public static class SafeTensorsWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Serializes tensors and optional metadata to safetensors bytes.</summary>
    /// <param name="tensors">The tensors, in the order they are to be written.</param>
    /// <param name="metadata">String metadata stored under <c>__metadata__</c>; omitted when null or empty.</param>
    /// <returns>The complete content: length prefix, header and data buffer.</returns>
    /// <exception cref="ArgumentException">
    /// A tensor is null, a name is empty, duplicated or <c>__metadata__</c>, a string is not valid UTF-16, or a
    /// metadata value is null.
    /// </exception>
    /// <exception cref="InvalidOperationException">The content would be larger than an array can hold; use <see cref="Write"/>.</exception>
    public static byte[] Serialize(IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (list, header, dataLength) = Prepare(tensors, metadata);
        long total = header.Length + dataLength;
        if (total > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"the safetensors content would be {total} bytes, more than an array can hold; write it to a file instead.");
        }

        var result = new byte[total];
        header.CopyTo(result, 0);
        int position = header.Length;
        foreach (SafeTensor tensor in list)
        {
            tensor.Data.Span.CopyTo(result.AsSpan(position));
            position += tensor.Data.Length;
        }

        return result;
    }

    /// <summary>
    /// Writes tensors and optional metadata to a safetensors file atomically: the content goes to a temporary file
    /// in the same directory, is flushed to disk, and then replaces <paramref name="path"/>. When anything fails the
    /// temporary file is deleted and <paramref name="path"/> is left as it was.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">The tensors, in the order they are to be written.</param>
    /// <param name="metadata">String metadata stored under <c>__metadata__</c>; omitted when null or empty.</param>
    /// <exception cref="ArgumentException">
    /// The path is empty or names no file, or the tensors or metadata are invalid (see <see cref="Serialize"/>);
    /// these are detected before anything is written.
    /// </exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file cannot be accessed.</exception>
    public static void Write(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (list, header, _) = Prepare(tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            foreach (SafeTensor tensor in list)
            {
                stream.Write(tensor.Data.Span);
            }
        });
    }

    /// <summary>Validates the input and builds the length prefix and padded header.</summary>
    private static (List<SafeTensor> Tensors, byte[] Header, long DataLength) Prepare(
        IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<SafeTensor>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (SafeTensor? tensor in tensors)
        {
            if (tensor is null)
            {
                throw new ArgumentException($"tensor at position {list.Count} is null.", nameof(tensors));
            }

            CheckTensorName(tensor.Name, list.Count, positions);
            positions.Add(tensor.Name, list.Count);
            list.Add(tensor);
        }

        var json = new StringBuilder();
        json.Append('{');
        bool first = true;
        if (metadata is { Count: > 0 })
        {
            AppendMetadata(json, metadata);
            first = false;
        }

        long offset = 0;
        foreach (SafeTensor tensor in list)
        {
            if (!first)
            {
                json.Append(',');
            }

            first = false;
            long end = offset + tensor.Data.Length;
            AppendString(json, tensor.Name, "tensor name");
            json.Append(":{\"dtype\":\"").Append(tensor.DType.GetJsonName()).Append("\",\"shape\":[");
            json.AppendJoin(',', tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            json.Append("],\"data_offsets\":[")
                .Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(end.ToString(CultureInfo.InvariantCulture)).Append("]}");
            offset = end;
        }

        json.Append('}');
        return (list, EncodeHeader(json.ToString()), offset);
    }

    private static void CheckTensorName(string name, int position, Dictionary<string, int> positions)
    {
        if (name.Length == 0)
        {
            throw new ArgumentException($"tensor at position {position} has an empty name.", "tensors");
        }

        if (name == SafeTensorsHeaderParser.MetadataKey)
        {
            throw new ArgumentException(
                $"tensor at position {position} is named '{SafeTensorsHeaderParser.MetadataKey}', which is reserved for metadata.", "tensors");
        }

        if (positions.TryGetValue(name, out int earlier))
        {
            throw new ArgumentException(
                $"duplicate tensor name '{name}' at positions {earlier} and {position}.", "tensors");
        }
    }

    private static void AppendMetadata(StringBuilder json, IReadOnlyDictionary<string, string> metadata)
    {
        string[] keys = metadata.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        json.Append('"').Append(SafeTensorsHeaderParser.MetadataKey).Append("\":{");
        for (int i = 0; i < keys.Length; i++)
        {
            string key = keys[i] ?? throw new ArgumentException("metadata has a null key.", nameof(metadata));
            string value = metadata[key]
                ?? throw new ArgumentException($"metadata value of key '{key}' is null.", nameof(metadata));
            if (i > 0)
            {
                json.Append(',');
            }

            AppendString(json, key, "metadata key");
            json.Append(':');
            AppendString(json, value, $"metadata value of key '{key}'");
        }

        json.Append('}');
    }

    /// <summary>Appends a JSON string escaped as serde_json does: quote, backslash and control characters only.</summary>
    private static void AppendString(StringBuilder json, string value, string what)
    {
        CheckUtf16(value, what);
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.Append(c);
                    }

                    break;
            }
        }

        json.Append('"');
    }

    private static void CheckUtf16(string value, string what)
    {
        ReadOnlySpan<char> remaining = value;
        while (!remaining.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(remaining, out _, out int consumed) != OperationStatus.Done)
            {
                throw new ArgumentException(
                    $"{what} '{value}' contains an unpaired surrogate at index {value.Length - remaining.Length}.");
            }

            remaining = remaining[consumed..];
        }
    }

    private static byte[] EncodeHeader(string json)
    {
        int jsonLength = StrictUtf8.GetByteCount(json);
        int padding = (8 - (jsonLength % 8)) % 8;
        long headerLength = (long)jsonLength + padding;
        if (headerLength > SafeTensorsFile.MaxHeaderLength)
        {
            throw new ArgumentException(
                $"the header would be {headerLength} bytes, more than the maximum of {SafeTensorsFile.MaxHeaderLength}.");
        }

        var header = new byte[8 + headerLength];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)headerLength);
        StrictUtf8.GetBytes(json, header.AsSpan(8));
        header.AsSpan(8 + jsonLength).Fill((byte)' ');
        return header;
    }
}
