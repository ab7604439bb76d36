using System.Globalization;
using System.Text.Json;

namespace Carnet.IO;

/// <summary>
/// Reads typed values from a safetensors file's <c>__metadata__</c> string map under one key prefix: <c>""</c> for a
/// model's configuration, <c>preprocessing.</c> for a task's settings, <c>trainer.</c> or <c>note.</c> for a checkpoint's
/// training state. Every missing or malformed entry is one <see cref="SafeTensorsFormatException"/> naming the file, the
/// full key and what was expected, for example
/// <c>model.safetensors: metadata 'rnn.hidden_size' is '-3'; expected an integer from 1 to 1048576</c>.
/// <see cref="MetadataWriter"/> writes the forms read here.
/// </summary>
internal sealed class MetadataReader
{
    /// <summary>The largest count or size an entry may hold unless a reader asks for another bound.</summary>
    public const int MaximumSize = 1 << 24;

    /// <summary>The text of an entry that holds no value (<see cref="IntegerOrNone"/>, <see cref="NumberOrNone"/>).</summary>
    public const string None = "none";

    /// <summary>Who needs an entry, as the error for a missing one says unless the reader is given another.</summary>
    public const string DefaultRequiredBy = "this kind of model";

    private const int ShownLength = 40;

    private readonly IReadOnlyDictionary<string, string> entries; // keys lack the first `stripped` characters of Prefix
    private readonly int stripped;
    private readonly string requiredBy;

    /// <summary>A reader of the entries of <paramref name="metadata"/> (a file's whole map) whose keys start with <paramref name="prefix"/>.</summary>
    /// <param name="metadata">The file's metadata, keys in full.</param>
    /// <param name="source">The file path or name that errors start with.</param>
    /// <param name="prefix">Put before every key read (<c>preprocessing.</c>), and named in errors.</param>
    /// <param name="requiredBy">Who needs a missing entry: "metadata has no 'k'; <c>requiredBy</c> needs it".</param>
    public MetadataReader(IReadOnlyDictionary<string, string> metadata, string source, string prefix = "", string requiredBy = DefaultRequiredBy)
        : this(metadata, source, prefix, stripped: 0, requiredBy)
    {
    }

    private MetadataReader(IReadOnlyDictionary<string, string> entries, string source, string prefix, int stripped, string requiredBy)
    {
        this.entries = entries;
        this.stripped = stripped;
        this.requiredBy = requiredBy;
        Source = source;
        Prefix = prefix;
    }

    /// <summary>The file path or name that errors start with.</summary>
    public string Source { get; }

    /// <summary>The prefix of every key this reader reads, as the file spells it.</summary>
    public string Prefix { get; }

    /// <summary>
    /// A reader of entries already taken out of a file from under <paramref name="prefix"/> (a loaded model's
    /// preprocessing settings, a checkpoint's notes): their keys lack the prefix, and errors name it.
    /// </summary>
    public static MetadataReader ForEntries(IReadOnlyDictionary<string, string> entries, string source, string prefix, string requiredBy = DefaultRequiredBy)
        => new(entries, source, prefix, prefix.Length, requiredBy);

    /// <summary>The reader of the keys under <see cref="Prefix"/> + <paramref name="prefix"/>, needed by <paramref name="requiredBy"/> or by this reader's owner.</summary>
    public MetadataReader Section(string prefix, string? requiredBy = null)
        => new(entries, Source, Prefix + prefix, stripped, requiredBy ?? this.requiredBy);

    /// <summary>The full key, as the file and its errors spell it.</summary>
    public string Key(string key) => Prefix + key;

    /// <summary>The entries under <see cref="Prefix"/>, their keys without it.</summary>
    public Dictionary<string, string> Entries()
    {
        string start = Prefix[stripped..];
        return entries.Where(p => p.Key.StartsWith(start, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[start.Length..], p => p.Value, StringComparer.Ordinal);
    }

    /// <summary>Whether the entry is present.</summary>
    public bool Contains(string key) => entries.ContainsKey(Lookup(key));

    /// <summary>The entry's text, or null when it is absent.</summary>
    public string? OptionalText(string key) => entries.TryGetValue(Lookup(key), out var value) ? value : null;

    /// <summary>The entry's text, which must be present.</summary>
    public string Text(string key) => OptionalText(key) ?? throw Missing(key);

    /// <summary>An entry that must be present, whose empty text stands for null (an optional name).</summary>
    public string? NullableText(string key) => Text(key) is { Length: > 0 } text ? text : null;

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public bool Boolean(string key) => Text(key) switch
    {
        "true" => true,
        "false" => false,
        var text => throw Invalid(key, text, "'true' or 'false'"),
    };

    /// <summary>Decimal digits only, from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    public int Integer(string key, int minimum, int maximum = MaximumSize)
    {
        string text = Text(key);
        return ParseInteger(text, minimum, maximum) ?? throw Invalid(key, text, IntegerRange(minimum, maximum));
    }

    /// <summary><c>none</c> (null) or an integer from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    public int? IntegerOrNone(string key, int minimum, int maximum = MaximumSize)
    {
        string text = Text(key);
        return text == None ? null : ParseInteger(text, minimum, maximum) ?? throw Invalid(key, text, $"'{None}' or {IntegerRange(minimum, maximum)}");
    }

    /// <summary>A finite number.</summary>
    public double Number(string key)
    {
        string text = Text(key);
        return ParseNumber(text) is { } value && double.IsFinite(value) ? value : throw Invalid(key, text, "a finite number");
    }

    /// <summary>A number in [<paramref name="minimum"/>, <paramref name="below"/>) (a probability such as a dropout rate).</summary>
    public double Number(string key, double minimum, double below)
    {
        string text = Text(key);
        return ParseNumber(text) is { } value && value >= minimum && value < below
            ? value
            : throw Invalid(key, text, string.Create(CultureInfo.InvariantCulture, $"a number in [{minimum}, {below})"));
    }

    /// <summary>A finite number above 0 (a standard deviation that is divided by).</summary>
    public double PositiveNumber(string key)
    {
        double value = Number(key);
        return value > 0 ? value : throw Invalid(key, Text(key), "a positive number");
    }

    /// <summary><c>none</c> (null) or any number in round-trip form, NaN and infinities included: a value recorded, not a setting.</summary>
    public double? NumberOrNone(string key)
    {
        string text = Text(key);
        return text == None ? null : ParseNumber(text) ?? throw Invalid(key, text, $"'{None}' or a number");
    }

    /// <summary>Space-separated finite numbers (an empty entry is an empty list).</summary>
    public double[] Numbers(string key)
    {
        string[] parts = Parts(key, "numbers");
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            values[i] = ParseNumber(parts[i]) is { } value && double.IsFinite(value)
                ? value
                : throw Invalid(key, parts[i], "space-separated finite numbers");
        }

        return values;
    }

