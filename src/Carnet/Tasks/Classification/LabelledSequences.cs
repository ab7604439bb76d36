// Dimension legend: N = sequences, T = longest sequence, C = numeric features per step.
using System.Globalization;
using Carnet.Tasks.Data;

namespace Carnet.Tasks.Classification;

/// <summary>
/// Sequences read from a CSV table (see <see cref="SequenceColumns"/>), padded to the longest: numeric features
/// (N, T, C) or categorical tokens (N, T) as strings, each with its length, label and the file line it starts on.
/// </summary>
public sealed class LabelledSequences
{
    private LabelledSequences()
    {
    }

    /// <summary>The file.</summary>
    public required string Source { get; init; }

    /// <summary>Each sequence's id (long format) or row number (wide format): (N).</summary>
    public required IReadOnlyList<string> Ids { get; init; }

    /// <summary>Valid steps per sequence: (N).</summary>
    public required int[] Lengths { get; init; }

    /// <summary>T, the longest length.</summary>
    public required int Steps { get; init; }

    /// <summary>The feature columns read.</summary>
    public required IReadOnlyList<string> FeatureNames { get; init; }

    /// <summary>C for numeric sequences, 0 for tokens.</summary>
    public int FeaturesPerStep => Features is null ? 0 : Features.Length / Math.Max(1, Count * Steps);

    /// <summary>Numeric features (N, T, C), zero past each length; null for token sequences.</summary>
    public required double[]? Features { get; init; }

    /// <summary>Tokens (N, T), empty strings past each length; null for numeric sequences.</summary>
    public required string[]? Tokens { get; init; }

    /// <summary>Each sequence's label, or null when the table has none: (N).</summary>
    public required IReadOnlyList<string?> Labels { get; init; }

    /// <summary>The file line where each sequence starts: (N).</summary>
    public required IReadOnlyList<int> Lines { get; init; }

    /// <summary>N.</summary>
    public int Count => Lengths.Length;

    /// <summary>Reads sequences; every problem names the file, line and column.</summary>
    public static LabelledSequences FromTable(CsvTable table, SequenceColumns columns)
    {
        if (table.Rows.Count == 0)
        {
            throw new DataFormatException(table.Source, 1, 0, "the file has a header but no data rows");
        }

        int label = columns.Label is null ? -1 : table.ColumnIndex(columns.Label);
        int id = columns.Id is null ? -1 : table.ColumnIndex(columns.Id);
        int time = columns.Time is null ? -1 : table.ColumnIndex(columns.Time);
        if (columns.Time is not null && id < 0)
        {
            throw new DataFormatException(table.Source, 1, time + 1, "a --time column orders the steps of long-format sequences; give --id too");
        }

        string[] names = columns.Features is { Count: > 0 } given
            ? given.ToArray()
            : table.Header.Where((_, c) => c != label && c != id && c != time).ToArray();
        int[] featureColumns = names.Select(table.ColumnIndex).ToArray();
        if (featureColumns.Length == 0)
        {
            throw new DataFormatException(table.Source, 1, 0, "no feature columns besides the id, time and label");
        }

        if (featureColumns.Contains(label))
        {
            throw new DataFormatException(table.Source, 1, label + 1, $"'{columns.Label}' is the label; it cannot also be a feature");
        }

        bool tokens = featureColumns.Length == 1 && !IsNumericColumn(table, featureColumns[0]);
        var groups = id >= 0 ? LongGroups(table, id, time) : Enumerable.Range(0, table.Rows.Count).Select(r => new[] { r }).ToList();
        var labels = groups.Select(g => label < 0 ? null : Label(table, g, label)).ToArray();
        var lines = groups.Select(g => table.LineNumbers[g[0]]).ToArray();
        var ids = groups.Select((g, n) => id >= 0 ? table.Rows[g[0]][id].Trim() : table.LineNumbers[g[0]].ToString(CultureInfo.InvariantCulture)).ToArray();
        if (tokens)
        {
            var sequences = groups.Select(g => id >= 0 ? g.Select(r => table.Rows[r][featureColumns[0]].Trim()).ToArray() : Split(table.Rows[g[0]][featureColumns[0]]))
                .ToArray();
            int steps = sequences.Max(s => s.Length);
            var padded = new string[sequences.Length * steps]; // (N, T)
            Array.Fill(padded, "");
            for (int n = 0; n < sequences.Length; n++)
            {
                RequireSteps(table, groups[n][0], featureColumns[0], sequences[n].Length);
                sequences[n].CopyTo(padded, n * steps);
            }

            return new LabelledSequences
            {
                Source = table.Source, Ids = ids, Lengths = sequences.Select(s => s.Length).ToArray(), Steps = steps, FeatureNames = names, Features = null,
                Tokens = padded, Labels = labels, Lines = lines,
            };
        }

        return id >= 0
            ? LongNumeric(table, groups, featureColumns, names, ids, labels, lines)
            : WideNumeric(table, featureColumns, columns.FeaturesPerStep, names, ids, labels, lines);
    }

