using System.Globalization;
using Carnet.Cli.Reporting;

namespace Carnet.Tests.Reporting;

/// <summary>The line chart: well-formed SVG, points where the axes put them, breaks at missing values, escaping, determinism.</summary>
public sealed class LineChartTests
{
    private static readonly System.Xml.Linq.XNamespace Svg = SvgAssert.Svg;

    [Fact]
    public void PointsLandOnThePixelsOfTheAxisRange()
    {
        var chart = new LineChart("Sales", "month", "units");
        chart.AddSeries("actual", [0, 25, 50, 100], [0, 130, 250, 480]);
        var layout = chart.ComputeLayout(800, 320)!;

        Assert.Equal([0.0, 100, 200, 300, 400, 500], layout.YTicks);
        Assert.Equal(0, layout.X.Minimum);
        Assert.Equal(100, layout.X.Maximum);
        Assert.Equal(layout.Left, layout.X.Map(0));
        Assert.Equal(layout.Right, layout.X.Map(100));
        Assert.Equal(layout.Bottom, layout.Y.Map(0));
        Assert.Equal(layout.Top, layout.Y.Map(500));

        var root = SvgAssert.Parse(chart.RenderSvg(800, 320), "Sales");
        var points = SvgAssert.Points(SvgAssert.Group(root, "series").Element(Svg + "polyline")!);
        Assert.Equal(4, points.Length);
        double expectedX = layout.Left + 0.25 * (layout.Right - layout.Left);
        double expectedY = layout.Bottom - 130.0 / 500 * (layout.Bottom - layout.Top);
        Assert.Equal(expectedX, points[1].X, 0.005);
        Assert.Equal(expectedY, points[1].Y, 0.005);
        Assert.Equal((layout.Left + layout.Right) / 2, points[2].X, 0.005);
        Assert.Equal(layout.Bottom - 0.5 * (layout.Bottom - layout.Top), points[2].Y, 0.005);
    }

    [Fact]
    public void TickLabelsAreDrawnAtTheirGridlines()
    {
        var chart = new LineChart("t", "x", "y");
        chart.AddSeries("s", [0, 97], [0, 97]);
        var layout = chart.ComputeLayout(800, 320)!;
        var texts = SvgAssert.Texts(SvgAssert.Parse(chart.RenderSvg(800, 320), "t"));
        foreach (string label in layout.YLabels.Concat(layout.XLabels))
        {
            Assert.Contains(label, texts);
        }

        Assert.Equal(["0", "20", "40", "60", "80", "100"], layout.YLabels);
    }

    [Fact]
    public void MissingValuesBreakTheLineAndStayOutOfTheRange()
    {
        var chart = new LineChart("Gaps", "t", "y");
        chart.AddSeries("with gaps", [0, 1, 2, 3, 4, 5, 6], [1, 2, double.NaN, 4, 5, double.PositiveInfinity, 3]);
        chart.AddSeries("bad x", [double.NaN, 1], [1000, 2]);
        var layout = chart.ComputeLayout(800, 320)!;
        Assert.True(layout.Y.Maximum < 10, $"the y axis reaches {layout.Y.Maximum}");

        var root = SvgAssert.Parse(chart.RenderSvg(), "Gaps");
        var groups = SvgAssert.Groups(root, "series").ToArray();
        var lines = groups[0].Elements(Svg + "polyline").ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Equal(2, SvgAssert.Points(lines[0]).Length);
        Assert.Equal(2, SvgAssert.Points(lines[1]).Length);
        Assert.Single(groups[0].Elements(Svg + "circle"));
        Assert.Single(groups[1].Elements(Svg + "circle"));
        Assert.Equal(2, chart.Segments(0, layout.X, layout.Y)[1].Count);
    }

    [Fact]
    public void SinglePointAndConstantSeriesGetARange()
    {
        var single = new LineChart("One", "x", "y");
        single.AddSeries("p", [3.0], [5.0]);
        var layout = single.ComputeLayout(800, 320)!;
        Assert.True(layout.X.Minimum < 3 && layout.X.Maximum > 3);
        Assert.True(layout.Y.Minimum < 5 && layout.Y.Maximum > 5);
        var circle = SvgAssert.Parse(single.RenderSvg(), "One").Descendants(Svg + "circle").Single();
        Assert.Equal(layout.X.Map(3), SvgAssert.Number(circle, "cx"), 0.005);

        var constant = new LineChart("Flat", "x", "y");
        constant.AddSeries("c", [0, 1, 2], [7, 7, 7]);
        var flat = constant.ComputeLayout(800, 320)!;
        Assert.True(flat.Y.Minimum < 7 && flat.Y.Maximum > 7);
        double y = SvgAssert.Points(SvgAssert.Parse(constant.RenderSvg(), "Flat").Descendants(Svg + "polyline").Single())[0].Y;
        Assert.InRange(y, flat.Top + 1, flat.Bottom - 1);
    }

