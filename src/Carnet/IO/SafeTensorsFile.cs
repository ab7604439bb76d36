using System.Buffers.Binary;
using System.Collections.ObjectModel;

namespace Carnet.IO;

/// <summary>
/// The validated content of a safetensors file: its tensors in header order and its optional string metadata.
/// </summary>
/// <remarks>
/// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data buffer. Reading checks
/// everything the format requires (see <see cref="Parse(byte[], string)"/>) and reports any problem as a
/// <see cref="SafeTensorsFormatException"/> whose message starts with <see cref="Source"/>.
/// </remarks>
public sealed class SafeTensorsFile
{
    /// <summary>The largest header length accepted, in bytes.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const int LengthPrefixSize = 8;

    private readonly Dictionary<string, SafeTensor> tensorsByName;

    private SafeTensorsFile(string source, IReadOnlyList<SafeTensor> tensors, Dictionary<string, string> metadata)
    {
        Source = source;
        Tensors = tensors;
        Metadata = new ReadOnlyDictionary<string, string>(metadata);
        tensorsByName = new Dictionary<string, SafeTensor>(tensors.Count, StringComparer.Ordinal);
        foreach (SafeTensor tensor in tensors)
        {
            tensorsByName.Add(tensor.Name, tensor);
        }
    }

    /// <summary>The file path given to <see cref="Read(string)"/> or the name given to <see cref="Parse(byte[], string)"/>.</summary>
    public string Source { get; }

    /// <summary>The <c>__metadata__</c> entries of the header; empty when the header has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in the order their entries appear in the header.</summary>
    public IReadOnlyList<SafeTensor> Tensors { get; }

    /// <summary>Returns the tensor with the given name.</summary>
    /// <param name="name">The tensor's name (case-sensitive).</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message names it and the source.</exception>
    public SafeTensor this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            if (tensorsByName.TryGetValue(name, out SafeTensor? tensor))
            {
                return tensor;
            }

            const int shown = 20;
            string names = string.Join(", ", Tensors.Take(shown).Select(t => $"'{t.Name}'"));
            string more = Tensors.Count > shown ? $", and {Tensors.Count - shown} more" : string.Empty;
            string available = Tensors.Count == 0 ? "it has no tensors" : $"it has {names}{more}";
            throw new KeyNotFoundException($"{Source}: no tensor named '{name}' ({available}).");
        }
    }

    /// <summary>Looks up a tensor by name.</summary>
    /// <param name="name">The tensor's name (case-sensitive).</param>
    /// <param name="tensor">The tensor when found, otherwise <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the file has a tensor with that name.</returns>
    public bool TryGetTensor(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out SafeTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        return tensorsByName.TryGetValue(name, out tensor);
    }

    /// <summary>Returns whether the file has a tensor with the given name.</summary>
    /// <param name="name">The tensor's name (case-sensitive).</param>
    /// <returns><see langword="true"/> when the tensor exists.</returns>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return tensorsByName.ContainsKey(name);
    }

    /// <summary>
    /// Reads and validates a safetensors file. The file length is checked against the header length before
    /// anything else is allocated, so no header value can make the reader allocate more than the file's size.
    /// </summary>
    /// <param name="path">The file to read; it is also the <see cref="Source"/> used in messages.</param>
    /// <returns>The file's tensors and metadata.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="InputFileException">The path is missing, not a regular file, or longer than <see cref="InputLimits.MaximumBytes"/>.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be accessed.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = InputFile.Open(path);
        long fileLength = stream.Length;
        if (fileLength < LengthPrefixSize)
        {
            throw TooShort(path, fileLength);
        }

        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        ReadExactly(stream, prefix, path);
        CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(prefix), fileLength, path);
        if (fileLength > Array.MaxLength)
        {
            throw new SafeTensorsFormatException(path,
                $"file is {fileLength} bytes long; files larger than {Array.MaxLength} bytes are not supported");
        }

        var bytes = new byte[fileLength];
        prefix.CopyTo(bytes);
        ReadExactly(stream, bytes.AsSpan(LengthPrefixSize), path);
        return ParseValidatedLength(bytes, path);
    }

    /// <summary>
    /// Parses and validates safetensors content held in memory. The tensors' <see cref="SafeTensor.Data"/> refer to
    /// <paramref name="bytes"/> without copying, so the array must not be modified afterwards.
    /// </summary>
    /// <param name="bytes">The complete content: length prefix, header and data buffer.</param>
    /// <param name="sourceName">A name for the content, used as <see cref="Source"/> and at the start of every message.</param>
    /// <returns>The content's tensors and metadata.</returns>
    /// <exception cref="SafeTensorsFormatException">
    /// The content is malformed: shorter than 8 bytes; a header length of 0, above <see cref="MaxHeaderLength"/>
    /// or beyond the end; a header that is not UTF-8, not JSON, not an object, nested too deeply or with duplicate
    /// keys; a tensor entry with missing, extra or wrongly typed fields, an unknown dtype, a bad shape, bad
    /// data_offsets, a byte range of the wrong size or outside the data buffer; tensors that overlap or leave
    /// holes or trailing bytes in the data buffer; or a <c>__metadata__</c> that is not an object of strings.
    /// </exception>
    public static SafeTensorsFile Parse(byte[] bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (bytes.Length < LengthPrefixSize)
        {
            throw TooShort(sourceName, bytes.Length);
        }

        CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(bytes), bytes.Length, sourceName);
        return ParseValidatedLength(bytes, sourceName);
    }

    private static SafeTensorsFile ParseValidatedLength(byte[] bytes, string source)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        int dataStart = LengthPrefixSize + headerLength;
        var header = new ReadOnlySpan<byte>(bytes, LengthPrefixSize, headerLength);
        var (entries, metadata) = SafeTensorsHeaderParser.Parse(header, bytes.Length - dataStart, source);
        var tensors = new SafeTensor[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var data = new ReadOnlyMemory<byte>(bytes, dataStart + (int)entry.Begin, (int)(entry.End - entry.Begin));
            tensors[i] = new SafeTensor(entry.Name, entry.DType, entry.Shape, entry.ElementCount, data);
        }

        return new SafeTensorsFile(source, Array.AsReadOnly(tensors), metadata);
    }

    private static void CheckHeaderLength(ulong headerLength, long totalLength, string source)
    {
        if (headerLength == 0)
        {
            throw new SafeTensorsFormatException(source, "header length is 0; the header must be a non-empty JSON object");
        }

        if (headerLength > MaxHeaderLength)
        {
            throw new SafeTensorsFormatException(source,
                $"header length {headerLength} is larger than the maximum of {MaxHeaderLength} bytes");
        }

        long available = totalLength - LengthPrefixSize;
        if (headerLength > (ulong)available)
        {
            throw new SafeTensorsFormatException(source,
                $"header length {headerLength} is larger than the {available} bytes that follow the 8-byte length prefix (truncated file?)");
        }
    }

    private static SafeTensorsFormatException TooShort(string source, long length) =>
        new(source, $"file is {length} bytes long, shorter than the 8-byte header length prefix");

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException exception)
        {
            throw new SafeTensorsFormatException(path, "file ended early (was it truncated while being read?)", exception);
        }
    }
}
