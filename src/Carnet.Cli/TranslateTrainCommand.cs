using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Translation;

namespace Carnet.Cli;

/// <summary><c>carnet translate train</c>: an encoder-decoder with attention trained on sentence pairs, measured on held-out pairs.</summary>
internal static class TranslateTrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var a = new Arguments();
        var command = new Command(
            "train",
            "Train an encoder-decoder with attention on sentence pairs; report BLEU, chrF, exact match and token error rate on held-out pairs.\n" +
            "Example: carnet translate train --data data/eng_fra_tatoeba_5000.tsv --out runs/fra --time-limit 8");
        foreach (Option option in a.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            string path = parse.GetValue(a.Data)!;
            var folder = new OutputFolder(parse.GetValue(a.Output) ?? Path.Combine("runs", $"translate-{Path.GetFileNameWithoutExtension(path)}"));
            var view = new TrainingView(output, parse.GetValue(a.Quiet));
            return CommandSupport.Guard("translate", error, () =>
            {
                using var threadScope = KernelSettings.Use(maximumThreads: CommandSupport.ThreadLimit(parse.GetValue(a.Threads)));
                DistributedJob.Join(parse, a.Distributed, folder, view, path);
                var options = a.TrainingOptions(parse, folder);
                var pairs = TranslationPairs.Read(path, parse.GetValue(a.SourceColumn), parse.GetValue(a.TargetColumn));
                var (training, heldOut, heldOutName) = parse.GetValue(a.Test) is { } testPath
                    ? (pairs.Pairs, TranslationPairs.Read(testPath, pairs.SourceColumn, pairs.TargetColumn).Pairs, testPath)
                    : Split(pairs, parse.GetValue(a.HeldOut), options.Seed);
                return Run(training, heldOut, options with { HeldOutName = heldOutName }, a.Search.Options(parse), parse.GetValue(a.Search.ReplaceUnknown), folder, view);
            }, folder);
        });
        return command;
    }

    private static (IReadOnlyList<SentencePair>, IReadOnlyList<SentencePair>, string) Split(TranslationPairs pairs, double fraction, ulong seed)
    {
        var (training, heldOut) = pairs.Split(fraction, new RandomSource(seed));
        return (training, heldOut, $"{pairs.File} (held out)");
    }

    private static int Run(IReadOnlyList<SentencePair> training, IReadOnlyList<SentencePair> heldOut, TranslationTrainingOptions options,
        Seq2SeqSearchOptions search, bool replaceUnknown, OutputFolder folder, TrainingView view)
    {
        var n = options.Network;
        view.Line(string.Create(CultureInfo.InvariantCulture,
            $"{training.Count:N0} training pairs, {heldOut.Count:N0} held out; tokens: {options.SourceTokens.Kind} → {options.TargetTokens.Kind}. " +
            $"{(n.Bidirectional ? "Bi" : "")}{n.EncoderCell.Cell().Name} {n.EncoderHiddenSize} × {n.EncoderLayers} → " +
                $"{n.DecoderCell.Cell().Name} {n.DecoderHiddenSize} × {n.DecoderLayers}, " +
            $"attention {Seq2SeqOptions.AttentionNames.First(x => x.Value == n.Attention).Name}{(n.InputFeeding ? " with input feeding" : "")}."));
        folder.Create();
        var outcome = TranslationTrainer.Fit(training, heldOut, options, p => Progress(view, p));
        var evaluation = TranslationEvaluation.Evaluate(outcome.Translator, heldOut, search, replaceUnknown);
        var greedy = search.BeamSize == 1 ? evaluation : TranslationEvaluation.Evaluate(outcome.Translator, heldOut, search with { BeamSize = 1 }, replaceUnknown);
        var files = folder.Commit(
        [
            ("model.safetensors", outcome.Translator.Save),
            ("metrics.json", p => File.WriteAllText(p, TranslateReport.TrainingMetrics(outcome, evaluation, greedy, search), new UTF8Encoding(false))),
            ("predictions.tsv", p => File.WriteAllText(p, TranslateReport.Predictions(heldOut, evaluation), new UTF8Encoding(false))),
            ("report.html", p => TranslateReport.Page(training.Count, heldOut, outcome, evaluation, greedy, search).Save(p)),
        ]);
        view.Line("held-out " + TranslateReport.Summary(evaluation) + $" (beam {search.BeamSize})" +
            string.Create(CultureInfo.InvariantCulture, $"; greedy BLEU {greedy.Bleu:F2}; best epoch {outcome.BestEpoch} of {outcome.History.Count}") +
            (outcome.Stop == Training.TrainingStop.TimeLimit ? " (stopped at the time limit)" : ""));
        view.Line($"written: {string.Join(", ", files)}");
        return 0;
    }

    private static void Progress(TrainingView view, TranslationProgress p)
    {
        if (!p.EpochEnd)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        string left = p.Remaining is { } r ? ", " + r.ToString(@"mm\:ss", c) + " left" : "";
        string heldOut = (p.ValidationLoss is { } v ? ", held-out loss " + v.ToString("F4", c) : "") + (p.Bleu is { } b ? ", held-out BLEU " + b.ToString("F2", c) : "");
        view.Line($"epoch {p.Epoch}/{p.Epochs}: loss {p.TrainingLoss.ToString("F4", c)}{heldOut} ({p.Elapsed.ToString(@"hh\:mm\:ss", c)}{left})");
    }

    /// <summary>The options of <c>carnet translate train</c>.</summary>
    private sealed class Arguments
    {
        public Option<string> Data { get; } = new("--data") { Description = "Tab- or comma-separated sentence pairs with a header.", Required = true };

        public Option<string?> SourceColumn { get; } = new("--source") { Description = "The source column (default: the first)." };

        public Option<string?> TargetColumn { get; } = new("--target") { Description = "The target column (default: the second)." };

        public Option<string?> Test { get; } = new("--test") { Description = "Pairs to hold out for measuring (default: a random share of --data)." };

        public Option<double> HeldOut { get; } = CommandSupport.Option("--held-out", "Share of --data held out when no --test file is given.", 0.1);

        public Option<string> Tokens { get; } = CommandSupport.Choice("--tokens", "Tokens of both sides: words, chars or bpe.", "words", "words", "chars", "bpe");

        public Option<int> VocabularySize { get; } = CommandSupport.Option("--vocabulary-size", "Byte-pair tokens: the vocabulary size the merges are learned up to.", 4000);

        public Option<string> Cell { get; } = CommandSupport.Choice("--cell", "The encoder's and decoder's cell: lstm, gru or rnn.", "lstm", "lstm", "gru", "rnn");

        public Option<int> EmbeddingSize { get; } = CommandSupport.Option("--embedding-size", "Size of each token's embedding (both sides).", 128);

        public Option<int> HiddenSize { get; } = CommandSupport.Option("--hidden-size", "Encoder units per layer and direction.", 128);

        public Option<int> NumLayers { get; } = CommandSupport.Option("--num-layers", "Stacked encoder layers.", 2);

        public Option<bool> Bidirectional { get; } = CommandSupport.Option("--bidirectional", "Read the source both ways.", true);

        public Option<int> DecoderHiddenSize { get; } = CommandSupport.Option("--decoder-hidden-size", "Decoder units per layer.", 256);

        public Option<int> DecoderLayers { get; } = CommandSupport.Option("--decoder-layers", "Stacked decoder layers.", 1);

        public Option<string> Attention { get; } = CommandSupport.Choice("--attention",
            "The attention score: none, dot, general or additive.", "general", "none", "dot", "general", "additive");

        public Option<bool> InputFeeding { get; } = CommandSupport.Option("--input-feeding",
            "Feed each attentional output into the next decoder step (not with --attention none).", true);

        public Option<string> Bridge { get; } = CommandSupport.Choice("--bridge", "How the encoder's final states start the decoder: linear or none.", "linear", "linear", "none");

        public Option<double> Dropout { get; } = CommandSupport.Option("--dropout", "Dropout on source embeddings, between layers and on the attentional output.", 0.2);

        public Option<bool> TieWeights { get; } = CommandSupport.Option("--tie-weights",
            "Share the target embeddings with the output layer (needs --embedding-size = --decoder-hidden-size).", false);

        public Option<int> Epochs { get; } = CommandSupport.Option("--epochs", "Most passes over the training pairs.", 30);

        public Option<int> BatchSize { get; } = CommandSupport.Option("--batch-size", "Pairs per optimizer step (batches group pairs of similar length).", 64);

        public Option<double> LearningRate { get; } = CommandSupport.Option("--learning-rate", "Adam's learning rate.", 0.002);

        public Option<int> Plateau { get; } = CommandSupport.Option("--plateau", "Halve the learning rate after this many epochs without a better held-out figure (0: never).", 2);

        public Option<double> Clip { get; } = CommandSupport.Option("--clip", "Clip gradients to this global norm (0: no clipping).", 5.0);

        public Option<double> TeacherForcing { get; } = CommandSupport.Option("--teacher-forcing",
            "Probability the decoder reads the true previous token rather than its own.", 1.0);

        public Option<double> LabelSmoothing { get; } = CommandSupport.Option("--label-smoothing", "ε of label smoothing.", 0.1);

        public Option<int> Patience { get; } = CommandSupport.Option("--patience", "Epochs without a better held-out figure before stopping.", 5);

        public Option<string> Select { get; } = CommandSupport.Choice("--select", "What chooses the best epoch: bleu or loss (held out).", "bleu", "bleu", "loss");

        public Option<string> Keep { get; } = CommandSupport.Choice("--keep", "The weights the model ends with: the best epoch's or the last epoch's.", "best", "best", "last");

        public Option<ulong> Seed { get; } = CommandSupport.Option("--seed", "Seed of the split, weights, batches and dropout: the same seed gives the same model.", 42UL);

        public Option<double?> TimeLimit { get; } = new("--time-limit") { Description = "Stop at the first step past this many minutes, then measure and keep the best epoch." };

        public Option<int?> Threads { get; } = new("--threads") { Description = "Threads the kernels may use (default: all cores; results are identical for any number)." };

        public Option<string?> Output { get; } = new("--out") { Description = "Output folder (default: runs/translate-<data file name>)." };

        public Option<bool> Resume { get; } = CommandSupport.Option("--resume", "Continue from the output folder's checkpoint.", false);

        public Option<bool> Quiet { get; } = CommandSupport.Option("--quiet", "Print nothing but errors.", false);

        public Option<bool> Distributed { get; } = DistributedJob.CreateOption();

        public TranslateCommand.SearchArguments Search { get; } = new();

        public IEnumerable<Option> All =>
        [
            Data, SourceColumn, TargetColumn, Test, HeldOut, Tokens, VocabularySize, Cell, EmbeddingSize, HiddenSize, NumLayers, Bidirectional,
            DecoderHiddenSize, DecoderLayers, Attention, InputFeeding, Bridge, Dropout, TieWeights, Epochs, BatchSize, LearningRate, Plateau, Clip, TeacherForcing,
            LabelSmoothing, Patience, Select, Keep, Search.Beam, Search.LengthPenalty, Search.ReplaceUnknown, Seed, TimeLimit, Threads, Output, Resume, Quiet, Distributed,
        ];

        public TranslationTrainingOptions TrainingOptions(ParseResult parse, OutputFolder folder)
        {
            double clip = parse.GetValue(Clip);
            double? minutes = parse.GetValue(TimeLimit);
            if (clip < 0 || minutes is <= 0 || parse.GetValue(Epochs) < 1 || parse.GetValue(BatchSize) < 1 || parse.GetValue(Plateau) < 0)
            {
                throw new ArgumentException("--clip and --plateau must not be negative, --time-limit must be positive, and --epochs and --batch-size at least 1");
            }

            var cell = CommandSupport.Cell(parse.GetValue(Cell)!);
            int embedding = parse.GetValue(EmbeddingSize);
            var tokens = new TokenizerOptions { Kind = TokenKind(parse.GetValue(Tokens)!), BytePairVocabularySize = parse.GetValue(VocabularySize) };
            var network = new Seq2SeqOptions
            {
                SourceEmbeddingSize = embedding, TargetEmbeddingSize = embedding, EncoderCell = cell, DecoderCell = cell,
                EncoderHiddenSize = parse.GetValue(HiddenSize), EncoderLayers = parse.GetValue(NumLayers), Bidirectional = parse.GetValue(Bidirectional),
                DecoderHiddenSize = parse.GetValue(DecoderHiddenSize), DecoderLayers = parse.GetValue(DecoderLayers),
                Attention = Seq2SeqOptions.AttentionNames.First(x => x.Name == parse.GetValue(Attention)).Value,
                InputFeeding = parse.GetValue(InputFeeding) && parse.GetValue(Attention) != "none",
                Bridge = parse.GetValue(Bridge) == "none" ? Seq2SeqBridge.None : Seq2SeqBridge.Linear,
                Dropout = parse.GetValue(Dropout), TieWeights = parse.GetValue(TieWeights),
                SourceVocabularySize = 5, TargetVocabularySize = 5,
            };
            network.Validate(); // a bad combination fails here, before any data is read
            return new TranslationTrainingOptions
            {
                SourceTokens = tokens, TargetTokens = tokens, Network = network, Epochs = parse.GetValue(Epochs), BatchSize = parse.GetValue(BatchSize),
                LearningRate = parse.GetValue(LearningRate), PlateauPatience = parse.GetValue(Plateau) > 0 ? parse.GetValue(Plateau) : null,
                ClipGradientNorm = clip > 0 ? clip : null,
                TeacherForcing = parse.GetValue(TeacherForcing),
                LabelSmoothing = parse.GetValue(LabelSmoothing), Patience = parse.GetValue(Patience),
                Selection = parse.GetValue(Select) == "loss" ? TranslationSelection.Loss : TranslationSelection.Bleu,
                RestoreBestWeights = parse.GetValue(Keep) == "best",
                Seed = parse.GetValue(Seed), TimeLimit = minutes is { } m ? TimeSpan.FromMinutes(m) : null,
                CheckpointPath = folder.CheckpointPath, Resume = parse.GetValue(Resume), Distributed = folder.Communicator,
            };
        }

        private static string TokenKind(string name) => name switch
        {
            "chars" => CharacterTokenizer.KindName,
            "bpe" => BytePairTokenizer.KindName,
            _ => WordTokenizer.KindName,
        };
    }
}