    [Fact]
    public void ChartWithoutDrawablePointsSaysNoData()
    {
        var empty = new LineChart("Nothing", "x", "y");
        Assert.Contains("no data", SvgAssert.Texts(SvgAssert.Parse(empty.RenderSvg(), "Nothing")));
        var allNaN = new LineChart("NaN only", "x", "y");
        allNaN.AddSeries("n", [double.NaN, double.NaN]);
        Assert.Null(allNaN.ComputeLayout(800, 320));
        Assert.Contains("no data", SvgAssert.Texts(SvgAssert.Parse(allNaN.RenderSvg(), "NaN only")));
    }

    [Fact]
    public void MarkerWidensTheAxisAndIsLabelled()
    {
        var chart = new LineChart("Forecast", "year", "value") { XTickFormat = v => "Y" + v.ToString("0", CultureInfo.InvariantCulture) };
        chart.AddSeries("actual", [2000, 2001, 2002], [1, 2, 3]).AddSeries("forecast", [2002, 2003], [3, 4], dashed: true);
        chart.AddVerticalMarker(2004, "test starts");
        var layout = chart.ComputeLayout(800, 320)!;
        Assert.Equal(2004, layout.X.Maximum);
        var root = SvgAssert.Parse(chart.RenderSvg(), "Forecast");
        var texts = SvgAssert.Texts(root);
        Assert.Contains("test starts", texts);
        Assert.Contains("Y2002", texts);
        var marker = root.Elements(Svg + "line").Single(l => (string?)l.Attribute("stroke-dasharray") == "4 3");
        Assert.Equal(layout.X.Map(2004), SvgAssert.Number(marker, "x1"), 0.005);
        var dashed = SvgAssert.Groups(root, "series").ElementAt(1).Element(Svg + "polyline")!;
        Assert.Equal("6 4", (string?)dashed.Attribute("stroke-dasharray"));
    }

    [Fact]
    public void SeriesGetDistinctColours()
    {
        var chart = new LineChart("Many", "x", "y");
        for (int i = 0; i < 8; i++)
        {
            chart.AddSeries($"s{i}", [0, 1], [i, i + 1]);
        }

        var strokes = SvgAssert.Groups(SvgAssert.Parse(chart.RenderSvg(), "Many"), "series")
            .Select(g => (string)g.Element(Svg + "polyline")!.Attribute("stroke")!).ToArray();
        Assert.Equal(8, strokes.Distinct().Count());
    }

    [Fact]
    public void LogarithmicAxisDropsNonPositiveValues()
    {
        var chart = new LineChart("Loss", "epoch", "loss") { LogarithmicY = true };
        chart.AddSeries("train", [2.0, 0.5, 0, 0.02, 0.01]);
        var layout = chart.ComputeLayout(800, 320)!;
        Assert.Equal(0.01, layout.Y.Minimum);
        Assert.Equal(10, layout.Y.Maximum);
        Assert.Equal(layout.Y.PixelStart + (layout.Y.PixelEnd - layout.Y.PixelStart) / 3, layout.Y.Map(0.1), 1e-9);
        var lines = SvgAssert.Parse(chart.RenderSvg(), "Loss").Descendants(Svg + "polyline").ToArray();
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public void TextIsEscaped()
    {
        const string title = "R&D <loss> \"best\"";
        var chart = new LineChart(title, "x <units>", "y & z");
        chart.AddSeries("a<b", [0, 1], [0, 1]).AddVerticalMarker(0.5, "\"split\" & <go>");
        string svg = chart.RenderSvg();
        Assert.Contains("R&amp;D &lt;loss&gt; &quot;best&quot;", svg);
        Assert.DoesNotContain("<loss>", svg);
        var texts = SvgAssert.Texts(SvgAssert.Parse(svg, title));
        Assert.Contains("x <units>", texts);
        Assert.Contains("y & z", texts);
        Assert.Contains("a<b", texts);
        Assert.Contains("\"split\" & <go>", texts);
    }

    [Fact]
    public void RenderingIsDeterministicAndCultureInvariant()
    {
        static LineChart Build()
        {
            var chart = new LineChart("Noise", "t", "value");
            var random = new Random(7);
            chart.AddSeries("a", [.. Enumerable.Range(0, 50).Select(i => i * 0.37)], [.. Enumerable.Range(0, 50).Select(_ => random.NextDouble() * 1.5)]);
            chart.AddVerticalMarker(9.25, "half");
            return chart;
        }

        string first = Build().RenderSvg();
        Assert.Equal(first, Build().RenderSvg());
        var chart = Build();
        Assert.Equal(chart.RenderSvg(), chart.RenderSvg());
        Assert.Contains(".", first);
        Assert.Equal(first, SvgAssert.WithCommaDecimalCulture(() => Build().RenderSvg()));
    }

    [Fact]
    public void MismatchedSeriesIsRejected()
    {
        var chart = new LineChart("t", "x", "y");
        Assert.Throws<ArgumentException>(() => chart.AddSeries("s", [1, 2, 3], [1, 2]));
        Assert.Throws<ArgumentException>(() => chart.AddVerticalMarker(double.NaN, "m"));
    }
}
