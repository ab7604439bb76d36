using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Carnet.Benchmarks;

/// <summary>
/// A summary column with the rate of each benchmark case: a count per invocation (floating-point operations, or items
/// of the case's own kind such as target tokens or sentences) divided by the median time per invocation, the median as
/// /work/shared/reference/ANCHORS.md compares medians. A second column of the same kind shows the count itself.
/// </summary>
public sealed class RateColumn : IColumn
{
    private static readonly Unit FlopsUnit = new(
        "Carnet.MFLOP", "MFLOP", "Floating-point operations per invocation, in millions (matrix products only, 2·M·N·K each)", 1e-6, "0.###",
        "Carnet.GFLOPS", "GFLOP/s", "Throughput: operations per invocation / median time, in 10^9 per second", 1, "0.000");

    private static readonly Unit ItemsUnit = new(
        "Carnet.Items", "Items", "Items per invocation: non-padding target tokens of a training step, sentences of a translation", 1, "0",
        "Carnet.ItemsPerSecond", "Items/s", "Throughput: items per invocation / median time, per second", 1e9, "0.0");

    private readonly Func<BenchmarkCase, double> countPerInvoke;
    private readonly Unit unit;
    private readonly bool showCount;

    private RateColumn(Func<BenchmarkCase, double> countPerInvoke, Unit unit, bool showCount)
        => (this.countPerInvoke, this.unit, this.showCount) = (countPerInvoke, unit, showCount);

    /// <summary>GFLOP/s (or, with <paramref name="showCount"/>, MFLOP per invocation); <paramref name="flops"/> is 0 when unknown.</summary>
    public static RateColumn Flops(Func<BenchmarkCase, double> flops, bool showCount = false) => new(flops, FlopsUnit, showCount);

    /// <summary>Items per second (or, with <paramref name="showCount"/>, items per invocation); <paramref name="items"/> is 0 when unknown.</summary>
    public static RateColumn Items(Func<BenchmarkCase, double> items, bool showCount = false) => new(items, ItemsUnit, showCount);

    /// <inheritdoc />
    public string Id => showCount ? unit.CountId : unit.RateId;

    /// <inheritdoc />
    public string ColumnName => showCount ? unit.CountName : unit.RateName;

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
    public string Legend => showCount ? unit.CountLegend : unit.RateLegend;

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double count = countPerInvoke(benchmarkCase);
        if (count <= 0)
        {
            return "-";
        }

        if (showCount)
        {
            return (count * unit.CountScale).ToString(unit.CountFormat, CultureInfo.InvariantCulture);
        }

        double? medianNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Median;
        return medianNanoseconds is > 0
            ? (count * unit.RatePerNanosecond / medianNanoseconds.Value).ToString(unit.RateFormat, CultureInfo.InvariantCulture)
            : "-";
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <summary>The value of the parameter <paramref name="name"/> of a case, or null when it has none.</summary>
    internal static object? ParameterOf(BenchmarkCase benchmarkCase, string name)
        => benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;

    /// <summary>How a count and its rate are named and shown: the count scaled for display, the rate as count per nanosecond × <c>RatePerNanosecond</c>.</summary>
    private sealed record Unit(
        string CountId, string CountName, string CountLegend, double CountScale, string CountFormat,
        string RateId, string RateName, string RateLegend, double RatePerNanosecond, string RateFormat);
}