    private static LabelledSequences LongNumeric(CsvTable table, List<int[]> groups, int[] featureColumns, string[] names, string[] ids,
        string?[] labels, int[] lines)
    {
        int channels = featureColumns.Length, steps = groups.Max(g => g.Length);
        var features = new double[groups.Count * steps * channels]; // (N, T, C)
        for (int n = 0; n < groups.Count; n++)
        {
            for (int t = 0; t < groups[n].Length; t++)
            {
                for (int c = 0; c < channels; c++)
                {
                    features[(n * steps + t) * channels + c] = Number(table, groups[n][t], featureColumns[c]);
                }
            }
        }

        return new LabelledSequences
        {
            Source = table.Source, Ids = ids, Lengths = groups.Select(g => g.Length).ToArray(), Steps = steps, FeatureNames = names, Features = features,
            Tokens = null, Labels = labels, Lines = lines,
        };
    }

    private static LabelledSequences WideNumeric(CsvTable table, int[] featureColumns, int perStep, string[] names, string[] ids, string?[] labels, int[] lines)
    {
        if (perStep < 1 || featureColumns.Length % perStep != 0)
        {
            throw new DataFormatException(table.Source, 1, 0,
                $"{featureColumns.Length} feature columns cannot be read {perStep} per step; --features-per-step must divide the number of feature columns");
        }

        int rows = table.Rows.Count, steps = featureColumns.Length / perStep;
        var features = new double[rows * steps * perStep]; // (N, T, C)
        var lengths = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int cells = featureColumns.Length;
            while (cells > 0 && table.Rows[r][featureColumns[cells - 1]].Trim().Length == 0)
            {
                cells--;
            }

            if (cells % perStep != 0)
            {
                throw new DataFormatException(table.Source, table.LineNumbers[r], featureColumns[cells] + 1, $"empty cell in the middle of a step of {perStep} features");
            }

            lengths[r] = cells / perStep;
            RequireSteps(table, r, featureColumns[0], lengths[r]);
            for (int k = 0; k < cells; k++)
            {
                features[r * steps * perStep + k] = Number(table, r, featureColumns[k]);
            }
        }

        return new LabelledSequences
        {
            Source = table.Source, Ids = ids, Lengths = lengths, Steps = steps, FeatureNames = names, Features = features, Tokens = null, Labels = labels,
            Lines = lines,
        };
    }

    private static List<int[]> LongGroups(CsvTable table, int id, int time)
    {
        var order = new List<string>();
        var members = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int r = 0; r < table.Rows.Count; r++)
        {
            string key = table.Rows[r][id].Trim();
            if (!members.TryGetValue(key, out var list))
            {
                members[key] = list = [];
                order.Add(key);
            }

            list.Add(r);
        }

        return order.Select(key => time < 0 ? members[key].ToArray() : members[key].OrderBy(r => Number(table, r, time)).ToArray()).ToList();
    }

    private static string Label(CsvTable table, int[] rows, int column)
    {
        string value = table.Rows[rows[0]][column].Trim();
        if (value.Length == 0)
        {
            throw new DataFormatException(table.Source, table.LineNumbers[rows[0]], column + 1, "empty label");
        }

        foreach (int r in rows)
        {
            if (table.Rows[r][column].Trim() != value)
            {
                throw new DataFormatException(table.Source, table.LineNumbers[r], column + 1,
                    $"label '{table.Rows[r][column].Trim()}' differs from '{value}' earlier in the same sequence");
            }
        }

        return value;
    }

    private static double Number(CsvTable table, int row, int column)
    {
        string cell = table.Rows[row][column].Trim();
        return double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new DataFormatException(table.Source, table.LineNumbers[row], column + 1,
                $"'{CsvTable.Shorten(cell)}' in column '{table.Header[column]}' is not a finite number");
    }

    private static bool IsNumericColumn(CsvTable table, int column)
        => table.Rows.All(r => r[column].Trim().Length == 0 || double.TryParse(r[column].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    private static void RequireSteps(CsvTable table, int row, int column, int length)
    {
        if (length == 0)
        {
            throw new DataFormatException(table.Source, table.LineNumbers[row], column + 1, "empty sequence");
        }
    }

    private static string[] Split(string text)
    {
        string trimmed = text.Trim();
        return trimmed.Any(char.IsWhiteSpace)
            ? trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            : trimmed.EnumerateRunes().Select(r => r.ToString()).ToArray();
    }
}
