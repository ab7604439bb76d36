using System.CommandLine;
using System.Globalization;
using Carnet.IO;
using Carnet.Models;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Data;
using Carnet.Tasks.Forecasting;

namespace Carnet.Cli;

/// <summary>
/// <c>carnet explain</c>: runs a model over one sequence and draws every layer's gates and states, unit by unit and step
/// by step, as heatmaps under the input.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors (from carnet forecast, carnet classify, or any Carnet sequence model).", Required = true };
        var input = new Option<string>("--input")
        {
            Description = "CSV to explain. A forecasting model: the series, as for carnet predict (its last window is explained). " +
                "A classifier: sequences as at training (the first, or --sequence). Any other model: one row per step, one numeric column per input.",
            Required = true,
        };
        var result = new Option<string>("--out") { Description = "The HTML report to write.", Required = true };
        var sequence = new Option<string?>("--sequence") { Description = "For a classifier: the id (long format) or line number (wide format) of the sequence to explain." };
        var units = CommandSupport.Option("--units", "Show at most this many units per heatmap, the most active first.", 32);
        var command = new Command(
            "explain",
            "Run a model over one sequence and draw, for every layer and direction, its gates (LSTM input, forget, output, candidate; " +
            "GRU reset, update, candidate) and states (cell, hidden) at every step as heatmaps aligned with the input, the most active units first.\n" +
            "Example: carnet explain --model runs/forecast-airpassengers/model.safetensors --input data/airpassengers.csv --out explain.html")
        {
            model, input, result, sequence, units,
        };
        command.SetAction(parse => CommandSupport.Guard("explain", error, () =>
        {
            string path = parse.GetValue(result)!;
            int shown = parse.GetValue(units);
            if (shown < 1)
            {
                throw new ArgumentException($"--units is {shown}; it must be at least 1");
            }

            var explained = Read(parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(sequence));
            var trace = ModelTrace.Record(explained.Model, explained.Batch, 0);
            ExplainReport.Build(explained, trace, shown).Save(path);
            output.WriteLine($"written: {path}");
            return 0;
        }));
        return command;
    }

    /// <summary>Reads the model and, by its task, the one sequence to explain.</summary>
    private static ExplainedInput Read(string modelPath, string inputPath, string? sequenceId)
    {
        var file = SafeTensorsFile.Read(modelPath);
        var loaded = ModelFile.Load<float>(file);
        string task = loaded.Task;
        if (sequenceId is not null && task != SequenceClassifier.Task)
        {
            throw new ArgumentException($"--sequence picks a sequence for a classifier; this model's task is '{task}'");
        }

        var table = CsvTable.Read(inputPath);
        var summary = new ModelSummary(file.Source, task, loaded.Model);
        return task switch
        {
            ForecastModel.Task => Forecast(summary, ForecastModel.FromLoaded(loaded, file.Source), table),
            SequenceClassifier.Task => Classify(summary, SequenceClassifier.FromLoaded(loaded, file.Source), table, sequenceId),
            _ => Steps(summary, table),
        };
    }

    /// <summary>A forecaster: the last window of the series, as the network reads it after the transform.</summary>
    private static ExplainedInput Forecast(ModelSummary summary, ForecastModel model, CsvTable table)
    {
        var series = PredictCommand.Series(model, table);
        var window = model.LastWindow(series); // (1, W, C)
        double[] forecast = model.ForecastNext(series);
        string[] times = series.FutureTimes(forecast.Length);
        var transform = model.Transform;
        string modelled = $"{model.Target}: {(transform.Logarithm ? "log, " : "")}{Reports.Differencing(transform)}, scaled";
        return new ExplainedInput(summary, SequenceBatch<float>.FromFeatures(window))
        {
            Description = $"the last {model.Window} steps of {series.Source} ({series.Times[^model.Window]} to {series.Times[^1]}), after the model's transform",
            StepLabels = series.Times.Skip(series.Length - model.Window).ToArray(),
            StepAxis = series.TimeColumn ?? "row",
            ChannelNames = [modelled, .. model.Features.Select(f => $"{f} (scaled)")],
            Prediction = $"next {forecast.Length} values of {model.Target}: " +
                string.Join(", ", forecast.Select((v, h) => $"{times[h]} {ExplainReport.Number(v)}")),
        };
    }

    /// <summary>A classifier: one sequence of the file, its tokens or its features as the network reads them (standardised).</summary>
    private static ExplainedInput Classify(ModelSummary summary, SequenceClassifier model, CsvTable table, string? sequenceId)
    {
        var data = PredictCommand.Sequences(model, table);
        int n = sequenceId is null ? 0 : data.Ids.ToList().IndexOf(sequenceId);
        if (n < 0)
        {
            string ids = string.Join(", ", data.Ids.Take(5)) + (data.Count > 5 ? ", …" : "");
            throw new DataFormatException(data.Source, 0, 0, $"no sequence '{sequenceId}'; the sequences are {ids}");
        }

        var batch = model.Encode(data, requireLabels: false).Batch([n]).Inputs;
        int length = data.Lengths[n], perStep = data.FeaturesPerStep;
        string[] labels = data.Tokens is { } tokens
            ? tokens.Skip(n * data.Steps).Take(length).Select(Visible).ToArray()
            : perStep == 1
                ? data.Features!.Skip(n * data.Steps).Take(length).Select(ExplainReport.Number).ToArray()
                : Enumerable.Range(1, length).Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray();
        double[] probabilities = model.Probabilities(data).AsSpan(n * model.Classes.Count, model.Classes.Count).ToArray();
        var ranked = Enumerable.Range(0, probabilities.Length).OrderByDescending(c => probabilities[c]).Take(3);
        string label = data.Labels[n] is { } actual ? $" (labelled {actual})" : "";
        return new ExplainedInput(summary, batch)
        {
            Description = $"sequence {data.Ids[n]} of {data.Source} (line {data.Lines[n]}), {length} steps{label}",
            StepLabels = labels,
            StepAxis = data.Tokens is null ? "step" : "token",
            Text = data.Tokens is null ? null : string.Join(labels.All(l => l.Length == 1) ? "" : " ", data.Tokens.Skip(n * data.Steps).Take(length)),
            ChannelNames = data.Tokens is null ? data.FeatureNames.Take(perStep).Select(f => $"{f} (standardised)").ToArray() : [],
            Prediction = string.Join(", ", ranked.Select(c => $"{model.Classes[c]} (p = {probabilities[c].ToString("0.###", CultureInfo.InvariantCulture)})")),
        };
    }

    /// <summary>Any other model: one row per step, one numeric column per input, read as they are.</summary>
    private static ExplainedInput Steps(ModelSummary summary, CsvTable table)
    {
        var options = summary.Model.Options;
        int inputs = options.Recurrent.InputSize, rows = table.Rows.Count;
        if (options.VocabularySize > 0)
        {
            throw new SafeTensorsFormatException(summary.Source, $"this model reads token ids but has no classifier settings (task '{summary.Task}'); " +
                $"carnet explain reads numeric steps for it");
        }

        if (table.Header.Count != inputs)
        {
            throw new DataFormatException(table.Source, 1, 0,
                $"the header has {table.Header.Count} column(s); this model reads {inputs} numeric value(s) per step, one column each, one row per step");
        }

        if (rows == 0 || (options.Pooling == Pooling.Flatten && rows != options.Steps))
        {
            throw new DataFormatException(table.Source, 1, 0,
                rows == 0 ? "the file has a header but no data rows" : $"{rows} rows; this model reads sequences of exactly {options.Steps} steps");
        }

        var columns = table.Header.Select(table.NumericColumn).ToArray(); // per input: (T)
        double[] values = Enumerable.Range(0, rows).SelectMany(t => columns.Select(column => column[t])).ToArray(); // (T, I)
        return new ExplainedInput(summary, SequenceBatch<float>.FromFeatures(Tensor<float>.FromDoubles(values, 1, rows, inputs)))
        {
            Description = $"{rows} steps of {table.Source}",
            StepLabels = inputs == 1
                ? columns[0].Select(ExplainReport.Number).ToArray()
                : Enumerable.Range(1, rows).Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray(),
            StepAxis = inputs == 1 ? table.Header[0] : "step",
            ChannelNames = [.. table.Header],
        };
    }

    /// <summary>A token as a column label: whitespace made visible.</summary>
    private static string Visible(string token) => token switch
    {
        " " => "␣",
        "\t" => "⇥",
        _ => token,
    };
}

/// <summary>The model being explained: its file, task and network.</summary>
internal sealed record ModelSummary(string Source, string Task, SequenceModel<float> Model);

/// <summary>The one sequence to explain: the network's input batch (one sequence) and how to show it.</summary>
internal sealed record ExplainedInput(ModelSummary Summary, SequenceBatch<float> Batch)
{
    /// <summary>The network.</summary>
    public SequenceModel<float> Model => Summary.Model;

    /// <summary>Where the sequence comes from, in words.</summary>
    public required string Description { get; init; }

    /// <summary>One label per valid step: the token, the time, the value or the step number.</summary>
    public required IReadOnlyList<string> StepLabels { get; init; }

    /// <summary>What the step labels are ("token", "month", …).</summary>
    public required string StepAxis { get; init; }

    /// <summary>The names of the numeric input channels (none for tokens).</summary>
    public required IReadOnlyList<string> ChannelNames { get; init; }

    /// <summary>The text of a token sequence, or null.</summary>
    public string? Text { get; init; }

    /// <summary>The prediction in words, or null to list the network's raw outputs.</summary>
    public string? Prediction { get; init; }
}
