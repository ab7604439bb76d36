using System.Globalization;
using System.Text.Json;
using Carnet.IO;

namespace Carnet.Models;

/// <summary>
/// Reads typed values from a model file's <c>preprocessing.*</c> entries, with one clear error naming the file, the key
/// and what was expected when an entry is missing or malformed.
/// </summary>
internal static class MetadataReader
{
    /// <summary>The largest count or size a preprocessing entry may hold.</summary>
    public const int MaximumSize = 1 << 24;

    public static string Text(IReadOnlyDictionary<string, string> metadata, string key, string source)
        => metadata.TryGetValue(key, out var value)
            ? value
            : throw new SafeTensorsFormatException(source, $"metadata has no 'preprocessing.{key}'; this kind of model needs it");

    public static bool Boolean(IReadOnlyDictionary<string, string> metadata, string key, string source) => Text(metadata, key, source) switch
    {
        "true" => true,
        "false" => false,
        var text => throw Invalid(source, key, text, "'true' or 'false'"),
    };

    public static double Number(IReadOnlyDictionary<string, string> metadata, string key, string source)
    {
        string text = Text(metadata, key, source);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw Invalid(source, key, text, "a finite number");
    }

    public static int Integer(IReadOnlyDictionary<string, string> metadata, string key, string source, int minimum)
    {
        string text = Text(metadata, key, source);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= minimum && value <= MaximumSize
            ? value
            : throw Invalid(source, key, text, $"an integer from {minimum} to {MaximumSize}");
    }

    /// <summary>A finite number above 0 (a standard deviation that is divided by).</summary>
    public static double PositiveNumber(IReadOnlyDictionary<string, string> metadata, string key, string source)
    {
        double value = Number(metadata, key, source);
        return value > 0 ? value : throw Invalid(source, key, metadata[key], "a positive number");
    }

    /// <summary>Space-separated finite numbers above 0 (an empty entry is an empty list).</summary>
    public static double[] PositiveNumbers(IReadOnlyDictionary<string, string> metadata, string key, string source)
    {
        double[] values = Numbers(metadata, key, source);
        int bad = Array.FindIndex(values, v => v <= 0);
        return bad < 0 ? values : throw Invalid(source, key, metadata[key].Split(' ', StringSplitOptions.RemoveEmptyEntries)[bad], "space-separated positive numbers");
    }

    /// <summary>Space-separated finite numbers (an empty entry is an empty list).</summary>
    public static double[] Numbers(IReadOnlyDictionary<string, string> metadata, string key, string source)
    {
        string text = Text(metadata, key, source);
        string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > MaximumSize)
        {
            throw Invalid(source, key, text[..40] + "…", $"at most {MaximumSize} numbers");
        }

        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                throw Invalid(source, key, parts[i], "space-separated finite numbers");
            }
        }

        return values;
    }

    /// <summary>A JSON array of strings (names of columns, classes or tokens).</summary>
    public static string[] Strings(IReadOnlyDictionary<string, string> metadata, string key, string source)
    {
        string text = Text(metadata, key, source);
        try
        {
            var values = JsonSerializer.Deserialize(text, MetadataJsonContext.Default.StringArray);
            return values is not null && values.Length <= MaximumSize && values.All(v => v is not null)
                ? values
                : throw Invalid(source, key, Shorten(text), "a JSON array of strings");
        }
        catch (JsonException)
        {
            throw Invalid(source, key, Shorten(text), "a JSON array of strings");
        }
    }

    /// <summary>Writes a list of names as a JSON array, the form <see cref="Strings"/> reads.</summary>
    public static string ToJson(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray(), MetadataJsonContext.Default.StringArray);

    private static SafeTensorsFormatException Invalid(string source, string key, string text, string expected)
        => new(source, $"metadata 'preprocessing.{key}' is '{text}'; expected {expected}");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>Source-generated JSON for metadata lists (trimming- and AOT-safe).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class MetadataJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
