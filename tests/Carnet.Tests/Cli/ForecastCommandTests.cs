using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Carnet.Tasks.Data;
using Carnet.Tasks.Forecasting;
using Carnet.Tests.Training;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet forecast</c> and <c>carnet predict</c> end to end on the airline series, and every kind of bad input.</summary>
public sealed class ForecastCommandTests
{
    private static readonly string[] Small = ["--epochs", "3", "--hidden-size", "6", "--quiet"];

    [Fact]
    public void ForecastWritesModelForecastMetricsAndReport()
    {
        using var cli = new CliRunner();
        string folder = cli.PathOf("air");
        var (code, output, error) = CliRunner.Run(["forecast", "--data", SeriesDemoTests.AirPassengers, "--out", folder, .. Small]);
        Assert.Equal((0, "", ""), (code, output, error));
        Assert.Equal(["checkpoint.safetensors", "forecast.csv", "metrics.json", "model.safetensors", "report.html"],
            Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        string[] rows = File.ReadAllLines(Path.Combine(folder, "forecast.csv"));
        Assert.Equal("time,actual,predicted,naive,seasonal_naive", rows[0]);
        Assert.Equal(13, rows.Length); // the 1960 test year
        Assert.StartsWith("1960-01,417,", rows[1], StringComparison.Ordinal);
        Assert.EndsWith(",405,360", rows[1], StringComparison.Ordinal); // naive = Dec 1959, seasonal naive = Jan 1959
        Assert.StartsWith("1960-12,432,", rows[12], StringComparison.Ordinal);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        var root = metrics.RootElement;
        foreach (string name in new[] { "model", "naive", "seasonal_naive" })
        {
            foreach (string key in new[] { "mae", "rmse", "smape", "mase" })
            {
                Assert.True(double.IsFinite(root.GetProperty(name).GetProperty(key).GetDouble()), $"{name}.{key}");
            }
        }

        // the baselines by hand: naive repeats 405; seasonal naive repeats 1959, whose mean gap to 1960 is 47.83
        Assert.Equal(76.0, root.GetProperty("naive").GetProperty("mae").GetDouble(), 12);
        Assert.Equal(574.0 / 12, root.GetProperty("seasonal_naive").GetProperty("mae").GetDouble(), 12);
        Assert.Equal(12, root.GetProperty("season").GetInt32());
        Assert.Equal(12, root.GetProperty("horizon").GetInt32());
        Assert.Equal(3, root.GetProperty("history").GetArrayLength());

        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("Forecast of passengers_thousands", html);
        Assert.Equal(2, html.Split("<svg ").Length - 1); // the series with the forecasts, and the losses
        Assert.DoesNotContain("<script", html);
        XDocument.Parse(html[html.IndexOf("<html", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void PredictForecastsTheNextHorizonAfterTheEndOfTheSeries()
    {
        using var cli = new CliRunner();
        string folder = cli.PathOf("air");
        Assert.Equal(0, CliRunner.Run(["forecast", "--data", SeriesDemoTests.AirPassengers, "--out", folder, .. Small]).Code);
        string model = Path.Combine(folder, "model.safetensors");
        var (code, output, error) = CliRunner.Run("predict", "--model", model, "--data", SeriesDemoTests.AirPassengers);
        Assert.Equal((0, ""), (code, error));
        string[] rows = output.TrimEnd('\n').Split('\n');
        Assert.Equal("time,passengers_thousands", rows[0]);
        Assert.Equal(Enumerable.Range(1, 12).Select(m => $"1961-{m:D2}"), rows.Skip(1).Select(r => r.Split(',')[0]));

        var expected = ForecastModel.Load(model).ForecastNext(SeriesData.FromTable(CsvTable.Read(SeriesDemoTests.AirPassengers)));
        Assert.Equal(expected, rows.Skip(1).Select(r => double.Parse(r.Split(',')[1], CultureInfo.InvariantCulture)));

        string written = cli.PathOf("next.csv");
        (code, output, _) = CliRunner.Run("predict", "--model", model, "--data", SeriesDemoTests.AirPassengers, "--output", written);
        Assert.Equal(0, code);
        Assert.Equal($"written: {written}", output.Trim());
        Assert.Equal(string.Join('\n', rows) + "\n", File.ReadAllText(written));
    }

    [Fact]
    public void ProgressAndSummaryArePrintedUnlessQuiet()
    {
        using var cli = new CliRunner();
        var (code, output, error) = CliRunner.Run("forecast", "--data", SeriesDemoTests.AirPassengers, "--out", cli.PathOf("a"), "--epochs", "2", "--hidden-size", "4");
        Assert.Equal((0, ""), (code, error));
        Assert.Contains("144 values of 'passengers_thousands'; season 12 (detected), horizon 12, window 24; the last 12 values are the test part.", output);
        Assert.Contains("epoch 1/2 · loss ", output);
        Assert.Contains("epoch 2/2 · loss ", output);
        Assert.Matches(@"seasonal naive\s+47\.833\s+50\.708", output);
    }

    [Fact]
    public void ResumedTrainingEndsWithTheSameModelFileAsAnUninterruptedRun()
    {
        using var cli = new CliRunner();
        string[] common = ["forecast", "--data", SeriesDemoTests.AirPassengers, "--hidden-size", "6", "--quiet", "--patience", "100"];
        Assert.Equal(0, CliRunner.Run([.. common, "--epochs", "4", "--out", cli.PathOf("whole")]).Code);
        Assert.Equal(0, CliRunner.Run([.. common, "--epochs", "2", "--out", cli.PathOf("parts")]).Code);
        Assert.Equal(0, CliRunner.Run([.. common, "--epochs", "4", "--out", cli.PathOf("parts"), "--resume"]).Code);
        Assert.Equal(File.ReadAllBytes(cli.PathOf("whole/model.safetensors")), File.ReadAllBytes(cli.PathOf("parts/model.safetensors")));
        Assert.Equal(File.ReadAllText(cli.PathOf("whole/metrics.json")), File.ReadAllText(cli.PathOf("parts/metrics.json")));
    }

    [Theory]
    [InlineData("missing-column", "t,value\n1,5\n2,6\n", "--target,nope", "{0}:1: no column 'nope'; the columns are t, value")]
    [InlineData("non-numeric", "t,value\n1,5\n2,oops\n", "--target,value", "{0}:3:2: 'oops' in column 'value' is not a finite number")]
    [InlineData("empty", "", "", "{0}: empty file: expected a header row")]
    [InlineData("header-only", "t,value\n", "", "{0}:1: the file has a header but no data rows")]
    [InlineData("too-short", "t,value\n1,5\n2,6\n3,7\n4,8\n5,9\n6,8\n7,7\n8,6\n9,5\n10,4\n", "--horizon,2",
        "{0}: 10 rows are too few for a horizon of 2 with 1 test and 1 validation horizon(s) and a window of 2" +
            ": at least 16 rows are needed (give a shorter --horizon or --window).")]
    [InlineData("log-of-zero", "t,value\n1,0\n2,6\n3,7\n4,8\n5,9\n6,8\n7,7\n8,6\n9,5\n10,4\n11,5\n12,6\n13,7\n14,8\n15,9\n16,8\n17,7\n18,6\n19,5\n20,4\n",
        "--horizon,1,--window,2,--log,yes",
        "{0}: the logarithm needs a series of positive values; this one has zeros or negative values.")]
    public void BadInputGetsOneLineExitCodeTwoAndNoOutputFolder(string name, string content, string arguments, string expected)
    {
        using var cli = new CliRunner();
        string path = cli.Write(name + ".csv", content);
        string folder = cli.PathOf("out");
        string[] extra = arguments.Length == 0 ? [] : arguments.Split(',');
        CliRunner.AssertBadInput(["forecast", "--data", path, "--out", folder, .. extra], string.Format(CultureInfo.InvariantCulture, expected, path), folder);
    }

    [Fact]
    public void PredictRejectsAFileThatIsNotAModelWithOneLine()
    {
        using var cli = new CliRunner();
        string notModel = cli.Write("x.safetensors", "nonsense");
        var (code, output, error) = CliRunner.Run("predict", "--model", notModel, "--data", SeriesDemoTests.AirPassengers);
        Assert.Equal((2, ""), (code, output));
        Assert.StartsWith($"carnet predict: {notModel}", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("forecast", "Example: carnet forecast")]
    [InlineData("classify", "Example: carnet classify")]
    [InlineData("predict", "Example: carnet predict")]
    public void HelpShowsAnExample(string command, string example)
    {
        var (code, output, _) = CliRunner.Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains(example, output);
    }
}
