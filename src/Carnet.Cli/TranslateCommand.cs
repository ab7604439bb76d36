using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Data;
using Carnet.Tasks.Translation;

namespace Carnet.Cli;

/// <summary>
/// <c>carnet translate</c>: translates sentences with a trained model; <c>train</c>, <c>evaluate</c> and <c>score</c>
/// train an encoder-decoder with attention on sentence pairs, measure it, and score plain text as sacreBLEU would.
/// </summary>
internal static class TranslateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors written by carnet translate train.", Required = true };
        var input = new Option<string?>("--input") { Description = "UTF-8 text, one sentence per line (default: standard input)." };
        var search = new SearchArguments();
        var command = new Command(
            "translate",
            "Sequence to sequence with attention: translate sentences (one per line) with a trained model, or train, evaluate and score one.\n" +
            "Example: carnet translate train --data data/eng_fra_tatoeba_5000.tsv --out runs/fra\n" +
            "         echo \"I am cold.\" | carnet translate --model runs/fra/model.safetensors")
        {
            model, input, search.Beam, search.LengthPenalty, search.ReplaceUnknown,
        };
        command.Subcommands.Add(TranslateTrainCommand.Create(output, error));
        command.Subcommands.Add(Evaluate(output, error));
        command.Subcommands.Add(Score(output, error));
        command.SetAction(parse => CommandSupport.Guard("translate", error, () =>
        {
            var translator = Translator.Load(parse.GetValue(model)!);
            string? path = parse.GetValue(input);
            using var reader = path is null ? Console.In : new StreamReader(InputFile.Open(path), new UTF8Encoding(false, throwOnInvalidBytes: true));
            string name = path ?? "standard input";
            int line = 0;
            while (ReadLine(reader, name, line + 1) is { } sentence)
            {
                line++;
                var translation = Translate(translator, sentence, name, line, search.Options(parse), parse.GetValue(search.ReplaceUnknown));
                output.WriteLine(translation);
                output.Flush(); // each sentence as soon as it is translated
            }

            return 0;
        }));
        return command;
    }

    /// <summary>The beam, length penalty and unknown-word options the commands that translate share.</summary>
    internal sealed class SearchArguments
    {
        public Option<int> Beam { get; } = CommandSupport.Option("--beam", "Beam size (1: greedy decoding).", 5);

        public Option<double> LengthPenalty { get; } = CommandSupport.Option("--length-penalty", "α of GNMT's length normalisation (0: none).", 0.6);

        public Option<bool> ReplaceUnknown { get; } = CommandSupport.Option("--replace-unknown", "Replace each <unk> by the source token it attended to most.", false);

        public Seq2SeqSearchOptions Options(ParseResult parse)
        {
            int beam = parse.GetValue(Beam);
            double alpha = parse.GetValue(LengthPenalty);
            if (beam < 1 || alpha < 0)
            {
                throw new ArgumentException($"--beam is {beam} and --length-penalty {alpha}; the beam must be at least 1 and the penalty not negative");
            }

            return new Seq2SeqSearchOptions { BeamSize = beam, LengthPenalty = alpha };
        }
    }

    private static string Translate(Translator translator, string sentence, string file, int line, Seq2SeqSearchOptions search, bool replaceUnknown)
    {
        TranslationTrainer.CheckSources(translator, file, [new SentencePair(sentence, string.Empty, line)]);
        return translator.Translate([sentence], search, replaceUnknown)[0].Text;
    }

    private static string? ReadLine(TextReader reader, string file, int line)
    {
        try
        {
            return InputFile.ReadLine(reader, file, line); // a line of at most 1 Mi characters: an endless one is refused
        }
        catch (DecoderFallbackException)
        {
            throw new DataFormatException(file, line, 1, "invalid UTF-8");
        }
    }

    private static Command Evaluate(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors written by carnet translate train.", Required = true };
        var data = new Option<string>("--data") { Description = "Tab- or comma-separated pairs with a header.", Required = true };
        var sourceColumn = new Option<string?>("--source") { Description = "The source column (default: the first)." };
        var targetColumn = new Option<string?>("--target") { Description = "The target column (default: the second)." };
        var outFolder = new Option<string?>("--out") { Description = "Folder for metrics.json and predictions.tsv (default: beside the model)." };
        var search = new SearchArguments();
        var command = new Command(
            "evaluate",
            "Translate a file's source column and score it against the target column: BLEU and chrF (sacreBLEU), exact match, token error rate.\n" +
            "Example: carnet translate evaluate --model runs/fra/model.safetensors --data test.tsv")
        {
            model, data, sourceColumn, targetColumn, outFolder, search.Beam, search.LengthPenalty, search.ReplaceUnknown,
        };
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!;
            var folder = new OutputFolder(parse.GetValue(outFolder) ?? Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
            return CommandSupport.Guard("translate", error, () =>
            {
                var translator = Translator.Load(modelPath);
                var pairs = TranslationPairs.Read(parse.GetValue(data)!, parse.GetValue(sourceColumn), parse.GetValue(targetColumn));
                TranslationTrainer.CheckSources(translator, pairs.File, pairs.Pairs);
                var evaluation = TranslationEvaluation.Evaluate(translator, pairs.Pairs, search.Options(parse), parse.GetValue(search.ReplaceUnknown));
                folder.Create();
                var files = folder.Commit(
                [
                    ("metrics.json", p => File.WriteAllText(p, TranslateReport.EvaluationMetrics(evaluation), new UTF8Encoding(false))),
                    ("predictions.tsv", p => File.WriteAllText(p, TranslateReport.Predictions(pairs.Pairs, evaluation), new UTF8Encoding(false))),
                ]);
                output.WriteLine(TranslateReport.Summary(evaluation));
                output.WriteLine($"written: {string.Join(", ", files)}");
                return 0;
            }, folder);
        });
        return command;
    }

    private static Command Score(TextWriter output, TextWriter error)
    {
        var hypotheses = new Option<string>("--hypotheses") { Description = "Plain UTF-8 text, one translation per line.", Required = true };
        var references = new Option<string[]>("--references")
        {
            Description = "Plain UTF-8 text, one reference per line; repeat the option for several references.", Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command(
            "score",
            "Print corpus BLEU and chrF of plain text files, as sacreBLEU computes them with its default settings.\n" +
            "Example: carnet translate score --hypotheses out.txt --references ref1.txt --references ref2.txt")
        {
            hypotheses, references,
        };
        command.SetAction(parse => CommandSupport.Guard("translate", error, () =>
        {
            var hypothesisLines = TranslateReport.ReadLines(parse.GetValue(hypotheses)!);
            var referenceStreams = parse.GetValue(references)!.Select(TranslateReport.ReadLines).ToList();
            output.WriteLine(TranslateReport.Scores(parse.GetValue(hypotheses)!, hypothesisLines, parse.GetValue(references)!, referenceStreams));
            return 0;
        }));
        return command;
    }
}
