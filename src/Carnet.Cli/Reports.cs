using System.Globalization;
using Carnet.Cli.Reporting;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Evaluation;
using Carnet.Tasks.Forecasting;
using Carnet.Training;

namespace Carnet.Cli;

/// <summary>The <c>report.html</c> pages of the training commands: settings, metrics, loss curves and the task's own charts.</summary>
internal static class Reports
{
    /// <summary>The forecasting report: metrics beside the baselines, losses per epoch, and the forecast over the actual series.</summary>
    public static HtmlReport Forecast(SeriesData series, ForecastOutcome outcome)
    {
        var plan = outcome.Plan;
        var transform = outcome.Model.Transform;
        var report = new HtmlReport($"Forecast of {series.TargetName}");
        report.AddParagraph($"{series.Source}: {series.Length} values. Season {plan.Season}{(plan.SeasonDetected ? " (detected)" : "")}, " +
            $"horizon {plan.Horizon}, window {plan.Window}, logarithm {(transform.Logarithm ? "yes" : "no")}, {Differencing(transform)}. " +
            $"Training targets end at {series.Times[plan.TrainingEnd - 1]}; the last {outcome.Actual.Length} values (from {series.Times[plan.TestStart]}) are the test part, " +
            $"forecast {plan.Horizon} steps at a time from {plan.TestHorizons} origin(s).");
        report.AddHeading("Test metrics");
        report.AddTable(["forecast", "MAE", "RMSE", "sMAPE %", "MASE"],
        [
            MetricRow("model", outcome.ModelMetrics), MetricRow("naive", outcome.NaiveMetrics), MetricRow("seasonal naive", outcome.SeasonalNaiveMetrics),
        ]);

        var chart = new LineChart("Series and test forecasts", series.TimeColumn ?? "row", series.TargetName)
        {
            XTickFormat = x => Label(series.Times, x),
        };
        double[] index = Enumerable.Range(0, series.Length).Select(i => (double)i).ToArray();
        double[] testX = outcome.TestIndices.Select(i => (double)i).ToArray();
        chart.AddSeries("actual", index, series.Values);
        chart.AddSeries("model", testX, outcome.Predicted);
        chart.AddSeries("seasonal naive", testX, outcome.SeasonalNaive, dashed: true);
        chart.AddVerticalMarker(plan.TrainingEnd, "validation");
        chart.AddVerticalMarker(plan.TestStart, "test");
        report.AddSvg(chart.RenderSvg());
        report.AddHeading("Training");
        report.AddSvg(LossChart(outcome.Training, "mean squared error (scaled)").RenderSvg());
        report.AddHeading("Test forecasts");
        report.AddTable(["time", "actual", "model", "naive", "seasonal naive"], outcome.TestIndices.Select((t, i) => (IReadOnlyList<string>)
            [series.Times[t], Number(outcome.Actual[i]), Number(outcome.Predicted[i]), Number(outcome.Naive[i]), Number(outcome.SeasonalNaive[i])]).ToList());
        return report;
    }

    /// <summary>The classification report: accuracy and F1, per-class scores, the confusion matrix and the loss curves.</summary>
    public static HtmlReport Classify(LabelledSequences data, ClassificationOutcome outcome)
    {
        var metrics = outcome.Metrics;
        var classes = outcome.Model.Classes;
        var options = outcome.Model.Network.Options;
        var report = new HtmlReport($"Sequence classification: {Path.GetFileName(data.Source)}");
        report.AddParagraph($"{data.Count} sequences of up to {data.Steps} steps, {classes.Count} classes; " +
            $"{outcome.TrainingCount} for training, {outcome.ValidationCount} for validation, {outcome.TestIndices.Length} for testing (stratified). " +
            $"{options.Cell.ToString().ToUpperInvariant()} {options.Recurrent.HiddenSize} × {options.Recurrent.NumLayers}" +
            $"{(options.Recurrent.Bidirectional ? ", bidirectional" : "")}, pooling {options.Pooling.ToString().ToLowerInvariant()}.");
        report.AddHeading("Test metrics");
        report.AddKeyValueTable(
        [
            new("accuracy", Number(metrics.Accuracy)), new("macro F1", Number(metrics.MacroF1)),
                new("test sequences", outcome.TestIndices.Length.ToString(CultureInfo.InvariantCulture)),
        ]);
        report.AddTable(["class", "precision", "recall", "F1", "support"], classes.Select((name, c) => (IReadOnlyList<string>)
            [name, Number(metrics.Precision[c]), Number(metrics.Recall[c]), Number(metrics.F1[c]), metrics.Support[c].ToString(CultureInfo.InvariantCulture)]).ToList());
        var matrix = new double[classes.Count, classes.Count];
        for (int a = 0; a < classes.Count; a++)
        {
            for (int p = 0; p < classes.Count; p++)
            {
                matrix[a, p] = metrics.ConfusionMatrix[a][p];
            }
        }

        report.AddSvg(new Heatmap("Confusion matrix (test)", classes, classes, matrix) { RowAxisLabel = "actual", ColumnAxisLabel = "predicted" }.RenderSvg());
        var bars = new BarChart("F1 per class (test)", "F1") { Minimum = 0, Maximum = 1 };
        for (int c = 0; c < classes.Count; c++)
        {
            bars.Add(classes[c], metrics.F1[c]);
        }

        report.AddSvg(bars.RenderSvg());
        report.AddHeading("Training");
        report.AddSvg(LossChart(outcome.Training, "cross-entropy").RenderSvg());
        return report;
    }

    /// <summary>Training and validation loss per epoch, with the best epoch marked.</summary>
    public static LineChart LossChart(TrainingReport training, string lossName)
    {
        var chart = new LineChart("Loss per epoch", "epoch", lossName);
        double[] epochs = training.Epochs.Select(e => (double)e.Epoch).ToArray();
        chart.AddSeries("training", epochs, training.Epochs.Select(e => e.TrainingLoss).ToArray());
        if (training.Epochs.Any(e => e.ValidationLoss is not null))
        {
            chart.AddSeries("validation", epochs, training.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray());
        }

        if (training.BestEpoch is { } best)
        {
            chart.AddVerticalMarker(best, "best");
        }

        return chart;
    }

    /// <summary>The differencing in words.</summary>
    public static string Differencing(SeriesTransform transform) => transform.DifferenceLag switch
    {
        0 => "no differencing",
        1 => "first differences",
        var lag => $"seasonal differences (lag {lag})",
    };

    private static IReadOnlyList<string> MetricRow(string name, ForecastMetrics m) => [name, Number(m.Mae), Number(m.Rmse), Number(m.Smape), Number(m.Mase)];

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Label(IReadOnlyList<string> times, double x)
    {
        int i = (int)Math.Round(x);
        return i >= 0 && i < times.Count ? times[i] : "";
    }
}
