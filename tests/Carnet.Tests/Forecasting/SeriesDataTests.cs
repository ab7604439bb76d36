using Carnet.Tasks.Data;
using Carnet.Tasks.Forecasting;

namespace Carnet.Tests.Forecasting;

/// <summary>Reading a series from a table: the target, the features, the time labels, and errors that name the place.</summary>
public sealed class SeriesDataTests
{
    private static SeriesData Read(string text, string? target = null, IReadOnlyList<string>? features = null, string? time = null)
        => SeriesData.FromTable(CsvTable.Parse(text, "s.csv"), target, features, time);

    [Fact]
    public void YearAndMonthColumnsGiveYearMonthLabels()
    {
        var data = Read("Year,month,passengers\n1949,1,112\n1949,2,118\n1949,12,104\n1950,x,99\n");
        Assert.Equal(["1949-01", "1949-02", "1949-12", "1950-x"], data.Times);
        Assert.Equal("year+month", data.TimeColumn);
        Assert.Equal("passengers", data.TargetName);
        Assert.Equal([112.0, 118, 104, 99], data.Values);
        Assert.Equal(4, data.Length);
        Assert.Empty(data.FeatureNames);
        Assert.Empty(data.Features);
        Assert.Equal("s.csv", data.Source);
        Assert.Equal(["1950-y"], Read("year,month,v\n1950,y,1\n").Times);
    }

    [Fact]
    public void TheDefaultTargetIsTheLastNumericColumnThatIsNotTime()
    {
        // city is text; year and month are the time
        var data = Read("sales,year,month,city\n5,1949,1,Oslo\n6,1949,2,Bergen\n");
        Assert.Equal("sales", data.TargetName);
        Assert.Equal([5.0, 6], data.Values);

        var dated = Read("Date,temp,rain,note\n2020-01-01,3.5,0,dry\n2020-01-02,4,1.5,wet\n");
        Assert.Equal("rain", dated.TargetName);
        Assert.Equal("Date", dated.TimeColumn);
        Assert.Equal(["2020-01-01", "2020-01-02"], dated.Times);
    }

    [Fact]
    public void AGivenTimeColumnIsUsedAndNotForecast()
    {
        var data = Read("value,stamp\n1,10\n2,20\n3,30\n", time: "stamp");
        Assert.Equal("stamp", data.TimeColumn);
        Assert.Equal(["10", "20", "30"], data.Times);
        Assert.Equal("value", data.TargetName);
        Assert.Equal(["40", "50"], data.FutureTimes(2));
    }

    [Fact]
    public void WithoutATimeColumnTheRowNumberIsTheLabel()
    {
        var data = Read("a,b\n1,7\n2,8\n3,9\n");
        Assert.Null(data.TimeColumn);
        Assert.Equal(["1", "2", "3"], data.Times);
        Assert.Equal("b", data.TargetName);
        Assert.Equal(["4", "5"], data.FutureTimes(2));
    }

    [Fact]
    public void FeaturesAreReadRowMajorInTheGivenOrder()
    {
        var data = Read("t,a,b,y\n1,10,100,5\n2,20,200,6\n3,30,300,7\n", features: ["b", "a"]);
        Assert.Equal("y", data.TargetName);
        Assert.Equal(["b", "a"], data.FeatureNames);
        Assert.Equal([100.0, 10, 200, 20, 300, 30], data.Features);

        // the default target skips the features: here y is one, so b is the target
        var other = Read("t,a,b,y\n1,10,100,5\n2,20,200,6\n", features: ["y"]);
        Assert.Equal("b", other.TargetName);
        Assert.Equal([5.0, 6], other.Features);
    }

    [Fact]
    public void AHeaderWithoutRowsIsAnError()
    {
        var error = Assert.Throws<DataFormatException>(() => Read("year,month,passengers\n"));
        Assert.Equal("s.csv:1: the file has a header but no data rows", error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void ANonNumericCellIsNamedByLineAndColumn()
    {
        var target = Assert.Throws<DataFormatException>(() => Read("x,y\n1,2\n3,abc\n", target: "y"));
        Assert.Equal("s.csv:3:2: 'abc' in column 'y' is not a finite number", target.Message);
        Assert.Equal((3, 2), (target.Line, target.Column));

        var feature = Assert.Throws<DataFormatException>(() => Read("x,y\n1,2\n,3\n", features: ["x"]));
        Assert.Equal("s.csv:3:1: '' in column 'x' is not a finite number", feature.Message);
    }

    [Fact]
    public void AMissingColumnIsAnError()
    {
        var target = Assert.Throws<DataFormatException>(() => Read("x,y\n1,2\n", target: "z"));
        Assert.Equal("s.csv:1: no column 'z'; the columns are x, y", target.Message);
        var feature = Assert.Throws<DataFormatException>(() => Read("x,y\n1,2\n", features: ["w"]));
        Assert.Equal("s.csv:1: no column 'w'; the columns are x, y", feature.Message);
        var time = Assert.Throws<DataFormatException>(() => Read("x,y\n1,2\n", time: "when"));
        Assert.Equal("s.csv:1: no column 'when'; the columns are x, y", time.Message);
    }

    [Fact]
    public void TheTargetCannotAlsoBeAFeature()
    {
        var error = Assert.Throws<DataFormatException>(() => Read("x,y\n1,2\n", target: "y", features: ["x", "y"]));
        Assert.Equal("s.csv:1:2: 'y' is the target; it cannot also be an extra feature", error.Message);
    }

    [Fact]
    public void ATableWithoutANumericColumnNeedsATarget()
    {
        var error = Assert.Throws<DataFormatException>(() => Read("date,word\n2020-01-01,a\n"));
        Assert.Equal("s.csv:1: no numeric column to forecast; name one with --target", error.Message);
    }
}
