using System.Xml.Linq;
using Carnet.Cli.Reporting;

namespace Carnet.Tests.Reporting;

/// <summary>The heatmap: colours that follow the values, cell numbers, fitting large matrices, escaping, determinism.</summary>
public sealed class HeatmapTests
{
    private static readonly XNamespace Svg = SvgAssert.Svg;

    private static Heatmap Confusion() =>
        new("Confusion", ["cat", "dog", "bird"], ["cat", "dog", "bird"], new double[,] { { 50, 2, 0 }, { 5, 40, 1 }, { 3, 7, 31 } })
        {
            RowAxisLabel = "true class",
            ColumnAxisLabel = "predicted class",
        };

    private static string[] CellFills(XElement root) =>
        [.. SvgAssert.Group(root, "cells").Elements(Svg + "rect").Select(r => (string)r.Attribute("fill")!)];

    [Fact]
    public void LargestValueIsDarkestAndItsTextWhite()
    {
        var root = SvgAssert.Parse(Confusion().RenderSvg(), "Confusion");
        string[] fills = CellFills(root);
        Assert.Equal(9, fills.Length);
        double darkest = Heatmap.Luminance(fills[0]);
        double lightest = Heatmap.Luminance(fills[2]);
        Assert.True(darkest < lightest, $"max cell {fills[0]} is not darker than min cell {fills[2]}");
        Assert.All(fills, f => Assert.InRange(Heatmap.Luminance(f), darkest, lightest));
        Assert.True(Heatmap.Luminance(fills[3]) > Heatmap.Luminance(fills[4]), "5 should be lighter than 40");

        var values = SvgAssert.Group(root, "values").Elements(Svg + "text").ToArray();
        Assert.Equal("#ffffff", (string?)values[0].Attribute("fill"));
        Assert.NotEqual("#ffffff", (string?)values[2].Attribute("fill"));
    }

