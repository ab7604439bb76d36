using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Carnet.IO;

/// <summary>
/// Validates and decodes a safetensors JSON header with <see cref="Utf8JsonReader"/> (no reflection, so it is
/// Native-AOT safe). Every problem is reported as a <see cref="SafeTensorsFormatException"/>.
/// </summary>
internal static class SafeTensorsHeaderParser
{
    /// <summary>The deepest nesting of JSON objects and arrays accepted in a header (a valid one needs 3).</summary>
    internal const int MaxNesting = 8;

    internal const string MetadataKey = "__metadata__";

    // One more than MaxNesting so that the nesting check below reports the problem before the reader does.
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxNesting + 1,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>One tensor entry of the header, with its offsets relative to the data buffer.</summary>
    internal readonly record struct Entry(string Name, SafeTensorDType DType, int[] Shape, long ElementCount, long Begin, long End);

    /// <summary>
    /// Parses and validates the header and checks that the tensors tile the data buffer of
    /// <paramref name="dataLength"/> bytes exactly.
    /// </summary>
    internal static (List<Entry> Tensors, Dictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> header, long dataLength, string source)
    {
        ValidateUtf8(header, source);
        ValidateSyntax(header, source);
        var (tensors, metadata) = ParseStructure(header, source);
        foreach (Entry entry in tensors)
        {
            if (entry.End > dataLength)
            {
                throw Fail(source, entry.Name,
                    $"data_offsets [{entry.Begin},{entry.End}] lie outside the data buffer, which is {dataLength} bytes long");
            }
        }

        CheckCoverage(tensors, dataLength, source);
        return (tensors, metadata);
    }

    private static SafeTensorsFormatException Fail(string source, string? tensor, string problem, Exception? inner = null) =>
        new(source, tensor, problem, inner);

    private static void ValidateUtf8(ReadOnlySpan<byte> header, string source)
    {
        int position = 0;
        while (position < header.Length)
        {
            var status = Rune.DecodeFromUtf8(header[position..], out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                throw Fail(source, null,
                    $"header is not valid UTF-8: invalid byte sequence at header byte {position} (file offset {position + 8})");
            }

            position += consumed;
        }
    }

    private static void ValidateSyntax(ReadOnlySpan<byte> header, string source)
    {
        var reader = new Utf8JsonReader(header, ReaderOptions);
        try
        {
            while (reader.Read())
            {
                bool opens = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
                if (opens && reader.CurrentDepth + 1 > MaxNesting)
                {
                    throw Fail(source, null,
                        $"header JSON is nested more than {MaxNesting} levels deep (at header byte {reader.TokenStartIndex})");
                }
            }
        }
        catch (JsonException exception)
        {
            throw Fail(source, null, $"header is not valid JSON: {exception.Message}", exception);
        }
    }

    private static (List<Entry>, Dictionary<string, string>) ParseStructure(ReadOnlySpan<byte> header, string source)
    {
        var reader = new Utf8JsonReader(header, ReaderOptions);
        var tensors = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Fail(source, null, $"header must be a JSON object but is {Describe(reader.TokenType)}");
            }

            var keys = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string key = ReadString(ref reader, source, null);
                if (!keys.Add(key))
                {
                    throw Fail(source, null, $"duplicate key '{key}' in the header (at header byte {reader.TokenStartIndex})");
                }

