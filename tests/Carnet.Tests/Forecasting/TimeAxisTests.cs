using Carnet.Tasks.Forecasting;

namespace Carnet.Tests.Forecasting;

/// <summary>Labels of future steps continue the step of the last labels, or fall back to "+1", "+2", ….</summary>
public sealed class TimeAxisTests
{
    [Theory]
    [InlineData(new[] { "1960-11", "1960-12" }, new[] { "1961-01", "1961-02" })]
    [InlineData(new[] { "2020-01", "2020-04", "2020-07" }, new[] { "2020-10", "2021-01" })]
    [InlineData(new[] { "2019-12-15", "2020-01-15" }, new[] { "2020-02-15", "2020-03-15" })]
    public void MonthsAdvanceByWholeMonths(string[] labels, string[] expected)
        => Assert.Equal(expected, TimeAxis.Continue(labels, expected.Length));

    [Theory]
    [InlineData(new[] { "2000-08-27T22:30", "2000-08-27T23:00", "2000-08-27T23:30" }, new[] { "2000-08-28T00:00", "2000-08-28T00:30" })]
    [InlineData(new[] { "2000-08-27 23:59:50", "2000-08-28 00:00:00" }, new[] { "2000-08-28 00:00:10" })]
    [InlineData(new[] { "2021-02-26", "2021-02-27", "2021-02-28" }, new[] { "2021-03-01", "2021-03-02", "2021-03-03" })]
    [InlineData(new[] { "2024/02/27", "2024/02/28" }, new[] { "2024/02/29", "2024/03/01" })]
    [InlineData(new[] { "2021-01-01", "2021-01-08" }, new[] { "2021-01-15" })]
    public void DatesAdvanceByTheLastInterval(string[] labels, string[] expected)
        => Assert.Equal(expected, TimeAxis.Continue(labels, expected.Length));

    [Theory]
    [InlineData(new[] { "10", "15", "20" }, new[] { "25", "30", "35" })]
    [InlineData(new[] { "-3", "-1", "1" }, new[] { "3", "5" })]
    [InlineData(new[] { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10" }, new[] { "11" })]
    public void IntegersAdvanceByTheirStep(string[] labels, string[] expected)
        => Assert.Equal(expected, TimeAxis.Continue(labels, expected.Length));

    [Theory]
    [InlineData("1|2|4")]
    [InlineData("5|5")]
    [InlineData("9|7|5")]
    [InlineData("2020-01-01|2020-01-02|2020-01-04")]
    [InlineData("2020-01-02|2020-01-01")]
    [InlineData("a|b|c")]
    [InlineData("1.5|2.5")]
    [InlineData("2020-01|3")]
    [InlineData("7")]
    [InlineData("")]
    public void IrregularOrOtherLabelsCountSteps(string labels)
        => Assert.Equal(["+1", "+2", "+3"], TimeAxis.Continue(labels.Split('|', StringSplitOptions.RemoveEmptyEntries), 3));

    [Fact]
    public void OnlyTheLastSixLabelsMustAgree()
    {
        // an early gap does not matter; the last 6 labels are a regular day apart
        string[] labels = ["2020-01-01", "2020-01-05", "2020-01-06", "2020-01-07", "2020-01-08", "2020-01-09", "2020-01-10"];
        Assert.Equal(["2020-01-11"], TimeAxis.Continue(labels, 1));
        labels[2] = "2020-01-04";
        Assert.Equal(["+1"], TimeAxis.Continue(labels, 1));
    }
}
