using System.Xml.Linq;
using Carnet.Cli.Reporting;

namespace Carnet.Tests.Reporting;

/// <summary>The horizontal bar chart: lengths proportional to values, fixed ranges, negatives and missing values.</summary>
public sealed class BarChartTests
{
    private static readonly XNamespace Svg = SvgAssert.Svg;

    [Fact]
    public void BarLengthsAreProportionalOnAFixedRange()
    {
        var chart = new BarChart("F1 per class", "F1") { Minimum = 0, Maximum = 1 };
        chart.Add("cat", 1.0).Add("dog", 0.5).Add("bird", 0.25);
        var root = SvgAssert.Parse(chart.RenderSvg(), "F1 per class");
        var bars = SvgAssert.Group(root, "bars").Elements(Svg + "rect").ToArray();
        Assert.Equal(3, bars.Length);
        double full = SvgAssert.Number(bars[0], "width");
        Assert.Equal(full / 2, SvgAssert.Number(bars[1], "width"), 0.01);
        Assert.Equal(full / 4, SvgAssert.Number(bars[2], "width"), 0.01);
        Assert.Equal(SvgAssert.Number(bars[0], "x"), SvgAssert.Number(bars[2], "x"));
        Assert.True(SvgAssert.Number(bars[1], "y") > SvgAssert.Number(bars[0], "y"));

        var texts = SvgAssert.Texts(root);
        foreach (string expected in new[] { "cat", "dog", "bird", "0.5", "0.25", "0.0", "0.2", "1.0", "F1" })
        {
            Assert.Contains(expected, texts);
        }

        var (_, ticks, _) = chart.ComputeAxis(100, 700);
        Assert.Equal(0, ticks[0]);
        Assert.Equal(1, ticks[^1]);
    }

    [Fact]
    public void NegativeBarsGoLeftOfZero()
    {
        var chart = new BarChart("Attribution", "score");
        chart.Add("a", 0.5).Add("b", -0.3);
        var (scale, _, _) = chart.ComputeAxis(100, 700);
        Assert.True(scale.Minimum <= -0.3 && scale.Maximum >= 0.5);
        var bars = SvgAssert.Group(SvgAssert.Parse(chart.RenderSvg(), "Attribution"), "bars").Elements(Svg + "rect").ToArray();
        double zero = SvgAssert.Number(bars[0], "x");
        Assert.Equal(zero, SvgAssert.Number(bars[1], "x") + SvgAssert.Number(bars[1], "width"), 0.01);
        Assert.NotEqual((string?)bars[0].Attribute("fill"), (string?)bars[1].Attribute("fill"));
    }

    [Fact]
    public void MissingValuesShowNotAvailableAndEmptyChartsNoData()
    {
        var chart = new BarChart("Scores", "score");
        chart.Add("known", 2).Add("unknown", double.NaN);
        var root = SvgAssert.Parse(chart.RenderSvg(), "Scores");
        Assert.Single(SvgAssert.Group(root, "bars").Elements(Svg + "rect"));
        Assert.Contains("n/a", SvgAssert.Texts(root));
        Assert.Contains("no data", SvgAssert.Texts(SvgAssert.Parse(new BarChart("None", "v").RenderSvg(), "None")));
    }

    [Fact]
    public void HeightGrowsWithTheBarsAndTextIsEscaped()
    {
        var chart = new BarChart("<b>&", "v \"x\"");
        chart.Add("a&b", 1);
        var one = SvgAssert.Parse(chart.RenderSvg(), "<b>&");
        chart.Add("<c>", 2);
        var two = SvgAssert.Parse(chart.RenderSvg(barHeight: 30), "<b>&");
        Assert.Equal(SvgAssert.Number(one, "height") + 30 + 8, SvgAssert.Number(two, "height"));
        Assert.Contains("a&b", SvgAssert.Texts(two));
        Assert.Contains("<c>", SvgAssert.Texts(two));
        Assert.Contains("v \"x\"", SvgAssert.Texts(two));
    }

    [Fact]
    public void RenderingIsDeterministicAndCultureInvariant()
    {
        static BarChart Build() => new BarChart("Accuracy", "accuracy") { Minimum = 0, Maximum = 1 }.Add("x", 0.875).Add("y", 0.3333);
        string first = Build().RenderSvg();
        Assert.Equal(first, Build().RenderSvg());
        Assert.Equal(first, SvgAssert.WithCommaDecimalCulture(() => Build().RenderSvg()));
        Assert.Contains(">0.875<", first);
    }

    [Fact]
    public void InvertedFixedRangeIsRejected()
    {
        var chart = new BarChart("t", "v") { Minimum = 1, Maximum = 0 };
        chart.Add("a", 0.5);
        Assert.Throws<ArgumentException>(() => chart.RenderSvg());
    }
}
