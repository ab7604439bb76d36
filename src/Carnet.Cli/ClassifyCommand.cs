using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.Classification;
using Carnet.Data;
using Carnet.Models;

namespace Carnet.Cli;

/// <summary><c>carnet classify</c>: labelled sequences in a CSV file to a trained classifier, test metrics and a report.</summary>
internal static class ClassifyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data") { Description = "CSV file with a header row.", Required = true };
        var label = new Option<string>("--label") { Description = "The label column.", Required = true };
        var id = new Option<string?>("--id") { Description = "Long format: the sequence id column (one row per time step)." };
        var time = new Option<string?>("--time") { Description = "Long format: the column ordering the steps of a sequence (default: file order)." };
        var features = new Option<string[]>("--features") { Description = "Feature columns (default: all but id, time and label).", AllowMultipleArgumentsPerToken = true };
        var perStep = CommandSupport.Option("--features-per-step", "Wide format: consecutive feature columns forming one step.", 1);
        var cell = CommandSupport.CellOption();
        var hidden = CommandSupport.Option("--hidden-size", "Units per layer and direction.", 64);
        var layers = CommandSupport.Option("--num-layers", "Stacked layers.", 1);
        var bidirectional = CommandSupport.Option("--bidirectional", "Read each sequence in both directions.", false);
        var dropout = CommandSupport.Option("--dropout", "Dropout between stacked layers.", 0.0);
        var pooling = CommandSupport.Choice("--pooling", "How outputs over time become one vector: last, mean, max or attention.", "last", "last", "mean", "max", "attention");
        var embedding = CommandSupport.Option("--embedding-size", "Embedding size for categorical tokens.", 16);
        var weights = CommandSupport.Choice("--class-weights", "Weight classes in the loss: none or balanced.", "none", "none", "balanced");
        var epochs = CommandSupport.Option("--epochs", "Most passes over the training sequences.", 60);
        var batch = CommandSupport.Option("--batch-size", "Sequences per optimizer step.", 32);
        var rate = CommandSupport.Option("--learning-rate", "Adam's learning rate.", 0.003);
        var patience = CommandSupport.Option("--patience", "Epochs without a better validation loss before stopping (the learning rate halves after a third of them).", 10);
        var decay = CommandSupport.Option("--weight-decay", "Decoupled weight decay (AdamW); 0 uses Adam.", 0.0);
        var validation = CommandSupport.Option("--validation", "Share of each class held out for validation.", 0.15);
        var test = CommandSupport.Option("--test", "Share of each class held out for testing.", 0.15);
        var seed = CommandSupport.Option("--seed", "Seed of the split, initial weights and shuffles.", 42UL);
        var outDir = new Option<string?>("--out") { Description = "Output folder (default: runs/classify-<data file name>)." };
        var resume = CommandSupport.Option("--resume", "Continue from the output folder's checkpoint.", false);
        var quiet = CommandSupport.Option("--quiet", "Print nothing but errors.", false);
        var command = new Command(
            "classify",
            "Train a recurrent network to label whole sequences from a CSV file (long or wide format) and report test accuracy.\n" +
            "Example: carnet classify --data digits_8x8_rows.csv --label label --features-per-step 8 --out runs/digits")
        {
            data, label, id, time, features, perStep, cell, hidden, layers, bidirectional, dropout, pooling, embedding, weights, epochs, batch, rate,
            patience, decay, validation, test, seed, outDir, resume, quiet,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(data)!;
            var folder = new OutputFolder(parse.GetValue(outDir) ?? Path.Combine("runs", "classify-" + Path.GetFileNameWithoutExtension(path)));
            var view = new TrainingView(output, parse.GetValue(quiet));
            return CommandSupport.Guard("classify", error, () =>
            {
                var columns = new SequenceColumns
                {
                    Id = parse.GetValue(id),
                    Time = parse.GetValue(time),
                    Label = parse.GetValue(label),
                    Features = parse.GetValue(features),
                    FeaturesPerStep = parse.GetValue(perStep),
                };
                var sequences = LabelledSequences.FromTable(CsvTable.Read(path), columns);
                var options = new ClassifierOptions
                {
                    Cell = CommandSupport.Cell(parse.GetValue(cell)!),
                    HiddenSize = parse.GetValue(hidden),
                    NumLayers = parse.GetValue(layers),
                    Bidirectional = parse.GetValue(bidirectional),
                    Dropout = parse.GetValue(dropout),
                    Pooling = Enum.Parse<Pooling>(parse.GetValue(pooling)!, ignoreCase: true),
                    EmbeddingSize = parse.GetValue(embedding),
                    ClassWeighting = parse.GetValue(weights) == "balanced" ? ClassWeighting.Balanced : ClassWeighting.None,
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(rate),
                    Patience = parse.GetValue(patience),
                    WeightDecay = parse.GetValue(decay),
                    ValidationFraction = parse.GetValue(validation),
                    TestFraction = parse.GetValue(test),
                    Seed = parse.GetValue(seed),
                    CheckpointPath = folder.CheckpointPath,
                    Resume = parse.GetValue(resume),
                };
                return Run(sequences, columns, options, folder, view);
            }, folder);
        });
        return command;
    }

    private static int Run(LabelledSequences sequences, SequenceColumns columns, ClassifierOptions options, OutputFolder folder, TrainingView view)
    {
        string kind = sequences.Tokens is null ? $"{sequences.FeaturesPerStep} feature(s) per step" : "tokens";
        view.Line($"{sequences.Source}: {sequences.Count} sequences of up to {sequences.Steps} steps ({kind}), label '{columns.Label}'.");
        Validate(options);
        folder.Create();
        var outcome = view.Run($"{options.Cell.ToString().ToUpperInvariant()} {options.HiddenSize}", progress => Classifier.Fit(sequences, columns, options, progress));
        var files = folder.Commit(
        [
            ("model.safetensors", outcome.Model.Save),
            ("metrics.json", p => File.WriteAllText(p, Metrics(outcome), new UTF8Encoding(false))),
            ("report.html", p => Reports.Classify(sequences, outcome).Save(p)),
        ]);
        view.Line(string.Create(CultureInfo.InvariantCulture,
            $"test accuracy {outcome.Metrics.Accuracy:P2}, macro F1 {outcome.Metrics.MacroF1:F4} on {outcome.TestIndices.Length} sequences; " +
            $"best epoch {outcome.Training.BestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "-"} of {outcome.Training.Epochs.Count}"));
        view.Line($"written: {string.Join(", ", files)}");
        return 0;
    }

    private static void Validate(ClassifierOptions options)
    {
        if (options.ValidationFraction is < 0 or >= 1 || options.TestFraction is <= 0 or >= 1 || options.ValidationFraction + options.TestFraction >= 1)
        {
            throw new ArgumentException("--validation and --test are shares of each class: each below 1, the test share above 0, and together below 1.");
        }
    }

    private static string Metrics(ClassificationOutcome outcome) => MetricsJson.Write(json =>
    {
        var m = outcome.Metrics;
        var classes = outcome.Model.Classes;
        MetricsJson.Number(json, "accuracy", m.Accuracy);
        MetricsJson.Number(json, "macro_f1", m.MacroF1);
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
            MetricsJson.Number(json, "precision", m.Precision[c]);
            MetricsJson.Number(json, "recall", m.Recall[c]);
            MetricsJson.Number(json, "f1", m.F1[c]);
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
        MetricsJson.Training(json, outcome.Training);
    });
}
