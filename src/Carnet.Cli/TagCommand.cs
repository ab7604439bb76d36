using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.Tasks.Tagging;

namespace Carnet.Cli;

/// <summary>
/// <c>carnet tag train</c>: a BiLSTM-CRF tagger trained on a CoNLL file, with held-out scores and a report;
/// <c>carnet tag predict</c>: tags raw text (one sentence per line) with a trained tagger.
/// </summary>
internal static class TagCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("tag", "Tag every token of a sentence (part of speech, named entities) with a BiLSTM-CRF.")
        {
            Train(output, error), Predict(output, error),
        };
        return command;
    }

    private static Command Train(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data")
        {
            Description = "CoNLL file: a token and its tag per line (whitespace between; the first field is the token, the last the tag), " +
            "a blank line between sentences.", Required = true
        };
        var test = new Option<string?>("--test") { Description = "CoNLL file to test on (default: a held-out share of --data)." };
        var heldOut = CommandSupport.Option("--held-out", "Share of the sentences held out for testing when no --test file is given.", 0.1);
        var validation = CommandSupport.Option("--validation", "Share of the other sentences used for early stopping.", 0.1);
        var decoder = CommandSupport.Choice("--decoder", "Output layer: crf (Viterbi over tag transitions) or softmax (each token on its own).", "crf", "crf", "softmax");
        var wordSize = CommandSupport.Option("--word-embedding-size", "Word embedding size.", 100);
        var charSize = CommandSupport.Option("--char-embedding-size", "Character embedding size.", 25);
        var charHidden = CommandSupport.Option("--char-hidden-size", "Units per direction of the character BiLSTM (0: no character features).", 25);
        var dropout = CommandSupport.Option("--dropout", "Dropout on the token features and the sentence BiLSTM's output.", 0.3);
        var lowercase = CommandSupport.Choice("--lowercase", "Look words up lower-cased (the characters keep the case).", "yes", "yes", "no");
        var unknown = CommandSupport.Option("--unknown-replacement", "Probability that a word seen once in training is read as unknown at a training step.", 0.5);
        var minutes = new Option<double?>("--time-limit") { Description = "Stop after the first epoch that ends past this many minutes." };
        var threads = new Option<int?>("--threads") { Description = "Threads the kernels may use (default: all cores; results are identical for any number)." };
        var training = new TrainingArguments("tag", "sentences", epochs: 30, batchSize: 32, learningRate: 0.01, patience: 5, " (the learning rate halves after a third of them)");
        var command = new Command(
            "train",
            "Train a tagger on a CoNLL file; report token accuracy (and entity F1 for BIO tags) on held-out sentences.\n" +
            "Example: carnet tag train --data en_brown_news_pos.conll --out runs/brown")
        {
            data, test, heldOut, validation, decoder, wordSize, charSize, charHidden, training.HiddenSize, training.NumLayers, dropout, lowercase, unknown,
            training.Epochs, training.BatchSize, training.LearningRate, training.Patience, training.Seed, minutes, threads, training.Output, training.Resume, training.Quiet,
            training.Distributed,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(data)!;
            var folder = training.Folder(parse, path);
            var view = training.View(parse, output);
            return CommandSupport.Guard("tag", error, () =>
            {
                training.Join(parse, folder, view, path);
                using var threadScope = KernelSettings.Use(maximumThreads: CommandSupport.ThreadLimit(parse.GetValue(threads)));

                var options = new TaggerOptions
                {
                    WordEmbeddingSize = parse.GetValue(wordSize),
                    CharacterEmbeddingSize = parse.GetValue(charSize),
                    CharacterHiddenSize = parse.GetValue(charHidden),
                    HiddenSize = parse.GetValue(training.HiddenSize),
                    NumLayers = parse.GetValue(training.NumLayers),
                    Decoder = parse.GetValue(decoder) == "softmax" ? TagDecoder.Softmax : TagDecoder.Crf,
                    Dropout = parse.GetValue(dropout),
                    Lowercase = parse.GetValue(lowercase) == "yes",
                    UnknownReplacement = parse.GetValue(unknown),
                    Epochs = parse.GetValue(training.Epochs),
                    BatchSize = parse.GetValue(training.BatchSize),
                    LearningRate = parse.GetValue(training.LearningRate),
                    Patience = parse.GetValue(training.Patience),
                    HeldOutFraction = parse.GetValue(heldOut),
                    ValidationFraction = parse.GetValue(validation),
                    Seed = parse.GetValue(training.Seed),
                    TimeLimit = parse.GetValue(minutes) is { } limit ? TimeSpan.FromMinutes(limit) : null,
                    CheckpointPath = folder.CheckpointPath,
                    Resume = parse.GetValue(training.Resume),
                    Distributed = folder.Communicator,
                };
                var corpus = TaggedCorpus.ReadConll(path);
                var testCorpus = parse.GetValue(test) is { } testPath ? TaggedCorpus.ReadConll(testPath) : null;
                return Run(corpus, testCorpus, options, folder, view);
            }, folder);
        });
        return command;
    }

    private static int Run(TaggedCorpus corpus, TaggedCorpus? test, TaggerOptions options, OutputFolder folder, TrainingView view)
    {
        int tags = corpus.Sentences.SelectMany(s => s.Tags!).Distinct(StringComparer.Ordinal).Count();
        view.Line($"{corpus.Source}: {corpus.Sentences.Count} sentences, {corpus.TokenCount} tokens, {tags} tags" +
            (test is null ? "." : $"; testing on {test.Source}: {test.Sentences.Count} sentences, {test.TokenCount} tokens."));
        folder.Create();
        string title = $"BiLSTM {options.HiddenSize}-{(options.Decoder == TagDecoder.Crf ? "CRF" : "softmax")}";
        var outcome = view.Run(title, progress => Tagger.Fit(corpus, test, options, progress));
        var files = folder.Commit(
        [
            ("model.safetensors", outcome.Model.Save),
            ("metrics.json", p => File.WriteAllText(p, TagReport.Metrics(outcome), new UTF8Encoding(false))),
            ("report.html", p => TagReport.Page(corpus, outcome).Save(p)),
        ]);
        var m = outcome.Metrics;
        view.Line(string.Create(CultureInfo.InvariantCulture,
            $"held-out token accuracy {m.Accuracy:P2} on {m.TokenCount} tokens of {outcome.Test.Sentences.Count} sentences") +
            (m.Entities is { } e ? string.Create(CultureInfo.InvariantCulture, $", entity F1 {e.F1:F4} (precision {e.Precision:F4}, recall {e.Recall:F4})") : "") +
            string.Create(CultureInfo.InvariantCulture, $"; best epoch {outcome.Training.BestEpoch} of {outcome.Training.Epochs.Count}"));
        view.Line($"written: {string.Join(", ", files)}");
        return 0;
    }

    private static Command Predict(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors written by carnet tag train.", Required = true };
        var input = new Option<string>("--input") { Description = "UTF-8 text: one sentence per line, tokens separated by spaces.", Required = true };
        var result = new Option<string?>("--output") { Description = "Write the tagged text here instead of to the terminal." };
        var command = new Command(
            "predict",
            "Tag raw text: writes each token and its tag separated by a tab, one per line, a blank line after each sentence (CoNLL).\n" +
            "Example: carnet tag predict --model runs/brown/model.safetensors --input sentences.txt")
        {
            model, input, result,
        };
        command.SetAction(parse => CommandSupport.Guard("tag", error, () =>
        {
            var tagger = SequenceTagger.Load(parse.GetValue(model)!);
            var sentences = TaggedCorpus.ReadText(parse.GetValue(input)!).Sentences;
            string[][] tags = tagger.Predict(sentences);
            var text = new StringBuilder();
            for (int s = 0; s < sentences.Count; s++)
            {
                for (int t = 0; t < tags[s].Length; t++)
                {
                    text.Append(sentences[s].Tokens[t]).Append('\t').Append(tags[s][t]).Append('\n');
                }

                text.Append('\n');
            }

            if (parse.GetValue(result) is { } outputPath)
            {
                string temporary = outputPath + ".tmp";
                File.WriteAllText(temporary, text.ToString(), new UTF8Encoding(false));
                File.Move(temporary, outputPath, overwrite: true);
                output.WriteLine($"written: {outputPath}");
            }
            else
            {
                output.Write(text.ToString());
            }

            return 0;
        }));
        return command;
    }
}
