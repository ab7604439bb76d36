using System.Text;
using System.Text.Json;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Evaluation;
using Carnet.Tasks.Forecasting;
using Carnet.Training;

namespace Carnet.Cli;

/// <summary>The <c>metrics.json</c> files of the training commands, written with invariant numbers and stable key order.</summary>
internal static class MetricsJson
{
    /// <summary>Forecasting: keys <c>model</c>, <c>naive</c>, <c>seasonal_naive</c>, each with mae, rmse, smape, mase; then the settings and the training.</summary>
    public static string Forecast(ForecastOutcome outcome) => Write(json =>
    {
        Metrics(json, "model", outcome.ModelMetrics);
        Metrics(json, "naive", outcome.NaiveMetrics);
        Metrics(json, "seasonal_naive", outcome.SeasonalNaiveMetrics);
        var plan = outcome.Plan;
        json.WriteNumber("horizon", plan.Horizon);
        json.WriteNumber("window", plan.Window);
        json.WriteNumber("season", plan.Season);
        json.WriteNumber("test_points", outcome.Actual.Length);
        json.WriteBoolean("logarithm", outcome.Model.Transform.Logarithm);
        json.WriteNumber("difference_lag", outcome.Model.Transform.DifferenceLag);
        Training(json, outcome.Training);
    });

    /// <summary>Classification: <c>accuracy</c> and <c>macro_f1</c> on the test part, per-class scores, the confusion matrix, then the training.</summary>
    public static string Classification(ClassificationOutcome outcome) => Write(json =>
    {
        var m = outcome.Metrics;
        var classes = outcome.Model.Classes;
        Number(json, "accuracy", m.Accuracy);
        Number(json, "macro_f1", m.MacroF1);
        json.WriteNumber("test_size", outcome.TestIndices.Length);
        json.WriteStartArray("classes");
        foreach (string c in classes)
        {
            json.WriteStringValue(c);
        }

        json.WriteEndArray();
        json.WriteStartObject("per_class");
        for (int c = 0; c < classes.Count; c++)
        {
            json.WriteStartObject(classes[c]);
            Number(json, "precision", m.Precision[c]);
            Number(json, "recall", m.Recall[c]);
            Number(json, "f1", m.F1[c]);
            json.WriteNumber("support", m.Support[c]);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartArray("confusion_matrix");
        foreach (var row in m.ConfusionMatrix)
        {
            json.WriteStartArray();
            foreach (int count in row)
            {
                json.WriteNumberValue(count);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
        Training(json, outcome.Training);
    });

    /// <summary>The epochs trained, the best one and the loss history.</summary>
    public static void Training(Utf8JsonWriter json, TrainingReport report)
    {
        json.WriteNumber("epochs_trained", report.Epochs.Count);
        json.WriteNumber("world_size", report.WorldSize);
        if (report.BestEpoch is { } best)
        {
            json.WriteNumber("best_epoch", best);
        }

        json.WriteStartArray("history");
        foreach (var epoch in report.Epochs)
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", epoch.Epoch);
            Number(json, "loss", epoch.TrainingLoss);
            if (epoch.ValidationLoss is { } v)
            {
                Number(json, "val_loss", v);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>A number, or null when it is not finite (JSON has no NaN).</summary>
    public static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>One JSON object written by <paramref name="body"/>, indented (or on one line), with a final newline.</summary>
    public static string Write(Action<Utf8JsonWriter> body, bool indented = true)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Metrics(Utf8JsonWriter json, string name, ForecastMetrics metrics)
    {
        json.WriteStartObject(name);
        Number(json, "mae", metrics.Mae);
        Number(json, "rmse", metrics.Rmse);
        Number(json, "smape", metrics.Smape);
        Number(json, "mase", metrics.Mase);
        json.WriteEndObject();
    }
}