                reader.Read();
                if (key == MetadataKey)
                {
                    ParseMetadata(ref reader, metadata, source);
                }
                else
                {
                    tensors.Add(ParseEntry(ref reader, key, source));
                }
            }
        }
        catch (JsonException exception)
        {
            throw Fail(source, null, $"header is not valid JSON: {exception.Message}", exception);
        }

        return (tensors, metadata);
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string source)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(source, null, $"'{MetadataKey}' must be a JSON object of strings but is {Describe(reader.TokenType)}");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = ReadString(ref reader, source, null);
            if (metadata.ContainsKey(key))
            {
                throw Fail(source, null, $"duplicate key '{key}' in '{MetadataKey}'");
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Fail(source, null,
                    $"'{MetadataKey}' value of key '{key}' must be a string but is {Describe(reader.TokenType)}");
            }

            metadata.Add(key, ReadString(ref reader, source, null));
        }
    }

    private static Entry ParseEntry(ref Utf8JsonReader reader, string name, string source)
    {
        if (name.Length == 0)
        {
            throw Fail(source, name, "tensor names must not be empty");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(source, name, $"entry must be a JSON object but is {Describe(reader.TokenType)}");
        }

        SafeTensorDType? dtype = null;
        int[]? shape = null;
        long[]? offsets = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string field = ReadString(ref reader, source, name);
            reader.Read();
            bool duplicate = field switch
            {
                "dtype" => dtype.HasValue,
                "shape" => shape is not null,
                "data_offsets" => offsets is not null,
                _ => throw Fail(source, name, $"unexpected field '{field}' (allowed fields: dtype, shape, data_offsets)"),
            };
            if (duplicate)
            {
                throw Fail(source, name, $"duplicate field '{field}'");
            }

            switch (field)
            {
                case "dtype":
                    dtype = ParseDType(ref reader, name, source);
                    break;
                case "shape":
                    shape = ParseShape(ref reader, name, source);
                    break;
                default:
                    offsets = ParseOffsets(ref reader, name, source);
                    break;
            }
        }

        if (!dtype.HasValue)
        {
            throw Fail(source, name, "missing field 'dtype'");
        }

        if (shape is null)
        {
            throw Fail(source, name, "missing field 'shape'");
        }

        if (offsets is null)
        {
            throw Fail(source, name, "missing field 'data_offsets'");
        }

        return CheckSizes(name, dtype.Value, shape, offsets[0], offsets[1], source);
    }

    private static Entry CheckSizes(string name, SafeTensorDType dtype, int[] shape, long begin, long end, string source)
    {
        string shapeText = SafeTensor.FormatShape(shape);
        long elementCount = SafeTensor.TryCountElements(shape)
            ?? throw Fail(source, name, $"the element count of shape {shapeText} overflows a 64-bit integer");
        int elementSize = dtype.GetElementSize();
        if (elementCount > long.MaxValue / elementSize)
        {
            throw Fail(source, name,
                $"the byte size of shape {shapeText} with dtype {dtype.GetJsonName()} overflows a 64-bit integer");
        }

        if (begin > end)
        {
            throw Fail(source, name, $"data_offsets [{begin},{end}] have begin greater than end");
        }

        long needed = elementCount * elementSize;
        if (end - begin != needed)
        {
            throw Fail(source, name,
                $"shape {shapeText} with dtype {dtype.GetJsonName()} needs {needed} bytes but data_offsets [{begin},{end}] give {end - begin}");
        }

        return new Entry(name, dtype, shape, elementCount, begin, end);
    }

    private static SafeTensorDType ParseDType(ref Utf8JsonReader reader, string name, string source)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Fail(source, name, $"field 'dtype' must be a string but is {Describe(reader.TokenType)}");
        }

        string text = ReadString(ref reader, source, name);
        if (!SafeTensorDTypeExtensions.TryParseJsonName(text, out SafeTensorDType dtype))
        {
            throw Fail(source, name,
                $"unknown dtype '{Shorten(text)}' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        }

        return dtype;
    }

    private static int[] ParseShape(ref Utf8JsonReader reader, string name, string source)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail(source, name, $"field 'shape' must be an array of integers but is {Describe(reader.TokenType)}");
        }

        var dimensions = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            string what = $"dimension {dimensions.Count} of field 'shape'";
            dimensions.Add((int)ReadNonNegativeInteger(ref reader, what, int.MaxValue, name, source));
        }

        return dimensions.ToArray();
    }

    private static long[] ParseOffsets(ref Utf8JsonReader reader, string name, string source)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail(source, name,
                $"field 'data_offsets' must be an array of two integers but is {Describe(reader.TokenType)}");
        }

        var offsets = new List<long>(2);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (offsets.Count == 2)
            {
                throw Fail(source, name, "field 'data_offsets' must hold exactly two integers but holds more");
            }

            string what = offsets.Count == 0 ? "the begin of field 'data_offsets'" : "the end of field 'data_offsets'";
            offsets.Add(ReadNonNegativeInteger(ref reader, what, long.MaxValue, name, source));
        }

        if (offsets.Count != 2)
        {
            throw Fail(source, name, $"field 'data_offsets' must hold exactly two integers but holds {offsets.Count}");
        }

        return offsets.ToArray();
    }

    /// <summary>Reads a JSON number that must be written as a non-negative integer no larger than <paramref name="maximum"/>.</summary>
    private static long ReadNonNegativeInteger(ref Utf8JsonReader reader, string what, long maximum, string name, string source)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Fail(source, name, $"{what} must be an integer but is {Describe(reader.TokenType)}");
        }

        ReadOnlySpan<byte> token = reader.ValueSpan;
        string text = Shorten(Encoding.UTF8.GetString(token));
        if (token.IndexOfAny(".eE"u8) >= 0)
        {
            throw Fail(source, name, $"{what} must be an integer but is {text}");
        }

        if (token[0] == (byte)'-')
        {
            if (reader.TryGetInt64(out long signed) && signed == 0)
            {
                return 0;
            }

            throw Fail(source, name, $"{what} must not be negative but is {text}");
        }

        if (!reader.TryGetUInt64(out ulong value) || value > (ulong)maximum)
        {
            string limit = maximum.ToString(CultureInfo.InvariantCulture);
            throw Fail(source, name, $"{what} is {text}, larger than the maximum {limit}");
        }

        return (long)value;
    }

    private static string ReadString(ref Utf8JsonReader reader, string source, string? tensor)
    {
        try
        {
            return reader.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException exception)
        {
            throw Fail(source, tensor,
                $"header holds a string that cannot be decoded at header byte {reader.TokenStartIndex}: {exception.Message}", exception);
        }
    }

    private static void CheckCoverage(List<Entry> tensors, long dataLength, string source)
    {
        var sorted = tensors.ToArray();
        Array.Sort(sorted, static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long covered = 0;
        Entry? previous = null;
        foreach (Entry entry in sorted)
        {
            if (entry.Begin < covered && previous is { } before)
            {
                throw Fail(source, entry.Name,
                    $"data_offsets [{entry.Begin},{entry.End}] overlap those of tensor '{before.Name}' [{before.Begin},{before.End}]");
            }

            if (entry.Begin > covered)
            {
                throw Fail(source, entry.Name,
                    $"the data buffer has a hole: bytes [{covered},{entry.Begin}) before this tensor's data_offsets [{entry.Begin},{entry.End}] belong to no tensor");
            }

            covered = entry.End;
            previous = entry;
        }

        if (covered != dataLength)
        {
            throw Fail(source, null,
                $"the data buffer has {dataLength - covered} trailing bytes: it is {dataLength} bytes long but the tensors cover only [0,{covered})");
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");
}
