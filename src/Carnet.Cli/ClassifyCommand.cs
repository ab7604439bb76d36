using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.Models;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Data;

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
        var bidirectional = CommandSupport.Option("--bidirectional", "Read each sequence in both directions.", false);
        var pooling = CommandSupport.Choice("--pooling", "How outputs over time become one vector: last, mean, max, attention, " +
            "or flatten (every step side by side, for fixed-length sequences).",
            "last", "last", "mean", "max", "attention", "flatten");
        var embedding = CommandSupport.Option("--embedding-size", "Embedding size for categorical tokens.", 16);
        var weights = CommandSupport.Choice("--class-weights", "Weight classes in the loss: none or balanced.", "none", "none", "balanced");
        var decay = CommandSupport.Option("--weight-decay", "Decoupled weight decay (AdamW); 0 uses Adam.", 0.0);
        var validation = CommandSupport.Option("--validation", "Share of each class held out for validation.", 0.15);
        var test = CommandSupport.Option("--test", "Share of each class held out for testing.", 0.15);
        var training = new TrainingArguments("classify", "sequences", epochs: 60, batchSize: 32, learningRate: 0.003, patience: 10,
            " (the learning rate halves after a third of them)");
        var command = new Command(
            "classify",
            "Train a recurrent network to label whole sequences from a CSV file (long or wide format) and report test accuracy.\n" +
            "Example: carnet classify --data digits_8x8_rows.csv --label label --features-per-step 8 --out runs/digits")
        {
            data, label, id, time, features, perStep, bidirectional, pooling, embedding, weights, decay, validation, test,
        };
        training.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(data)!;
            var folder = training.Folder(parse, path);
            var view = training.View(parse, output);
            return CommandSupport.Guard("classify", error, () =>
            {
                training.Join(parse, folder, view, path);
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
                    Cell = training.CellKind(parse),
                    HiddenSize = parse.GetValue(training.HiddenSize),
                    NumLayers = parse.GetValue(training.NumLayers),
                    Bidirectional = parse.GetValue(bidirectional),
                    Dropout = parse.GetValue(training.Dropout),
                    Pooling = Enum.Parse<Pooling>(parse.GetValue(pooling)!, ignoreCase: true),
                    EmbeddingSize = parse.GetValue(embedding),
                    ClassWeighting = parse.GetValue(weights) == "balanced" ? ClassWeighting.Balanced : ClassWeighting.None,
                    Epochs = parse.GetValue(training.Epochs),
                    BatchSize = parse.GetValue(training.BatchSize),
                    LearningRate = parse.GetValue(training.LearningRate),
                    Patience = parse.GetValue(training.Patience),
                    WeightDecay = parse.GetValue(decay),
                    ValidationFraction = parse.GetValue(validation),
                    TestFraction = parse.GetValue(test),
                    Seed = parse.GetValue(training.Seed),
                    CheckpointPath = folder.CheckpointPath,
                    Resume = parse.GetValue(training.Resume),
                    Distributed = folder.Communicator,
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
            ("metrics.json", p => File.WriteAllText(p, MetricsJson.Classification(outcome), new UTF8Encoding(false))),
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
}
