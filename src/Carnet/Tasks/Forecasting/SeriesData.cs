// Dimension legend: N = rows (time steps), K = extra feature columns.
using System.Globalization;
using Carnet.Tasks.Data;

namespace Carnet.Tasks.Forecasting;

/// <summary>A time series read from a CSV table: the target column, optional extra feature columns, and a label per time step.</summary>
public sealed class SeriesData
{
    private SeriesData(string source, string target, double[] values, string[] featureNames, double[] features, string[] times, string? timeColumn)
    {
        Source = source;
        TargetName = target;
        Values = values;
        FeatureNames = featureNames;
        Features = features;
        Times = times;
        TimeColumn = timeColumn;
    }

    /// <summary>The file the series came from.</summary>
    public string Source { get; }

    /// <summary>The target column.</summary>
    public string TargetName { get; }

    /// <summary>The target values (N).</summary>
    public double[] Values { get; }

    /// <summary>The extra feature columns (K names).</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The extra features, row-major (N, K).</summary>
    public double[] Features { get; }

    /// <summary>A label per time step (N): the time column, year-month, or the row number.</summary>
    public IReadOnlyList<string> Times { get; }

    /// <summary>The column the labels came from ("year+month" for separate year and month columns), or null for row numbers.</summary>
    public string? TimeColumn { get; }

    /// <summary>N.</summary>
    public int Length => Values.Length;

    /// <summary>
    /// Reads the series. Without <paramref name="target"/>, the last numeric column that is not the time column is the
    /// target. Without <paramref name="time"/>, columns named year and month give year-month labels, a column named
    /// date, time, timestamp or datetime gives its values, and otherwise the row number is the label.
    /// </summary>
    public static SeriesData FromTable(CsvTable table, string? target = null, IReadOnlyList<string>? features = null, string? time = null)
    {
        if (table.Rows.Count == 0)
        {
            throw new DataFormatException(table.Source, 1, 0, "the file has a header but no data rows");
        }

        features ??= [];
        var (times, timeColumn) = Labels(table, time);
        string targetName = target ?? DefaultTarget(table, timeColumn, features);
        if (features.Contains(targetName, StringComparer.Ordinal))
        {
            throw new DataFormatException(table.Source, 1, table.ColumnIndex(targetName) + 1, $"'{targetName}' is the target; it cannot also be an extra feature");
        }

        double[] values = table.NumericColumn(targetName);
        var featureValues = new double[values.Length * features.Count]; // (N, K)
        for (int k = 0; k < features.Count; k++)
        {
            double[] column = table.NumericColumn(features[k]);
            for (int t = 0; t < column.Length; t++)
            {
                featureValues[t * features.Count + k] = column[t];
            }
        }

        return new SeriesData(table.Source, targetName, values, features.ToArray(), featureValues, times, timeColumn);
    }

    /// <summary>Labels for the <paramref name="horizon"/> steps after the last one, continuing the time column's step when it has one.</summary>
    public string[] FutureTimes(int horizon) => TimeAxis.Continue(Times, horizon);

    private static (string[] Times, string? Column) Labels(CsvTable table, string? time)
    {
        if (time is not null)
        {
            int index = table.ColumnIndex(time);
            return (table.Rows.Select(r => r[index].Trim()).ToArray(), time);
        }

        int year = Find(table, "year"), month = Find(table, "month");
        if (year >= 0 && month >= 0)
        {
            var labels = new string[table.Rows.Count];
            for (int r = 0; r < labels.Length; r++)
            {
                string y = table.Rows[r][year].Trim(), m = table.Rows[r][month].Trim();
                labels[r] = int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out int monthNumber) && monthNumber is >= 1 and <= 12
                    ? $"{y}-{monthNumber:D2}"
                    : $"{y}-{m}";
            }

            return (labels, "year+month");
        }

        foreach (string name in new[] { "timestamp", "datetime", "date", "time" })
        {
            int index = Find(table, name);
            if (index >= 0)
            {
                return (table.Rows.Select(r => r[index].Trim()).ToArray(), table.Header[index]);
            }
        }

        return (Enumerable.Range(1, table.Rows.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(), null);
    }

    private static string DefaultTarget(CsvTable table, string? timeColumn, IReadOnlyList<string> features)
    {
        for (int c = table.Header.Count - 1; c >= 0; c--)
        {
            string name = table.Header[c];
            bool isTime = name == timeColumn || (timeColumn == "year+month" && (Same(name, "year") || Same(name, "month")));
            if (!isTime && !features.Contains(name) && table.Rows.All(r => double.TryParse(r[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                return name;
            }
        }

        throw new DataFormatException(table.Source, 1, 0, "no numeric column to forecast; name one with --target");
    }

    private static int Find(CsvTable table, string name)
    {
        for (int c = 0; c < table.Header.Count; c++)
        {
            if (Same(table.Header[c], name))
            {
                return c;
            }
        }

        return -1;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
