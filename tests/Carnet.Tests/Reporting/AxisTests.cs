using Carnet.Cli.Reporting;

namespace Carnet.Tests.Reporting;

/// <summary>Round ticks and the value-to-pixel map behind every chart axis.</summary>
public sealed class AxisTests
{
    [Fact]
    public void ZeroToNinetySevenTicksBySteps()
    {
        var ticks = AxisTicks.Linear(0, 97, 5);
        Assert.Equal([0.0, 20, 40, 60, 80, 100], ticks.Values);
        Assert.Equal(0, ticks.Lower);
        Assert.Equal(100, ticks.Upper);
        Assert.Equal(["0", "20", "40", "60", "80", "100"], ticks.Values.Select(ticks.Label));
    }

    [Theory]
    [InlineData(0, 97, 5)]
    [InlineData(0.1, 0.37, 5)]
    [InlineData(-3.2, 7.9, 4)]
    [InlineData(1949, 1960.917, 8)]
    [InlineData(1e-6, 3.3e-6, 6)]
    [InlineData(-1234.5, -17, 5)]
    [InlineData(0.5, 0.5000001, 5)]
    [InlineData(12345, 987654321, 7)]
    public void TicksAreEvenRoundStepsCoveringTheRange(double minimum, double maximum, int target)
    {
        var ticks = AxisTicks.Linear(minimum, maximum, target);
        var values = ticks.Values;
        Assert.True(values[0] <= minimum && values[^1] >= maximum, $"[{values[0]}, {values[^1]}] does not cover [{minimum}, {maximum}]");
        Assert.InRange(values.Count, 2, target + 2);
        double step = Math.Pow(10, ticks.Exponent) * Math.Round((values[1] - values[0]) / Math.Pow(10, ticks.Exponent));
        Assert.Contains(Math.Round(step / Math.Pow(10, ticks.Exponent), 9), new[] { 1.0, 2.0, 5.0 });
        for (int i = 0; i < values.Count; i++)
        {
            Assert.Equal(step, i == 0 ? step : values[i] - values[i - 1], step * 1e-6);
            Assert.Equal(Math.Round(values[i] / step), values[i] / step, 1e-6);
        }

        var labels = values.Select(ticks.Label).ToArray();
        Assert.Equal(labels.Length, labels.Distinct().Count());
    }

    [Fact]
    public void DecimalTicksAreTheDoublesOfTheirDecimals()
    {
        var ticks = AxisTicks.Linear(0, 1, 5);
        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], ticks.Values);
        Assert.Equal(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], ticks.Values.Select(ticks.Label));
        Assert.Equal([0.3, 0.35, 0.4], AxisTicks.Linear(0.3, 0.4, 2).Values);
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(0.0)]
    [InlineData(-250.0)]
    public void ConstantRangeIsWidenedAroundTheValue(double value)
    {
        var ticks = AxisTicks.Linear(value, value, 5);
        Assert.True(ticks.Lower < value && ticks.Upper > value);
        Assert.True(ticks.Values.Count >= 3);
    }

    [Fact]
    public void LogarithmicTicksArePowersOfTenOrOneTwoFiveOverShortSpans()
    {
        Assert.Equal([0.01, 0.1, 1.0, 10.0], AxisTicks.Logarithmic(0.013, 2.5, 6).Values);
        Assert.Equal([2.0, 5, 10, 20, 50], AxisTicks.Logarithmic(3, 40, 6).Values);
        Assert.Equal([1e-8, 1e-4, 1, 1e4], AxisTicks.Logarithmic(2e-8, 5e3, 3).Values);
        var wide = AxisTicks.Logarithmic(0.01, 10, 5);
        Assert.Equal(["0.01", "0.1", "1", "10"], wide.Values.Select(wide.Label));
    }

    [Fact]
    public void ScaleMapsValuesLinearlyOntoPixels()
    {
        var x = new AxisScale(0, 100, 50, 750);
        Assert.Equal(50, x.Map(0));
        Assert.Equal(225, x.Map(25));
        Assert.Equal(750, x.Map(100));
        var y = new AxisScale(AxisTicks.Linear(0, 480, 5), 270, 60);
        Assert.Equal(500, y.Maximum);
        Assert.Equal(270 - 210 * 0.2, y.Map(100), 1e-9);
        var log = new AxisScale(1, 1000, 0, 300, logarithmic: true);
        Assert.Equal(100, log.Map(10), 1e-9);
        Assert.Equal(200, log.Map(100), 1e-9);
    }

    [Theory]
    [InlineData(0.3, 1)]
    [InlineData(1, 1)]
    [InlineData(1.01, 2)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(13, 20)]
    [InlineData(60, 100)]
    public void LabelStridesAreRound(double minimum, int stride) => Assert.Equal(stride, AxisTicks.NiceStride(minimum));
}
