namespace Carnet.Cli.Reporting;

/// <summary>
/// Horizontal bars as inline SVG, one per label in the order added (per-class or per-tag scores). Bars start at zero
/// (or at the range's edge when zero is outside it); each prints its value at its end. The value axis has round ticks
/// and may be fixed (for example 0 to 1). NaN values show "n/a" and no bar.
/// </summary>
public sealed class BarChart
{
    private const double Pad = 16;
    private const double TickFont = 11;
    private const int MaximumLabelLength = 32;
    private readonly List<(string Label, double Value)> bars = [];

    /// <summary>Creates an empty chart.</summary>
    /// <param name="title">The heading above the bars and the SVG's accessible title.</param>
    /// <param name="valueLabel">The caption under the value axis.</param>
    public BarChart(string title, string valueLabel)
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        ValueLabel = valueLabel ?? throw new ArgumentNullException(nameof(valueLabel));
    }

    /// <summary>The heading and accessible title.</summary>
    public string Title { get; }

    /// <summary>The value-axis caption.</summary>
    public string ValueLabel { get; }

    /// <summary>The low end of the value axis, or null to fit the data (and zero).</summary>
    public double? Minimum { get; set; }

    /// <summary>The high end of the value axis, or null to fit the data (and zero).</summary>
    public double? Maximum { get; set; }

    /// <summary>Formats the value printed at each bar's end; null for three significant digits.</summary>
    public Func<double, string>? ValueFormat { get; set; }

    /// <summary>The number of bars added.</summary>
    public int Count => bars.Count;

    /// <summary>Adds a bar below the previous ones.</summary>
    /// <param name="label">The text beside the bar.</param>
    /// <param name="value">The bar's length; NaN shows "n/a".</param>
    /// <returns>This chart.</returns>
    public BarChart Add(string label, double value)
    {
        ArgumentNullException.ThrowIfNull(label);
        bars.Add((label, value));
        return this;
    }

    /// <summary>Draws the chart; its height follows from the number of bars.</summary>
    /// <param name="width">The width in pixels.</param>
    /// <param name="barHeight">The vertical space each bar takes, in pixels (the bar itself fills 70% of it).</param>
    /// <returns>A standalone SVG document.</returns>
    /// <exception cref="ArgumentException"><see cref="Minimum"/> is not below <see cref="Maximum"/>.</exception>
    public string RenderSvg(int width = 800, int barHeight = 22)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 200);
        ArgumentOutOfRangeException.ThrowIfLessThan(barHeight, 8);
        if (bars.Count == 0)
        {
            return SvgBuilder.NoData(width, 160, Title);
        }

        string[] labels = [.. bars.Select(b => Markup.Truncate(b.Label, MaximumLabelLength))];
        string[] valueText = [.. bars.Select(b => double.IsNaN(b.Value) ? "n/a" : ValueFormat?.Invoke(b.Value) ?? Markup.Significant(b.Value, 3))];
        double left = Pad + labels.Max(l => Markup.TextWidth(l, 12)) + 10;
        double right = width - Math.Max(30, valueText.Max(t => Markup.TextWidth(t, TickFont)) + 12);
        var (scale, ticks, tickLabels) = ComputeAxis(left, right);

        double top = Pad + 28;
        double plotBottom = top + bars.Count * barHeight;
        double height = plotBottom + 8 + 18 + 22 + 8;
        var svg = new SvgBuilder(width, height, Title);
        svg.Text(Pad, Pad + 12, Title, size: 15, bold: true, fill: "#1f2328");
        for (int i = 0; i < ticks.Count; i++)
        {
            double px = scale.Map(ticks[i]);
            svg.Line(px, top, px, plotBottom, "#e5e7eb");
            svg.Text(px, plotBottom + 20, tickLabels[i], TextAnchor.Middle, TickFont, "#444444");
        }

        double baseline = scale.Map(Math.Clamp(0, scale.Minimum, scale.Maximum));
        svg.BeginGroup("bars");
        for (int i = 0; i < bars.Count; i++)
        {
            double y = top + i * barHeight;
            svg.Text(left - 8, y + barHeight / 2 + 4, labels[i], TextAnchor.End);
            double value = bars[i].Value;
            double end = baseline;
            if (!double.IsNaN(value))
            {
                end = scale.Map(Math.Clamp(value, scale.Minimum, scale.Maximum));
                string color = value < 0 ? Markup.Palette[1] : Markup.Palette[0];
                svg.Rect(Math.Min(baseline, end), y + barHeight * 0.15, Math.Abs(end - baseline), barHeight * 0.7, color,
                    $"{bars[i].Label}: {valueText[i]}");
            }

            svg.Text(Math.Max(baseline, end) + 4, y + barHeight / 2 + 4, valueText[i], size: TickFont, fill: "#333333");
        }

        svg.EndGroup();
        svg.Line(baseline, top, baseline, plotBottom, "#666666");
        svg.Line(left, plotBottom, right, plotBottom, "#666666");
        svg.Text((left + right) / 2, height - 12, ValueLabel, TextAnchor.Middle);
        return svg.Finish();
    }

    /// <summary>The value axis between the pixels <paramref name="left"/> and <paramref name="right"/>, with its ticks and their labels.</summary>
    internal (AxisScale Scale, IReadOnlyList<double> Ticks, string[] Labels) ComputeAxis(double left, double right)
    {
        if (Minimum is double fixedLow && Maximum is double fixedHigh && !(fixedLow < fixedHigh))
        {
            throw new ArgumentException("the bar chart's minimum must be below its maximum");
        }

        double low = 0, high = 0;
        foreach (var (_, value) in bars)
        {
            if (double.IsFinite(value))
            {
                low = Math.Min(low, value);
                high = Math.Max(high, value);
            }
        }

        low = Minimum ?? Math.Min(low, Maximum ?? low);
        high = Maximum ?? Math.Max(high, low);
        if (low == high)
        {
            high = low + 1;
        }

        var nice = AxisTicks.Linear(low, high, Math.Max(2, (int)((right - left) / 80)));
        double lower = Minimum ?? nice.Lower, upper = Maximum ?? nice.Upper;
        double tolerance = (upper - lower) * 1e-9;
        double[] ticks = [.. nice.Values.Where(t => t >= lower - tolerance && t <= upper + tolerance)];
        return (new AxisScale(lower, upper, left, right), ticks, [.. ticks.Select(nice.Label)]);
    }
}