    [Fact]
    public void IntegerMatricesPrintIntegers()
    {
        var root = SvgAssert.Parse(Confusion().RenderSvg(), "Confusion");
        Assert.Equal(["50", "2", "0", "5", "40", "1", "3", "7", "31"],
            SvgAssert.Group(root, "values").Elements(Svg + "text").Select(t => t.Value));

        var fractions = new Heatmap("F", ["a"], ["x", "y", "z"], new double[,] { { 0.5, 0.123456, 12.3456 } });
        Assert.Equal(["0.5", "0.123", "12.3"],
            SvgAssert.Group(SvgAssert.Parse(fractions.RenderSvg(), "F"), "values").Elements(Svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void CellsAreTooltippedWithTheirLabelsAndValue()
    {
        var root = SvgAssert.Parse(Confusion().RenderSvg(), "Confusion");
        var rect = SvgAssert.Group(root, "cells").Elements(Svg + "rect").ElementAt(5);
        Assert.Equal("true class dog, predicted class bird: 1", rect.Element(Svg + "title")!.Value);
    }

    [Fact]
    public void DivergingRunsBlueThroughWhiteToRed()
    {
        var map = new Heatmap("Gates", ["u0"], ["t0", "t1", "t2"], new double[,] { { -1, 0, 1 } }) { Diverging = true };
        Assert.Equal((-1.0, 1.0), map.ColorRange());
        string[] fills = CellFills(SvgAssert.Parse(map.RenderSvg(), "Gates"));
        static (int R, int G, int B) Rgb(string c) =>
            (Convert.ToInt32(c[1..3], 16), Convert.ToInt32(c[3..5], 16), Convert.ToInt32(c[5..7], 16));
        Assert.True(Rgb(fills[0]).B > Rgb(fills[0]).R, $"-1 is {fills[0]}");
        Assert.True(Rgb(fills[2]).R > Rgb(fills[2]).B, $"+1 is {fills[2]}");
        Assert.True(Heatmap.Luminance(fills[1]) > 0.9, $"0 is {fills[1]}");

        var skewed = new Heatmap("S", ["r"], ["a", "b"], new double[,] { { -0.2, 0.8 } }) { Diverging = true };
        Assert.Equal((-0.8, 0.8), skewed.ColorRange());
        var fixedRange = new Heatmap("S", ["r"], ["a", "b"], new double[,] { { 0.2, 0.4 } }) { Minimum = 0, Maximum = 1 };
        Assert.Equal((0.0, 1.0), fixedRange.ColorRange());
    }

    [Fact]
    public void MissingCellsAreGreyAndOutOfTheRange()
    {
        var map = new Heatmap("N", ["a", "b"], ["x"], new double[,] { { double.NaN }, { 4 } });
        Assert.Equal((4.0, 4.0), map.ColorRange());
        var root = SvgAssert.Parse(map.RenderSvg(), "N");
        Assert.Equal("#d9d9d9", CellFills(root)[0]);
        Assert.Equal(["4"], SvgAssert.Group(root, "values").Elements(Svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void LargeMatrixFitsAndThinsItsLabels()
    {
        const int units = 64, steps = 200;
        var values = new double[units, steps];
        for (int u = 0; u < units; u++)
        {
            for (int t = 0; t < steps; t++)
            {
                values[u, t] = Math.Tanh(Math.Sin(u * 0.3 + t * 0.05) * 2);
            }
        }

        string[] rows = [.. Enumerable.Range(0, units).Select(u => $"unit {u}")];
        string[] columns = [.. Enumerable.Range(0, steps).Select(t => $"t={t}")];
        var map = new Heatmap("Cell state", rows, columns, values) { Diverging = true, Minimum = -1, Maximum = 1 };
        string svg = map.RenderSvg(800, 600);
        var root = SvgAssert.Parse(svg, "Cell state");
        Assert.InRange(SvgAssert.Number(root, "width"), 400, 800);
        Assert.InRange(SvgAssert.Number(root, "height"), 300, 600);
        Assert.Empty(SvgAssert.Groups(root, "values"));
        Assert.NotEmpty(SvgAssert.Group(root, "cells").Elements(Svg + "path"));
        Assert.True(svg.Length < 400_000, $"{svg.Length} characters");

        var layout = map.ComputeLayout(800, 600);
        var rowLabels = root.Elements(Svg + "text").Where(t => t.Value.StartsWith("unit ", StringComparison.Ordinal)).ToArray();
        var columnLabels = root.Elements(Svg + "text").Where(t => t.Value.StartsWith("t=", StringComparison.Ordinal)).ToArray();
        Assert.InRange(rowLabels.Length, 2, units - 1);
        Assert.InRange(columnLabels.Length, 2, steps - 1);
        Assert.Equal("unit 0", rowLabels[0].Value);
        Assert.Equal($"unit {layout.RowStride}", rowLabels[1].Value);
        for (int i = 1; i < rowLabels.Length; i++)
        {
            Assert.True(SvgAssert.Number(rowLabels[i], "y") - SvgAssert.Number(rowLabels[i - 1], "y") >= 12, "row labels overlap");
        }

        for (int i = 1; i < columnLabels.Length; i++)
        {
            double gap = SvgAssert.Number(columnLabels[i], "x") - SvgAssert.Number(columnLabels[i - 1], "x");
            double needed = layout.RotateColumnLabels ? 14 : Markup.TextWidth(columnLabels[i].Value, 11);
            Assert.True(gap >= needed, $"column labels {gap} px apart, need {needed}");
        }
    }

    [Fact]
    public void EscapesLabelsAndRejectsMismatchedLabels()
    {
        var map = new Heatmap("<Q&A>", ["\"r\""], ["a<b"], new double[,] { { 1 } }) { RowAxisLabel = "x & y" };
        string svg = map.RenderSvg();
        Assert.Contains("&lt;Q&amp;A&gt;", svg);
        var texts = SvgAssert.Texts(SvgAssert.Parse(svg, "<Q&A>"));
        Assert.Contains("\"r\"", texts);
        Assert.Contains("a<b", texts);
        Assert.Contains("x & y", texts);
        Assert.Throws<ArgumentException>(() => new Heatmap("t", ["a", "b"], ["c"], new double[1, 1]));
    }

    [Fact]
    public void VeryWideMatrixStaysWithinTheMaximumSize()
    {
        var map = new Heatmap("Wide", ["r"], [.. Enumerable.Range(0, 5000).Select(i => $"c{i}")], new double[1, 5000]);
        var root = SvgAssert.Parse(map.RenderSvg(800, 300), "Wide");
        Assert.True(SvgAssert.Number(root, "width") <= 800);
        Assert.True(SvgAssert.Number(root, "height") <= 300);
    }

    [Fact]
    public void CellsStretchToTheWidthUnlessSquare()
    {
        // 6 × 8 cells in 800 × 300: the rows allow 37 pixels, the width 80 (the most), so square cells leave most of the width empty
        string[] rows = [.. Enumerable.Range(0, 6).Select(i => $"{i}")], columns = [.. Enumerable.Range(0, 8).Select(i => $"{i}")];
        var values = new double[6, 8];
        var square = new Heatmap("S", rows, columns, values).ComputeLayout(800, 300);
        var stretched = new Heatmap("S", rows, columns, values) { SquareCells = false }.ComputeLayout(800, 300);
        Assert.Equal((37.0, 37.0), (square.CellWidth, square.CellHeight));
        Assert.Equal((80.0, 37.0), (stretched.CellWidth, stretched.CellHeight));
        Assert.Equal(8 * (80.0 - 37.0), stretched.Width - square.Width);
    }

    [Fact]
    public void EmptyMatrixSaysNoData() =>
        Assert.Contains("no data", SvgAssert.Texts(SvgAssert.Parse(new Heatmap("E", [], [], new double[0, 0]).RenderSvg(), "E")));

    [Fact]
    public void RenderingIsDeterministicAndCultureInvariant()
    {
        static Heatmap Build() =>
            new("Fractions", ["a", "b"], ["x", "y"], new double[,] { { 0.25, -0.5 }, { 0.125, 0.75 } }) { Diverging = true };

        string first = Build().RenderSvg();
        Assert.Equal(first, Build().RenderSvg());
        Assert.Equal(first, SvgAssert.WithCommaDecimalCulture(() => Build().RenderSvg()));
        Assert.Contains(">-0.5<", first);
    }
}
