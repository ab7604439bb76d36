using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Carnet.Benchmarks;

/// <summary>
/// A summary column with the throughput of each benchmark case: its floating-point operation count per
/// invocation divided by the median time per invocation, in GFLOP/s (10⁹ operations per second).
/// The median, as /work/shared/reference/ANCHORS.md compares medians. A second column shows the count itself.
/// </summary>
public sealed class GflopsColumn : IColumn
{
    private readonly Func<BenchmarkCase, double> flopsPerInvoke;
    private readonly bool showCount;

    /// <summary>Creates the column; <paramref name="flopsPerInvoke"/> gives a case's operation count (0 when unknown).</summary>
    public GflopsColumn(Func<BenchmarkCase, double> flopsPerInvoke, bool showCount = false)
    {
        this.flopsPerInvoke = flopsPerInvoke;
        this.showCount = showCount;
    }

    /// <inheritdoc />
    public string Id => showCount ? "Carnet.MFLOP" : "Carnet.GFLOPS";

    /// <inheritdoc />
    public string ColumnName => showCount ? "MFLOP" : "GFLOP/s";

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
        ? "Floating-point operations per invocation, in millions (matrix products only, 2·M·N·K each)"
        : "Throughput: operations per invocation / median time, in 10^9 per second";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double flops = flopsPerInvoke(benchmarkCase);
        if (flops <= 0)
        {
            return "-";
        }

        if (showCount)
        {
            return (flops / 1e6).ToString("0.###", CultureInfo.InvariantCulture);
        }

        double? medianNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Median;
        return medianNanoseconds is > 0
            ? (flops / medianNanoseconds.Value).ToString("0.000", CultureInfo.InvariantCulture)
            : "-";
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <summary>The value of the parameter <paramref name="name"/> of a case, or null when it has none.</summary>
    internal static object? ParameterOf(BenchmarkCase benchmarkCase, string name)
        => benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;
}
