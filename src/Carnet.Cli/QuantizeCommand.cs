using System.CommandLine;
using System.Globalization;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Data;
using Carnet.Tasks.Evaluation;
using Carnet.Tasks.Forecasting;
using Carnet.Tasks.Tagging;
using Carnet.Tasks.Text;
using Carnet.Tasks.Text.Music;
using Carnet.Tasks.Translation;

namespace Carnet.Cli;

/// <summary>
/// <c>carnet quantize</c>: a model file with int8 weights (one scale per output row, activations quantised as they come),
/// and with <c>--check</c> the float and int8 models scored side by side on the same data.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A Carnet model file (.safetensors) of any task.", Required = true };
        var result = new Option<string>("--out") { Description = "Where to write the int8 model (.safetensors).", Required = true };
        var embedding = new Option<bool>("--embedding") { Description = "Store the embedding tables in int8 too (the lookups then read int8 rows times their scales)." };
        var check = new Option<string?>("--check")
        {
            Description = "Score the float and the int8 model on this data and print both: the last horizon of a series (MASE), labelled\n" +
                "sequences (accuracy), a text or ABC file (bits per character), a CoNLL file (token accuracy), sentence pairs (BLEU, chrF).",
        };
        var command = new Command(
            "quantize",
            "Write a model with int8 weights, as PyTorch's quantize_dynamic does: every weight matrix of the recurrent layers, linear\n" +
                "layers and attention held as int8 with one symmetric scale per output row, biases in float, activations quantised\n" +
                "row by row as they meet a weight. The file is safetensors (I8 weights, F32 '<name>_scale' tensors, metadata\n" +
                "quantization=int8-symmetric-per-row); every command that reads the float model reads it.\n" +
                "Example: carnet quantize --model runs/moby/model.safetensors --out runs/moby/model-int8.safetensors --check moby-heldout.txt")
        {
            model, result, embedding, check,
        };
        command.SetAction(parse => CommandSupport.Guard("quantize", error, () =>
            Run(parse.GetValue(model)!, parse.GetValue(result)!, parse.GetValue(embedding), parse.GetValue(check), output)));
        return command;
    }

    private static int Run(string modelPath, string outputPath, bool includeEmbedding, string? checkPath, TextWriter output)
    {
        var file = SafeTensorsFile.Read(modelPath);
        if (file.Metadata.TryGetValue("quantization", out string? scheme))
        {
            throw new SafeTensorsFormatException(file.Source, $"is already quantised ({scheme}); quantise the float model");
        }

        var exact = Candidate.Read(file);
        var quantized = Candidate.Read(file);
        var summary = Quantization.Quantize(quantized.Modules, includeEmbedding);
        quantized.Save(outputPath);
        long before = new FileInfo(modelPath).Length, after = new FileInfo(outputPath).Length;
        output.WriteLine($"{file.Source}: {exact.Description}; {summary.Weights.Count} weight matrices to int8 " +
            $"({string.Join(", ", summary.Weights.Select(w => w.Name))})");
        output.WriteLine($"weights: {Bytes(summary.FloatBytes)} float -> {Bytes(summary.QuantizedBytes)} int8 with scales ({summary.SizeRatio:0.000}x); " +
            $"file: {Bytes(before)} -> {Bytes(after)} ({(double)after / before:0.000}x)");
        output.WriteLine($"written: {outputPath}");
        if (checkPath is not null)
        {
            var floatScores = exact.Check(checkPath);
            var int8Scores = quantized.Check(checkPath);
            output.WriteLine($"check on {checkPath}:");
            output.WriteLine($"  {"metric",-22} {"float",12} {"int8",12}");
            foreach (var ((metric, value), (_, quantizedValue)) in floatScores.Metrics.Zip(int8Scores.Metrics))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {metric,-22} {value,12:0.0000} {quantizedValue,12:0.0000}"));
            }

            if (floatScores.Predictions is { } first && int8Scores.Predictions is { } second)
            {
                output.WriteLine($"  {first.Zip(second).Count(p => p.First != p.Second)} of {first.Count} predictions differ");
            }
        }

        return 0;
    }

    private static string Bytes(long count) => count < 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{count / 1024.0:0.0} KiB")
        : string.Create(CultureInfo.InvariantCulture, $"{count / 1048576.0:0.00} MiB");

    /// <summary>A metric per line, and for a classifier or tagger the predictions, to count how many int8 changed.</summary>
    private sealed record Scores(IReadOnlyList<(string Metric, double Value)> Metrics, IReadOnlyList<string>? Predictions = null);

    /// <summary>A model read from a file: its modules, how to save it as it is, and how to score it on a data file.</summary>
    private sealed record Candidate(string Description, IReadOnlyList<(string Prefix, Module<float> Module)> Modules, Action<string> Save, Func<string, Scores> Check)
    {
        public static Candidate Read(SafeTensorsFile file)
        {
            string format = file.Metadata.GetValueOrDefault("format", "");
            return format switch
            {
                ModelFile.Format => SequenceModel(file),
                SequenceTagger.Format => Tagger(SequenceTagger.Load(file)),
                Translator.Format => Translation(Translator.Load(file)),
                _ => throw new SafeTensorsFormatException(file.Source,
                    $"is a '{format}' file; carnet quantize reads model files ({ModelFile.Format}, {SequenceTagger.Format}, {Translator.Format})"),
            };
        }

        private static Candidate SequenceModel(SafeTensorsFile file)
        {
            var loaded = ModelFile.Load<float>(file);
            string task = loaded.Task, source = file.Source;
            Func<string, Scores> check = task switch
            {
                ForecastModel.Task => Forecast(ForecastModel.FromLoaded(loaded, source)),
                SequenceClassifier.Task => Classify(SequenceClassifier.FromLoaded(loaded, source)),
                CharacterModel.Task => Text(CharacterModel.FromLoaded(loaded, source)),
                MusicModel.Task => Text(MusicModel.FromLoaded(loaded, source).Characters),
                _ => _ => throw new ArgumentException($"--check: {source} is a model of task '{task}', which has no metric to check"),
            };
            string cell = RecurrentCells.Of(loaded.Model.Options.Cell).Name;
            return new Candidate($"a {task} model ({cell})", loaded.Model.Modules, path => ModelFile.Save(path, loaded.Model, loaded.Preprocessing), check);
        }

        private static Func<string, Scores> Forecast(ForecastModel model) => path =>
        {
            var metrics = model.EvaluateLastHorizon(PredictCommand.Series(model, CsvTable.Read(path)));
            return new Scores([("MASE (last horizon)", metrics.Mase), ("MAE", metrics.Mae)]);
        };

        private static Func<string, Scores> Classify(SequenceClassifier model) => path =>
        {
            var sequences = PredictCommand.Sequences(model, CsvTable.Read(path));
            int[] actual = model.ClassIds(sequences), predicted = model.Predict(model.Probabilities(sequences));
            var metrics = ClassificationMetrics.Compute(actual, predicted, model.Classes.Count);
            return new Scores([("accuracy", metrics.Accuracy), ("macro F1", metrics.MacroF1)], [.. predicted.Select(p => model.Classes[p])]);
        };

        private static Func<string, Scores> Text(CharacterModel model)
            => path => new Scores([("bits per character", model.BitsPerCharacter(Utf8File.Read(path), path))]);

        private static Candidate Tagger(SequenceTagger tagger) => new("a tagger (BiLSTM)", tagger.Network.Modules, tagger.Save, path =>
        {
            var sentences = TaggedCorpus.ReadConll(path).Sentences;
            var predicted = tagger.Predict(sentences);
            var metrics = TaggingMetrics.Compute([.. sentences.Select(s => s.Tags!)], predicted, tagger.Vocabulary.Tags);
            return new Scores([("token accuracy", metrics.Accuracy)], [.. predicted.SelectMany(tags => tags)]);
        });

        private static Candidate Translation(Translator translator) => new("a translation model (encoder-decoder)", translator.Model.Modules, translator.Save, path =>
        {
            var pairs = TranslationPairs.Read(path);
            var evaluation = TranslationEvaluation.Evaluate(translator, pairs.Pairs, new Seq2SeqSearchOptions());
            return new Scores([("BLEU", evaluation.Bleu), ("chrF", evaluation.Chrf), ("exact match", evaluation.ExactMatch)],
                [.. evaluation.Translations.Select(t => t.Text)]);
        });
    }
}
