using System.Globalization;
using System.Text.Json;
using Carnet.Cli.Reporting;
using Carnet.Models;
using Carnet.Tasks.Text;

namespace Carnet.Cli;

/// <summary>The <c>metrics.json</c> and <c>report.html</c> of <c>carnet text train</c>.</summary>
internal static class TextReport
{
    /// <summary>
    /// Keys <c>val_bpc</c> (held-out bits per character per epoch), <c>best_val_bpc</c>, <c>best_epoch</c>,
    /// <c>train_bpc</c>, then the sizes and settings, <c>history</c> (per epoch: losses in nats and bits, steps, seconds)
    /// and <c>samples</c> (per epoch: the generated text).
    /// </summary>
    public static string Metrics(TextTrainingOutcome outcome) => MetricsJson.Write(json => WriteTraining(json, outcome));

    /// <summary>The keys of <see cref="Metrics"/>, for the reports of tasks built on a character model.</summary>
    public static void WriteTraining(Utf8JsonWriter json, TextTrainingOutcome outcome)
    {
        var epochs = outcome.Epochs;
        Numbers(json, "val_bpc", epochs.Where(e => e.ValidationBitsPerCharacter is not null).Select(e => e.ValidationBitsPerCharacter!.Value));
        if (outcome.BestEpoch is { } best)
        {
            MetricsJson.Number(json, "best_val_bpc", outcome.BestValidationBitsPerCharacter!.Value);
            json.WriteNumber("best_epoch", best);
        }

        Numbers(json, "train_bpc", epochs.Select(e => e.TrainingBitsPerCharacter));
        json.WriteNumber("epochs_trained", epochs.Count);
        json.WriteNumber("world_size", outcome.Options.Distributed?.Size ?? 1);
        json.WriteBoolean("stopped_by_time_limit", outcome.StoppedByTimeLimit);
        json.WriteNumber("training_characters", outcome.TrainingCharacters);
        json.WriteNumber("validation_characters", outcome.ValidationCharacters);
        json.WriteNumber("vocabulary_size", outcome.Model.Vocabulary.Count);
        json.WriteNumber("parameters", ModelFile.ParameterCount(outcome.Model.Network.Options));
        json.WriteNumber("steps_per_epoch", outcome.BatchesPerEpoch);
        var o = outcome.Options;
        json.WriteStartObject("settings");
        json.WriteString("cell", o.Cell.ToString().ToLowerInvariant());
        json.WriteNumber("embedding_size", o.EmbeddingSize);
        json.WriteNumber("hidden_size", o.HiddenSize);
        json.WriteNumber("num_layers", o.NumLayers);
        json.WriteNumber("dropout", o.Dropout);
        json.WriteNumber("seq_length", o.SequenceLength);
        json.WriteNumber("batch_size", o.BatchSize);
        json.WriteNumber("learning_rate", o.LearningRate);
        if (o.ClipGradientNorm is { } clip)
        {
            json.WriteNumber("clip", clip);
        }

        json.WriteNumber("seed", o.Seed);
        json.WriteEndObject();
        json.WriteStartArray("history");
        foreach (var e in epochs)
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", e.Epoch);
            MetricsJson.Number(json, "loss", e.TrainingBitsPerCharacter * Math.Log(2));
            MetricsJson.Number(json, "train_bpc", e.TrainingBitsPerCharacter);
            if (e.ValidationBitsPerCharacter is { } v)
            {
                MetricsJson.Number(json, "val_loss", v * Math.Log(2));
                MetricsJson.Number(json, "val_bpc", v);
            }

            json.WriteNumber("steps", e.Batches);
            json.WriteNumber("seconds", Math.Round(e.Seconds, 3));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("samples");
        foreach (var e in epochs)
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", e.Epoch);
            json.WriteString("text", e.Sample);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The page: the settings, the bits per character per epoch (a chart and a table) and every epoch's sample.</summary>
    public static HtmlReport Page(TextData text, TextTrainingOutcome outcome)
    {
        var o = outcome.Options;
        var report = new HtmlReport($"Character language model: {Path.GetFileName(text.Source)}");
        report.AddParagraph(string.Create(CultureInfo.InvariantCulture,
            $"{text.Length:N0} characters, {outcome.Model.Vocabulary.Count} distinct; {outcome.TrainingCharacters:N0} for training, the last " +
            $"{outcome.ValidationCharacters:N0} held out. ") + Settings(outcome));
        AddTraining(report, outcome);
        report.AddHeading("Samples");
        report.AddParagraph(string.Create(CultureInfo.InvariantCulture,
            $"Generated after each epoch from \"{outcome.Model.DefaultPrompt.ReplaceLineEndings("⏎")}\", temperature {o.Sampling.Temperature}."));
        foreach (var e in outcome.Epochs.Where(e => e.Sample.Length > 0))
        {
            report.AddHeading($"Epoch {e.Epoch}", 3);
            report.AddPreformatted(e.Sample);
        }

        return report;
    }

    /// <summary>The network and optimisation in a sentence or two.</summary>
    public static string Settings(TextTrainingOutcome outcome)
    {
        var o = outcome.Options;
        var c = CultureInfo.InvariantCulture;
        string dropout = o.Dropout > 0 ? string.Create(c, $", dropout {o.Dropout}") : "";
        string clipping = o.ClipGradientNorm is { } norm ? string.Create(c, $", gradients clipped to norm {norm}") : "";
        return string.Create(c,
            $"Embedding {o.EmbeddingSize}, {o.Cell.ToString().ToUpperInvariant()} {o.HiddenSize} × {o.NumLayers}" +
            $"{dropout}, {ModelFile.ParameterCount(outcome.Model.Network.Options):N0} parameters; " +
            $"{o.BatchSize} streams, truncated back-propagation over {o.SequenceLength} steps, Adam {o.LearningRate}{clipping}; " +
            $"{outcome.BatchesPerEpoch:N0} steps per epoch.") + (outcome.StoppedByTimeLimit ? " Training stopped at the time limit." : "");
    }

    /// <summary>The best epoch, the bits per character per epoch as a chart and a table.</summary>
    public static void AddTraining(HtmlReport report, TextTrainingOutcome outcome)
    {
        if (outcome.BestEpoch is { } best)
        {
            report.AddKeyValueTable(
            [
                new("best held-out bits per character", Number(outcome.BestValidationBitsPerCharacter!.Value)),
                new("at epoch", best.ToString(CultureInfo.InvariantCulture)),
                new("wall time to it", Seconds(outcome.Epochs[best - 1].Seconds)),
            ]);
        }

        var chart = new LineChart("Bits per character per epoch", "epoch", "bits per character");
        double[] x = outcome.Epochs.Select(e => (double)e.Epoch).ToArray();
        chart.AddSeries("training", x, outcome.Epochs.Select(e => e.TrainingBitsPerCharacter).ToArray());
        if (outcome.BestEpoch is { } marked)
        {
            chart.AddSeries("held out", x, outcome.Epochs.Select(e => e.ValidationBitsPerCharacter ?? double.NaN).ToArray());
            chart.AddVerticalMarker(marked, "best");
        }

        report.AddSvg(chart.RenderSvg());
        report.AddTable(["epoch", "steps", "training bpc", "held-out bpc", "wall time"], outcome.Epochs.Select(e => (IReadOnlyList<string>)
        [
            e.Epoch.ToString(CultureInfo.InvariantCulture), e.Batches.ToString(CultureInfo.InvariantCulture), Number(e.TrainingBitsPerCharacter),
            e.ValidationBitsPerCharacter is { } v ? Number(v) : "", Seconds(e.Seconds),
        ]).ToList());
    }

    private static void Numbers(Utf8JsonWriter json, string name, IEnumerable<double> values)
    {
        json.WriteStartArray(name);
        foreach (double value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    private static string Number(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Seconds(double value) => value.ToString("F1", CultureInfo.InvariantCulture) + " s";
}