    /// <summary>Space-separated finite numbers above 0 (an empty entry is an empty list).</summary>
    public double[] PositiveNumbers(string key)
    {
        double[] values = Numbers(key);
        int bad = Array.FindIndex(values, v => v <= 0);
        return bad < 0 ? values : throw Invalid(key, Parts(key, "numbers")[bad], "space-separated positive numbers");
    }

    /// <summary>Space-separated integers from <paramref name="minimum"/> to <paramref name="maximum"/> (an empty entry is an empty list).</summary>
    public int[] Integers(string key, int minimum, int maximum = MaximumSize)
    {
        string[] parts = Parts(key, "integers");
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            values[i] = ParseInteger(parts[i], minimum, maximum) ?? throw Invalid(key, parts[i], $"space-separated integers from {minimum} to {maximum}");
        }

        return values;
    }

    /// <summary>A JSON array of strings (names of columns, classes or tokens), at most <see cref="MaximumSize"/> of them.</summary>
    public string[] Strings(string key)
    {
        string text = Text(key);
        try
        {
            var values = JsonSerializer.Deserialize(text, MetadataJsonContext.Default.StringArray);
            return values is not null && values.Length <= MaximumSize && values.All(v => v is not null)
                ? values
                : throw Invalid(key, Shorten(text), "a JSON array of strings");
        }
        catch (JsonException)
        {
            throw Invalid(key, Shorten(text), "a JSON array of strings");
        }
    }

    /// <summary>The value whose name is the entry's text, compared ordinally.</summary>
    public TValue Choice<TValue>(string key, params (string Name, TValue Value)[] choices)
    {
        string text = Text(key);
        foreach (var (name, value) in choices)
        {
            if (text == name)
            {
                return value;
            }
        }

        string[] names = choices.Select(c => c.Name).ToArray();
        throw Invalid(key, text, names.Length == 2 ? $"{names[0]} or {names[1]}" : $"one of {string.Join(", ", names)}");
    }

    /// <summary>
    /// Refuses a file whose <c>format</c> entry is not <paramref name="format"/> (it is not a Carnet <paramref name="kind"/>
    /// file) or whose <c>format_version</c> is not <paramref name="version"/>.
    /// </summary>
    public void RequireFormat(string format, int version, string kind)
    {
        string? actual = OptionalText("format");
        if (actual != format)
        {
            throw new SafeTensorsFormatException(Source, $"not a Carnet {kind} file (metadata '{Key("format")}' is '{actual ?? "absent"}', expected '{format}')");
        }

        string written = Text("format_version");
        if (written != version.ToString(CultureInfo.InvariantCulture))
        {
            throw new SafeTensorsFormatException(Source, $"format_version '{written}' is not supported; this Carnet reads version {version}");
        }
    }

    private string Lookup(string key) => Prefix[stripped..] + key;

    private string[] Parts(string key, string what)
    {
        string text = Text(key);
        string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length <= MaximumSize ? parts : throw Invalid(key, Shorten(text), $"at most {MaximumSize} {what}");
    }

    private static int? ParseInteger(string text, int minimum, int maximum)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= minimum && value <= maximum ? value : null;

    private static double? ParseNumber(string text)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    private static string IntegerRange(int minimum, int maximum) => $"an integer from {minimum} to {maximum}";

    private static string Shorten(string text) => text.Length <= ShownLength ? text : text[..ShownLength] + "…";

    private SafeTensorsFormatException Missing(string key) => new(Source, $"metadata has no '{Key(key)}'; {requiredBy} needs it");

    private SafeTensorsFormatException Invalid(string key, string text, string expected) => new(Source, $"metadata '{Key(key)}' is '{text}'; expected {expected}");
}

/// <summary>Source-generated JSON for metadata lists (trimming- and AOT-safe).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class MetadataJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
