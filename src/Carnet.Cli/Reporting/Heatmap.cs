using System.Globalization;
using System.Text;

namespace Carnet.Cli.Reporting;

/// <summary>
/// A matrix drawn as coloured cells in inline SVG: a confusion matrix (rows = true class, columns = predicted), or gate
/// activations over time. Sequential colours run from white to dark blue; diverging ones from blue through white to red
/// around zero. Cells size themselves to fit the maximum size; when cells are small, values are not printed and only
/// every k-th label (k = 1, 2, 5, 10, …) is drawn so labels never overlap. Up to 1024 cells each carry a tooltip naming
/// its row, column and value. NaN cells are grey and left out of the colour range.
/// </summary>
public sealed class Heatmap
{
    private const double Pad = 16;
    private const double LabelFont = 11;
    private const int MaximumLabelLength = 24;
    private const int TooltipCellLimit = 1024;
    private const int QuantizedLevels = 64;
    private const string MissingColor = "#d9d9d9";

    private static readonly (byte R, byte G, byte B)[] SequentialStops =
    [
        (0xf7, 0xfb, 0xff), (0xde, 0xeb, 0xf7), (0xc6, 0xdb, 0xef), (0x9e, 0xca, 0xe1), (0x6b, 0xae, 0xd6),
        (0x42, 0x92, 0xc6), (0x21, 0x71, 0xb5), (0x08, 0x51, 0x9c), (0x08, 0x30, 0x6b),
    ];

    private static readonly (byte R, byte G, byte B)[] DivergingStops =
    [
        (0x05, 0x30, 0x61), (0x21, 0x66, 0xac), (0x43, 0x93, 0xc3), (0x92, 0xc5, 0xde), (0xd1, 0xe5, 0xf0), (0xf7, 0xf7, 0xf7),
        (0xfd, 0xdb, 0xc7), (0xf4, 0xa5, 0x82), (0xd6, 0x60, 0x4d), (0xb2, 0x18, 0x2b), (0x67, 0x00, 0x1f),
    ];

    private readonly double[,] values;

    /// <summary>Creates the heatmap; the values are copied.</summary>
    /// <param name="title">The heading above the cells and the SVG's accessible title.</param>
    /// <param name="rowLabels">One label per row of <paramref name="values"/>.</param>
    /// <param name="columnLabels">One label per column of <paramref name="values"/>.</param>
    /// <param name="values">The matrix, indexed [row, column].</param>
    /// <exception cref="ArgumentException">The label counts do not match the matrix.</exception>
    public Heatmap(string title, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, double[,] values)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
        ArgumentNullException.ThrowIfNull(values);
        if (rowLabels.Count != values.GetLength(0) || columnLabels.Count != values.GetLength(1))
        {
            throw new ArgumentException(
                $"{rowLabels.Count} row and {columnLabels.Count} column labels for a {values.GetLength(0)}×{values.GetLength(1)} matrix");
        }

