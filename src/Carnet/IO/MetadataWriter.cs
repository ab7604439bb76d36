using System.Globalization;
using System.Text.Json;

namespace Carnet.IO;

/// <summary>
/// Formats values as metadata text in the forms <see cref="MetadataReader"/> reads: invariant culture, numbers in
/// round-trip form (<c>"R"</c>) so a value read back is bit-identical, lists space-separated, names as JSON arrays.
/// </summary>
internal static class MetadataWriter
{
    /// <summary><c>true</c> or <c>false</c>.</summary>
    public static string Boolean(bool value) => value ? "true" : "false";

    /// <summary>Decimal digits (a minus sign when negative).</summary>
    public static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The number in round-trip form.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Space-separated integers.</summary>
    public static string Integers(IEnumerable<int> values) => string.Join(' ', values.Select(Integer));

    /// <summary>Space-separated numbers in round-trip form.</summary>
    public static string Numbers(IEnumerable<double> values) => string.Join(' ', values.Select(Number));

    /// <summary>A JSON array of strings.</summary>
    public static string Strings(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray(), MetadataJsonContext.Default.StringArray);
}
