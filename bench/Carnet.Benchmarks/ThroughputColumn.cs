using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Carnet.Benchmarks;

/// <summary>
/// A summary column with the throughput of each benchmark case in items of its own kind per second: its item count per
/// invocation (target tokens of a training step, sentences of a translation) divided by the median time per
/// invocation, the median as <see cref="GflopsColumn"/> uses. A second column shows the count itself.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    private readonly Func<BenchmarkCase, double> itemsPerInvoke;
    private readonly bool showCount;

    /// <summary>Creates the column; <paramref name="itemsPerInvoke"/> gives a case's item count (0 when unknown).</summary>
    public ThroughputColumn(Func<BenchmarkCase, double> itemsPerInvoke, bool showCount = false)
    {
        this.itemsPerInvoke = itemsPerInvoke;
        this.showCount = showCount;
    }

    /// <inheritdoc />
    public string Id => showCount ? "Carnet.Items" : "Carnet.ItemsPerSecond";

    /// <inheritdoc />
    public string ColumnName => showCount ? "Items" : "Items/s";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => showCount ? 0 : 1;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => showCount
        ? "Items per invocation: non-padding target tokens of a training step, sentences of a translation"
        : "Throughput: items per invocation / median time, per second";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double items = itemsPerInvoke(benchmarkCase);
        if (items <= 0)
        {
            return "-";
        }

        if (showCount)
        {
            return items.ToString("0", CultureInfo.InvariantCulture);
        }

        double? medianNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Median;
        return medianNanoseconds is > 0
            ? (items * 1e9 / medianNanoseconds.Value).ToString("0.0", CultureInfo.InvariantCulture)
            : "-";
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