        Title = title;
        RowLabels = [.. rowLabels];
        ColumnLabels = [.. columnLabels];
        this.values = (double[,])values.Clone();
    }

    /// <summary>The heading and accessible title.</summary>
    public string Title { get; }

    /// <summary>The row labels, top to bottom.</summary>
    public IReadOnlyList<string> RowLabels { get; }

    /// <summary>The column labels, left to right.</summary>
    public IReadOnlyList<string> ColumnLabels { get; }

    /// <summary>A caption for the rows, drawn vertically at the left (for example "true class"); null for none.</summary>
    public string? RowAxisLabel { get; set; }

    /// <summary>A caption for the columns, drawn under the column labels (for example "predicted class"); null for none.</summary>
    public string? ColumnAxisLabel { get; set; }

    /// <summary>
    /// Whether each cell prints its value (as an integer when every value is whole, else to three significant digits);
    /// skipped automatically when the cells are too small. True by default.
    /// </summary>
    public bool ShowValues { get; set; } = true;

    /// <summary>
    /// Whether colours diverge around zero (blue for negative, white for zero, red for positive; the range is symmetric
    /// unless fixed) rather than run from white (low) to dark blue (high).
    /// </summary>
    public bool Diverging { get; set; }

    /// <summary>
    /// Whether cells are drawn square when both sides would be at least 14 pixels (true by default, as a confusion matrix
    /// wants); false lets them stretch to the maximum width, so that a signal over time spans the page under its input.
    /// </summary>
    public bool SquareCells { get; set; } = true;

    /// <summary>The value drawn with the lowest colour, or null for the data's minimum (−max |value| when diverging).</summary>
    public double? Minimum { get; set; }

    /// <summary>The value drawn with the highest colour, or null for the data's maximum (max |value| when diverging).</summary>
    public double? Maximum { get; set; }

    /// <summary>Draws the heatmap within the given maximum size (cells are at most 80 pixels a side).</summary>
    /// <param name="maxWidth">The widest the SVG may be, in pixels.</param>
    /// <param name="maxHeight">The tallest the SVG may be, in pixels.</param>
    /// <returns>A standalone SVG document.</returns>
    public string RenderSvg(int maxWidth = 800, int maxHeight = 600)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWidth, 240);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeight, 160);
        int rows = values.GetLength(0), columns = values.GetLength(1);
        if (rows == 0 || columns == 0)
        {
            return SvgBuilder.NoData(maxWidth, Math.Min(maxHeight, 200), Title);
        }

        var layout = ComputeLayout(maxWidth, maxHeight);
        var (lower, upper) = ColorRange();
        var svg = new SvgBuilder(layout.Width, layout.Height, Title);
        svg.Text(Pad, Pad + 12, Title, size: 15, bold: true, fill: "#1f2328");
        DrawCells(svg, layout, lower, upper);
        double valueFont = layout.CellHeight >= 40 && layout.CellWidth >= 40 ? 12 : LabelFont;
        double widestValue = values.Cast<double>().Max(v => Markup.TextWidth(layout.Format(v), valueFont));
        if (ShowValues && layout.CellHeight >= 13 && layout.CellWidth >= widestValue + 4)
        {
            svg.BeginGroup("values");
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    if (double.IsFinite(values[r, c]))
                    {
                        string ink = Luminance(ColorOf(values[r, c], lower, upper)) < 0.2 ? "#ffffff" : "#1f2328";
                        svg.Text(layout.Left + (c + 0.5) * layout.CellWidth, layout.Top + (r + 0.5) * layout.CellHeight + valueFont * 0.35,
                            layout.Format(values[r, c]), TextAnchor.Middle, valueFont, ink);
                    }
                }
            }

            svg.EndGroup();
        }

        DrawLabels(svg, layout);
        DrawScale(svg, layout, lower, upper);
        return svg.Finish();
    }

    /// <summary>The cell size, margins, label strides and overall size for a maximum size.</summary>
    internal HeatmapLayout ComputeLayout(int maxWidth, int maxHeight)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var (lower, upper) = ColorRange();
        bool integers = Markup.AllIntegers(values.Cast<double>());
        Func<double, string> format = integers ? Markup.Integer : v => Markup.Significant(v, 3);
        string[] scaleLabels = Diverging && lower < 0 && upper > 0 ? [format(upper), "0", format(lower)] : [format(upper), format(lower)];
        string[] rowText = [.. RowLabels.Select(l => Markup.Truncate(l, MaximumLabelLength))];
        string[] columnText = [.. ColumnLabels.Select(l => Markup.Truncate(l, MaximumLabelLength))];
        double rowLabelWidth = rowText.Max(l => Markup.TextWidth(l, LabelFont));
        double columnLabelWidth = columnText.Max(l => Markup.TextWidth(l, LabelFont));
        double scaleWidth = 16 + 14 + 6 + scaleLabels.Max(l => Markup.TextWidth(l, LabelFont)) + Pad;

        double left = Math.Ceiling(Pad + (RowAxisLabel is null ? 0 : 18) + rowLabelWidth + 8);
        double cellWidth = Math.Clamp((maxWidth - left - scaleWidth) / columns, 0.01, 80);
        bool rotate = columnLabelWidth + 6 > cellWidth && cellWidth >= 15;
        double columnLabelHeight = rotate ? Math.Min(columnLabelWidth * 0.71, 120) + 10 : 18;
        if (rotate && left < columnLabelHeight - cellWidth / 2)
        {
            left = Math.Ceiling(columnLabelHeight - cellWidth / 2);
            cellWidth = Math.Clamp((maxWidth - left - scaleWidth) / columns, 0.01, 80);
        }

        double top = Pad + 28;
        double bottom = 6 + columnLabelHeight + (ColumnAxisLabel is null ? 0 : 20) + 8;
        double cellHeight = Math.Clamp((maxHeight - top - bottom) / rows, 0.01, 80);
        if (SquareCells && Math.Min(cellWidth, cellHeight) >= 14)
        {
            cellWidth = cellHeight = Math.Min(cellWidth, cellHeight);
        }

        bool whole = cellWidth >= 3 && cellHeight >= 3;
        if (whole)
        {
            cellWidth = Math.Floor(cellWidth);
            cellHeight = Math.Floor(cellHeight);
        }

        double gridBottom = top + rows * cellHeight;
        double scaleHeight = Math.Max(rows * cellHeight, 60);
        return new HeatmapLayout(
            left, top, cellWidth, cellHeight, whole, rotate, columnLabelHeight, scaleHeight,
            AxisTicks.NiceStride(14 / cellHeight), AxisTicks.NiceStride((rotate ? 15 : columnLabelWidth + 6) / cellWidth),
            left + columns * cellWidth + scaleWidth, Math.Max(gridBottom + bottom, top + scaleHeight + Pad),
            rowText, columnText, scaleLabels, format);
    }

    /// <summary>The values mapped to the lowest and highest colours.</summary>
    internal (double Lower, double Upper) ColorRange()
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double value in values)
        {
            if (double.IsFinite(value))
            {
                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }
        }

        if (min > max)
        {
            min = max = 0;
        }

        double limit = Math.Max(Math.Abs(min), Math.Abs(max));
        double lower = Minimum ?? (Diverging ? -limit : min);
        double upper = Maximum ?? (Diverging ? limit : max);
        return (Math.Min(lower, upper), Math.Max(lower, upper));
    }

    /// <summary>The fill of a cell holding <paramref name="value"/> on the colour range [<paramref name="lower"/>, <paramref name="upper"/>].</summary>
    /// <param name="value">The cell's value.</param>
    /// <param name="lower">The value of the lowest colour.</param>
    /// <param name="upper">The value of the highest colour.</param>
    /// <param name="levels">When above 1, the colour is rounded to one of this many evenly spaced steps.</param>
    internal string ColorOf(double value, double lower, double upper, int levels = 0)
    {
        if (!double.IsFinite(value))
        {
            return MissingColor;
        }

        double t = upper > lower ? Math.Clamp((value - lower) / (upper - lower), 0, 1) : Diverging ? 0.5 : 0;
        t = levels > 1 ? Math.Round(t * (levels - 1)) / (levels - 1) : t;
        var stops = Diverging ? DivergingStops : SequentialStops;
        double position = t * (stops.Length - 1);
        int index = Math.Min((int)position, stops.Length - 2);
        double f = position - index;
        var (a, b) = (stops[index], stops[index + 1]);
        int Mix(byte from, byte to) => (int)Math.Round(from + (to - from) * f);
        return string.Create(CultureInfo.InvariantCulture, $"#{Mix(a.R, b.R):x2}{Mix(a.G, b.G):x2}{Mix(a.B, b.B):x2}");
    }

    /// <summary>The relative luminance (0 black … 1 white) of a <c>#rrggbb</c> colour, for choosing text ink.</summary>
    internal static double Luminance(string color)
    {
        double Channel(int offset)
        {
            double c = int.Parse(color.AsSpan(offset, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return 0.2126 * Channel(1) + 0.7152 * Channel(3) + 0.0722 * Channel(5);
    }

    private void DrawCells(SvgBuilder svg, HeatmapLayout layout, double lower, double upper)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        svg.BeginGroup("cells", crispEdges: layout.WholePixels);
        if (rows * columns <= TooltipCellLimit)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    string tooltip = $"{RowAxisLabel ?? "row"} {RowLabels[r]}, {ColumnAxisLabel ?? "column"} {ColumnLabels[c]}: {layout.Format(values[r, c])}";
                    svg.Rect(layout.Left + c * layout.CellWidth, layout.Top + r * layout.CellHeight, layout.CellWidth, layout.CellHeight,
                        ColorOf(values[r, c], lower, upper), tooltip);
                }
            }
        }
        else
        {
            var paths = new SortedDictionary<string, StringBuilder>(StringComparer.Ordinal);
            string w = Markup.Coordinate(layout.CellWidth), h = Markup.Coordinate(layout.CellHeight);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    string color = ColorOf(values[r, c], lower, upper, QuantizedLevels);
                    if (!paths.TryGetValue(color, out var data))
                    {
                        paths[color] = data = new StringBuilder();
                    }

                    data.Append('M').Append(Markup.Coordinate(layout.Left + c * layout.CellWidth)).Append(' ')
                        .Append(Markup.Coordinate(layout.Top + r * layout.CellHeight))
                        .Append('h').Append(w).Append('v').Append(h).Append("h-").Append(w).Append('z');
                }
            }

            foreach (var (color, data) in paths)
            {
                svg.Path(data.ToString(), color);
            }
        }

        svg.EndGroup();
    }

    private void DrawLabels(SvgBuilder svg, HeatmapLayout layout)
    {
        double gridRight = layout.Left + ColumnLabels.Count * layout.CellWidth;
        double gridBottom = layout.Top + RowLabels.Count * layout.CellHeight;
        for (int r = 0; r < RowLabels.Count; r += layout.RowStride)
        {
            svg.Text(layout.Left - 6, layout.Top + (r + 0.5) * layout.CellHeight + 4, layout.RowText[r], TextAnchor.End, LabelFont, "#444444");
        }

        for (int c = 0; c < ColumnLabels.Count; c += layout.ColumnStride)
        {
            double x = layout.Left + (c + 0.5) * layout.CellWidth;
            if (layout.RotateColumnLabels)
            {
                svg.Text(x + 3, gridBottom + 10, layout.ColumnText[c], TextAnchor.End, LabelFont, "#444444", rotate: -45);
            }
            else
            {
                svg.Text(x, gridBottom + 15, layout.ColumnText[c], TextAnchor.Middle, LabelFont, "#444444");
            }
        }

        if (ColumnAxisLabel is not null)
        {
            svg.Text((layout.Left + gridRight) / 2, gridBottom + 6 + layout.ColumnLabelHeight + 14, ColumnAxisLabel, TextAnchor.Middle);
        }

        if (RowAxisLabel is not null)
        {
            svg.Text(Pad + 4, (layout.Top + gridBottom) / 2, RowAxisLabel, TextAnchor.Middle, rotate: -90);
        }
    }

    private void DrawScale(SvgBuilder svg, HeatmapLayout layout, double lower, double upper)
    {
        const int strips = 64;
        double x = layout.Left + ColumnLabels.Count * layout.CellWidth + 16, top = layout.Top, height = layout.ScaleHeight;
        svg.BeginGroup("scale", crispEdges: true);
        for (int i = 0; i < strips; i++)
        {
            double value = upper - (upper - lower) * (i + 0.5) / strips;
            svg.Rect(x, top + i * height / strips, 14, height / strips, ColorOf(value, lower, upper));
        }

        svg.EndGroup();
        svg.Rect(x, top, 14, height, "none", stroke: "#999999");
        string[] labels = layout.ScaleLabels;
        svg.Text(x + 20, top + 9, labels[0], size: LabelFont, fill: "#444444");
        if (labels.Length == 3)
        {
            svg.Text(x + 20, top + height * upper / (upper - lower) + 4, labels[1], size: LabelFont, fill: "#444444");
        }

        svg.Text(x + 20, top + height, labels[^1], size: LabelFont, fill: "#444444");
    }

    /// <summary>Where a <see cref="Heatmap"/> draws: margins, cell size, label strides, total size and the texts it prints.</summary>
    internal sealed record HeatmapLayout(
        double Left, double Top, double CellWidth, double CellHeight, bool WholePixels, bool RotateColumnLabels,
        double ColumnLabelHeight, double ScaleHeight, int RowStride, int ColumnStride, double Width, double Height,
        string[] RowText, string[] ColumnText, string[] ScaleLabels, Func<double, string> Format);
}
