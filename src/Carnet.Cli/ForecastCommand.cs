using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.Tasks.Data;
using Carnet.Tasks.Evaluation;
using Carnet.Tasks.Forecasting;

namespace Carnet.Cli;

/// <summary><c>carnet forecast</c>: a CSV series to a trained forecaster, its test forecasts beside the baselines, metrics and a report.</summary>
internal static class ForecastCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = CommandSupport.Option("--data", "CSV file with a header row, one row per time step.", CommandSupport.ShippedSeries);
        var target = new Option<string?>("--target") { Description = "The column to forecast (default: the last numeric column)." };
        var features = new Option<string[]>("--features")
        {
            Description = "Extra numeric columns the network also reads (past values only).",
            AllowMultipleArgumentsPerToken = true
        };
        var time = new Option<string?>("--time") { Description = "The time column (default: year+month columns, or a date/time/timestamp column, or row numbers)." };
        var horizon = new Option<int?>("--horizon") { Description = "Steps to forecast at once (default: one season, at most 48; 12 without seasonality)." };
        var window = new Option<int?>("--window") { Description = "Past steps the network reads (default: two seasons or two horizons, at most 336)." };
        var season = new Option<int?>("--season") { Description = "Season length for the seasonal-naive baseline and MASE (default: detected)." };
        var testHorizons = new Option<int?>("--test-horizons") { Description = "Horizons held out at the end for testing (default: about a tenth of the series)." };
        var log = CommandSupport.Choice("--log", "Model the logarithm of the series: auto, yes or no.", "auto", "auto", "yes", "no");
        var difference = CommandSupport.Choice("--difference", "Model the change from the previous step (first) or season (seasonal): auto, first, seasonal or no.", "auto",
            "auto", "first", "seasonal", "no");
        var training = new TrainingArguments("forecast", "windows", epochs: 300, batchSize: 16, learningRate: 0.003, patience: 40);
        var command = new Command(
            "forecast",
            "Train a recurrent network to forecast a series from a CSV file and compare it with the naive and seasonal-naive forecasts.\n" +
            "Example: carnet forecast --data data/airpassengers.csv --target passengers_thousands --horizon 12 --out runs/air")
        {
            data, target, features, time, horizon, window, season, testHorizons, log, difference,
        };
        training.AddTo(command);
        command.SetAction(parse =>
        {
            string path = CommandSupport.Resolve(parse.GetValue(data)!, CommandSupport.ShippedSeries);
            var folder = training.Folder(parse, path);
            var view = training.View(parse, output);
            return CommandSupport.Guard("forecast", error, () =>
            {
                training.Join(parse, folder, view, path);
                var series = SeriesData.FromTable(CsvTable.Read(path), parse.GetValue(target), parse.GetValue(features) ?? [], parse.GetValue(time));
                var options = new ForecastOptions
                {
                    Horizon = parse.GetValue(horizon),
                    Window = parse.GetValue(window),
                    Season = parse.GetValue(season),
                    TestHorizons = parse.GetValue(testHorizons),
                    Logarithm = CommandSupport.Tristate(parse.GetValue(log)!),
                    Difference = parse.GetValue(difference) switch
                    {
                        "first" => Differencing.First,
                        "seasonal" => Differencing.Seasonal,
                        "no" => Differencing.None,
                        _ => null,
                    },
                    Cell = training.CellKind(parse),
                    HiddenSize = parse.GetValue(training.HiddenSize),
                    NumLayers = parse.GetValue(training.NumLayers),
                    Dropout = parse.GetValue(training.Dropout),
                    Epochs = parse.GetValue(training.Epochs),
                    BatchSize = parse.GetValue(training.BatchSize),
                    LearningRate = parse.GetValue(training.LearningRate),
                    Patience = parse.GetValue(training.Patience),
                    Seed = parse.GetValue(training.Seed),
                    CheckpointPath = folder.CheckpointPath,
                    Resume = parse.GetValue(training.Resume),
                    Distributed = folder.Communicator,
                };
                return Run(series, options, folder, view);
            }, folder);
        });
        return command;
    }

    private static int Run(SeriesData series, ForecastOptions options, OutputFolder folder, TrainingView view)
    {
        var plan = Forecaster.Plan(series, options);
        view.Line(string.Create(CultureInfo.InvariantCulture,
            $"{series.Source}: {series.Length} values of '{series.TargetName}'; season {plan.Season}{(plan.SeasonDetected ? " (detected)" : "")}, " +
            $"horizon {plan.Horizon}, window {plan.Window}; the last {plan.TestHorizons * plan.Horizon} values are the test part."));
        folder.Create();
        var outcome = view.Run($"{options.Cell.ToString().ToUpperInvariant()} {options.HiddenSize}", progress => Forecaster.Fit(series, options, progress, plan));
        var files = folder.Commit(
        [
            ("model.safetensors", outcome.Model.Save),
            ("forecast.csv", p => File.WriteAllText(p, ForecastCsv(series, outcome), new UTF8Encoding(false))),
            ("metrics.json", p => File.WriteAllText(p, MetricsJson.Forecast(outcome), new UTF8Encoding(false))),
            ("report.html", p => Reports.Forecast(series, outcome).Save(p)),
        ]);
        var transform = outcome.Model.Transform;
        view.Line($"transforms: logarithm {(transform.Logarithm ? "yes" : "no")}, {Reports.Differencing(transform)}; " +
            $"best epoch {outcome.Training.BestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "-"} of {outcome.Training.Epochs.Count}");
        view.Line(Row("", "MAE", "RMSE", "sMAPE %", "MASE"));
        view.Line(Row("model", outcome.ModelMetrics));
        view.Line(Row("naive", outcome.NaiveMetrics));
        view.Line(Row("seasonal naive", outcome.SeasonalNaiveMetrics));
        view.Line($"written: {string.Join(", ", files)}");
        return 0;
    }

    private static string Row(string name, ForecastMetrics m)
        => Row(name, Number(m.Mae), Number(m.Rmse), Number(m.Smape), Number(m.Mase));

    private static string Row(string name, params string[] cells) => $"{name,-15}" + string.Concat(cells.Select(c => $"{c,10}"));

    private static string Number(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    private static string ForecastCsv(SeriesData series, ForecastOutcome outcome)
    {
        var text = new StringBuilder("time,actual,predicted,naive,seasonal_naive\n");
        for (int i = 0; i < outcome.TestIndices.Length; i++)
        {
            text.Append(CsvField(series.Times[outcome.TestIndices[i]])).Append(',')
                .Append(string.Join(',', new[] { outcome.Actual[i], outcome.Predicted[i], outcome.Naive[i], outcome.SeasonalNaive[i] }
                    .Select(v => v.ToString("R", CultureInfo.InvariantCulture))))
                .Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A CSV field, quoted when it holds a comma, a quote or a line break.</summary>
    public static string CsvField(string value)
        => value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
