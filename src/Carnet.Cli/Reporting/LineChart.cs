namespace Carnet.Cli.Reporting;

/// <summary>
/// A line chart as inline SVG: one or more series over a shared x axis, with round ticks (1, 2, 5 × 10^k), gridlines, a
/// legend and optional vertical markers (such as "test starts"). The x axis spans the data exactly; the y axis extends to
/// the round ticks around it. Points whose x or y is NaN or infinite (or, on a logarithmic y axis, not positive) break the
/// line and are left out of the axis range. Output is deterministic and culture-invariant.
/// </summary>
public sealed class LineChart
{
    private const double Pad = 16;
    private const double LegendRowHeight = 18;
    private readonly List<Series> series = [];
    private readonly List<(double X, string Label)> markers = [];

    /// <summary>Creates an empty chart.</summary>
    /// <param name="title">The heading drawn above the plot and the SVG's accessible title.</param>
    /// <param name="xLabel">The caption under the x axis.</param>
    /// <param name="yLabel">The caption beside the y axis.</param>
    public LineChart(string title, string xLabel, string yLabel)
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        XLabel = xLabel ?? throw new ArgumentNullException(nameof(xLabel));
        YLabel = yLabel ?? throw new ArgumentNullException(nameof(yLabel));
    }

    /// <summary>The chart's heading and accessible title.</summary>
    public string Title { get; }

    /// <summary>The x-axis caption.</summary>
    public string XLabel { get; }

    /// <summary>The y-axis caption.</summary>
    public string YLabel { get; }

    /// <summary>Whether the y axis is logarithmic (base 10); non-positive values are then left out. False by default.</summary>
    public bool LogarithmicY { get; set; }

    /// <summary>Formats an x tick value (for example as a year or a time); null for plain numbers.</summary>
    public Func<double, string>? XTickFormat { get; set; }

    /// <summary>Formats a y tick value; null for plain numbers.</summary>
    public Func<double, string>? YTickFormat { get; set; }

    /// <summary>The number of series added.</summary>
    public int SeriesCount => series.Count;

    /// <summary>Adds a series; the values are copied. Colours follow a fixed colour-blind-safe palette in the order added.</summary>
    /// <param name="name">The legend entry.</param>
    /// <param name="x">The x values.</param>
    /// <param name="y">The y values, as many as <paramref name="x"/>.</param>
    /// <param name="dashed">Draws the line dashed (for example a forecast beside the actual values).</param>
    /// <returns>This chart.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> and <paramref name="y"/> differ in length.</exception>
    public LineChart AddSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, bool dashed = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"series '{name}' has {x.Count} x values and {y.Count} y values", nameof(y));
        }

        series.Add(new Series(name, [.. x], [.. y], dashed, Markup.Palette[series.Count % Markup.Palette.Length]));
        return this;
    }

    /// <summary>Adds a series whose x values are 0, 1, 2, … (the index of each y value).</summary>
    /// <param name="name">The legend entry.</param>
    /// <param name="y">The y values.</param>
    /// <param name="dashed">Draws the line dashed.</param>
    /// <returns>This chart.</returns>
    public LineChart AddSeries(string name, IReadOnlyList<double> y, bool dashed = false)
    {
        ArgumentNullException.ThrowIfNull(y);
        var x = new double[y.Count];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = i;
        }

        return AddSeries(name, x, y, dashed);
    }

    /// <summary>Adds a dashed vertical line at <paramref name="x"/> with a label at its top; the x axis is widened to include it.</summary>
    /// <returns>This chart.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is NaN or infinite.</exception>
    public LineChart AddVerticalMarker(double x, string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (!double.IsFinite(x))
        {
            throw new ArgumentException("a marker needs a finite x", nameof(x));
        }

        markers.Add((x, label));
        return this;
    }

    /// <summary>Draws the chart; a chart without any drawable point says "no data".</summary>
    /// <param name="width">The width in pixels (the SVG scales to its container in the HTML report).</param>
    /// <param name="height">The height in pixels.</param>
    /// <returns>A standalone SVG document.</returns>
    public string RenderSvg(int width = 800, int height = 320)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        var layout = ComputeLayout(width, height);
        if (layout is null)
        {
            return SvgBuilder.NoData(width, height, Title);
        }

        var svg = new SvgBuilder(width, height, Title);
        svg.Text(Pad, Pad + 12, Title, size: 15, bold: true, fill: "#1f2328");
        DrawLegend(svg, layout);
        DrawAxes(svg, layout, height);
        foreach (var (x, label) in markers)
        {
            double px = layout.X.Map(x);
            svg.Line(px, layout.Top, px, layout.Bottom, "#6e7781", 1, "4 3");
            bool fitsRight = px + 4 + Markup.TextWidth(label, 11) <= layout.Right;
            svg.Text(fitsRight ? px + 4 : px - 4, layout.Top + 12, label, fitsRight ? TextAnchor.Start : TextAnchor.End, 11, "#57606a");
        }

        foreach (var line in series)
        {
            svg.BeginGroup("series", line.Name);
            foreach (var segment in Segments(line, layout.X, layout.Y))
            {
                if (segment.Count == 1)
                {
                    svg.Circle(segment[0].X, segment[0].Y, 2.5, line.Color);
                }
                else
                {
                    svg.Polyline(segment, line.Color, 2, line.Dashed ? "6 4" : null);
                }
            }

            svg.EndGroup();
        }

        return svg.Finish();
    }

    /// <summary>The plot area, scales and ticks for a size, or null when no point can be drawn.</summary>
    internal LineChartLayout? ComputeLayout(int width, int height)
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity;
        double yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (var line in series)
        {
            for (int i = 0; i < line.X.Length; i++)
            {
                if (IsDrawable(line.X[i], line.Y[i]))
                {
                    xMin = Math.Min(xMin, line.X[i]);
                    xMax = Math.Max(xMax, line.X[i]);
                    yMin = Math.Min(yMin, line.Y[i]);
                    yMax = Math.Max(yMax, line.Y[i]);
                }
            }
        }

        if (xMin > xMax)
        {
            return null;
        }

        foreach (var (x, _) in markers)
        {
            xMin = Math.Min(xMin, x);
            xMax = Math.Max(xMax, x);
        }

        var legend = LayoutLegend(width);
        double bottom = height - 48;
        double top = Math.Min(Pad + 20 + legend[^1].Row * LegendRowHeight + LegendRowHeight + 8, bottom - 40);
        int yTarget = Math.Max(2, (int)((bottom - top) / 45));
        var yTicks = LogarithmicY ? AxisTicks.Logarithmic(yMin, yMax, yTarget) : AxisTicks.Linear(yMin, yMax, yTarget);
        string[] yLabels = [.. yTicks.Values.Select(v => YTickFormat?.Invoke(v) ?? yTicks.Label(v))];
        double left = Pad + 14 + yLabels.Max(l => Markup.TextWidth(l, 11)) + 8;
        double right = width - 20;

        double[] xTicks;
        string[] xLabels;
        bool tight = xMin < xMax;
        double xLower = xMin, xUpper = xMax;
        int xTarget = Math.Max(2, (int)((right - left) / 80));
        while (true)
        {
            var ticks = AxisTicks.Linear(xMin, xMax, xTarget);
            double tolerance = (ticks.Upper - ticks.Lower) * 1e-9;
            xTicks = tight ? [.. ticks.Values.Where(v => v >= xMin - tolerance && v <= xMax + tolerance)] : [.. ticks.Values];
            (xLower, xUpper) = tight ? (xMin, xMax) : (ticks.Lower, ticks.Upper);
            xLabels = [.. xTicks.Select(v => XTickFormat?.Invoke(v) ?? ticks.Label(v))];
            double needed = xLabels.Length * (xLabels.Append(string.Empty).Max(l => Markup.TextWidth(l, 11)) + 10);
            if (needed <= right - left || xTarget <= 2)
            {
                break;
            }

            xTarget--;
        }

        double lastLabelWidth = xTicks.Length > 0 && xTicks[^1] >= xUpper - (xUpper - xLower) * 0.02 ? Markup.TextWidth(xLabels[^1], 11) : 0;
        right = Math.Min(right, width - 4 - lastLabelWidth / 2);
        return new LineChartLayout(
            new AxisScale(xLower, xUpper, left, right), new AxisScale(yTicks, bottom, top), xTicks, [.. yTicks.Values], xLabels, yLabels,
            left, top, right, bottom, legend);
    }

    /// <summary>The drawable runs of a series in pixels: each NaN, infinite (or, on a log axis, non-positive) point ends a run.</summary>
    internal List<List<(double X, double Y)>> Segments(int seriesIndex, AxisScale x, AxisScale y) => Segments(series[seriesIndex], x, y);

    private List<List<(double X, double Y)>> Segments(Series line, AxisScale x, AxisScale y)
    {
        var segments = new List<List<(double X, double Y)>>();
        List<(double X, double Y)>? current = null;
        for (int i = 0; i < line.X.Length; i++)
        {
            if (!IsDrawable(line.X[i], line.Y[i]))
            {
                current = null;
                continue;
            }

            if (current is null)
            {
                current = [];
                segments.Add(current);
            }

            current.Add((x.Map(line.X[i]), y.Map(line.Y[i])));
        }

        return segments;
    }

    private bool IsDrawable(double x, double y) => double.IsFinite(x) && double.IsFinite(y) && (!LogarithmicY || y > 0);

    private List<(double X, int Row, Series Line)> LayoutLegend(int width)
    {
        var entries = new List<(double X, int Row, Series Line)>();
        double x = Pad;
        int row = 0;
        foreach (var line in series)
        {
            double entryWidth = 28 + Markup.TextWidth(line.Name, 12) + 16;
            if (x > Pad && x + entryWidth > width - Pad)
            {
                row++;
                x = Pad;
            }

            entries.Add((x, row, line));
            x += entryWidth;
        }

        return entries;
    }

    private static void DrawLegend(SvgBuilder svg, LineChartLayout layout)
    {
        foreach (var (x, row, line) in layout.Legend)
        {
            double y = Pad + 20 + row * LegendRowHeight + 12;
            svg.Line(x, y - 4, x + 22, y - 4, line.Color, 2, line.Dashed ? "6 4" : null);
            svg.Text(x + 28, y, line.Name);
        }
    }

    private void DrawAxes(SvgBuilder svg, LineChartLayout layout, int height)
    {
        for (int i = 0; i < layout.YTicks.Length; i++)
        {
            double py = layout.Y.Map(layout.YTicks[i]);
            svg.Line(layout.Left, py, layout.Right, py, "#e5e7eb");
            svg.Text(layout.Left - 6, py + 4, layout.YLabels[i], TextAnchor.End, 11, "#444444");
        }

        for (int i = 0; i < layout.XTicks.Length; i++)
        {
            double px = layout.X.Map(layout.XTicks[i]);
            svg.Line(px, layout.Top, px, layout.Bottom, "#e5e7eb");
            svg.Line(px, layout.Bottom, px, layout.Bottom + 4, "#666666");
            svg.Text(px, layout.Bottom + 17, layout.XLabels[i], TextAnchor.Middle, 11, "#444444");
        }

        svg.Line(layout.Left, layout.Top, layout.Left, layout.Bottom, "#666666");
        svg.Line(layout.Left, layout.Bottom, layout.Right, layout.Bottom, "#666666");
        svg.Text((layout.Left + layout.Right) / 2, height - 10, XLabel, TextAnchor.Middle);
        svg.Text(Pad + 4, (layout.Top + layout.Bottom) / 2, YLabel, TextAnchor.Middle, rotate: -90);
    }

    /// <summary>One line: its name, copied values, dash and colour.</summary>
    internal sealed record Series(string Name, double[] X, double[] Y, bool Dashed, string Color);

    /// <summary>Where a <see cref="LineChart"/> draws: scales, ticks with their labels, the plot rectangle and the legend entries.</summary>
    internal sealed record LineChartLayout(
        AxisScale X, AxisScale Y, double[] XTicks, double[] YTicks, string[] XLabels, string[] YLabels,
        double Left, double Top, double Right, double Bottom, List<(double X, int Row, Series Line)> Legend);
}
