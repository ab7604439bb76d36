using System.Diagnostics;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Data;
using Carnet.Training;
using Carnet.Training.Distributed;

namespace Carnet.Tasks.Translation;

/// <summary>What decides the best epoch, early stopping and the learning-rate plateau.</summary>
public enum TranslationSelection
{
    /// <summary>The held-out cross-entropy per target token (lower is better).</summary>
    Loss,

    /// <summary>The held-out BLEU of greedy translations (higher is better).</summary>
    Bleu,
}

/// <summary>How <see cref="TranslationTrainer"/> trains.</summary>
public sealed record TranslationTrainingOptions
{
    /// <summary>How source sentences are cut into tokens, and the vocabulary's size.</summary>
    public TokenizerOptions SourceTokens { get; init; } = new();

    /// <summary>How target sentences are cut into tokens, and the vocabulary's size.</summary>
    public TokenizerOptions TargetTokens { get; init; } = new();

    /// <summary>The architecture (the vocabulary sizes are filled in from the codecs).</summary>
    public Seq2SeqOptions Network { get; init; } = new();

    /// <summary>Most passes over the training pairs.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Pairs per optimizer step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Halve the learning rate after this many epochs without improvement (null: constant).</summary>
    public int? PlateauPatience { get; init; } = 2;

    /// <summary>Clip gradients to this global norm (null: none).</summary>
    public double? ClipGradientNorm { get; init; } = 5;

    /// <summary>The probability that the decoder reads the true previous token rather than its own choice.</summary>
    public double TeacherForcing { get; init; } = 1;

    /// <summary>ε of label smoothing.</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Stop after this many epochs without improvement (null: never).</summary>
    public int? Patience { get; init; } = 5;

    /// <summary>What the best epoch is chosen by.</summary>
    public TranslationSelection Selection { get; init; } = TranslationSelection.Bleu;

    /// <summary>End with the best epoch's weights (true) or the last epoch's.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Seed of the weights, the batches, dropout and teacher forcing.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Stop at the first step past this (the epoch is then measured and the best weights kept).</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Where each epoch's checkpoint goes (null: none).</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// When set, this process is one rank of a data-parallel run (<see cref="TrainingLoopOptions.Distributed"/>): the
    /// batch size stays the global batch, and rank 0 alone writes the checkpoint.
    /// </summary>
    public Carnet.Training.Distributed.Communicator? Distributed { get; init; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }

    /// <summary>What messages call the held-out pairs' file.</summary>
    public string HeldOutName { get; init; } = "held-out pairs";
}

/// <summary>Training progress: after each step, and at each epoch's end with the held-out figures.</summary>
public sealed record TranslationProgress(
    int Epoch, int Epochs, int Batch, int Batches, double TrainingLoss, double? ValidationLoss, double? Bleu, bool EpochEnd, TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>One epoch of a translation run; the held-out figures are null without held-out pairs.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="TrainingLoss">The epoch's training loss per target token (with label smoothing).</param>
/// <param name="HeldOutLoss">The held-out cross-entropy per target token.</param>
/// <param name="Bleu">Held-out BLEU of greedy translations.</param>
/// <param name="ExactMatch">The share of held-out sources translated exactly (greedy).</param>
/// <param name="TokenErrorRate">The held-out token error rate (greedy).</param>
/// <param name="TrainingSeconds">Training time up to the epoch's end, validation excluded, across resumed runs.</param>
/// <param name="LearningRate">The learning rate at the epoch's end.</param>
public sealed record TranslationEpoch(
    int Epoch, double TrainingLoss, double? HeldOutLoss, double? Bleu, double? ExactMatch, double? TokenErrorRate, double TrainingSeconds, double LearningRate);

/// <summary>A finished training run.</summary>
/// <param name="Translator">The model, with the best epoch's weights.</param>
/// <param name="History">Every epoch's figures.</param>
/// <param name="BestEpoch">The epoch whose weights were kept.</param>
/// <param name="Stop">Why training ended.</param>
/// <param name="Elapsed">Wall time of the run in this process.</param>
/// <param name="TargetTokensPerSecond">Target tokens trained on per second of training (validation excluded) in this process.</param>
public sealed record TranslationOutcome(
    Translator Translator, IReadOnlyList<TranslationEpoch> History, int? BestEpoch, TrainingStop Stop, TimeSpan Elapsed, double TargetTokensPerSecond)
{
    /// <summary>The ranks that trained together; 1 for one process. <see cref="TargetTokensPerSecond"/> counts this rank's share.</summary>
    public int WorldSize { get; init; } = 1;
}

/// <summary>Trains a <see cref="Translator"/> on sentence pairs with the shared <see cref="TrainingLoop{T, TBatch}"/>.</summary>
public static class TranslationTrainer
{
    private const string HistoryNote = "translate.";

    /// <summary>
    /// Learns both codecs from <paramref name="training"/>, builds the network, and trains it, measuring
    /// <paramref name="heldOut"/> after each epoch (loss and greedy BLEU).
    /// </summary>
    public static TranslationOutcome Fit(
        IReadOnlyList<SentencePair> training, IReadOnlyList<SentencePair> heldOut, TranslationTrainingOptions options, Action<TranslationProgress>? progress = null)
    {
        if (training.Count == 0)
        {
            throw new ArgumentException("There are no training pairs.", nameof(training));
        }

        var source = SentenceCodec.Learn(training.Select(p => p.Source).ToList(), options.SourceTokens);
        var target = SentenceCodec.Learn(training.Select(p => p.Target).ToList(), options.TargetTokens);
        var trainingPairs = Encode(training, source, target);
        var random = new RandomSource(options.Seed);
        var network = options.Network with { SourceVocabularySize = source.Vocabulary.Count, TargetVocabularySize = target.Vocabulary.Count };
        var model = new Seq2SeqModel<float>(network, random.Fork());
        int longest = trainingPairs.Pairs.Max(p => p.Source.Length);
        var translator = new Translator(model, source, target, 2 * longest);
        CheckSources(translator, options.HeldOutName, heldOut);
        var run = new Run(translator, heldOut, options, progress, (trainingPairs.Pairs.Count + options.BatchSize - 1) / options.BatchSize);
        var trainable = new TranslationTrainable(model, options.TeacherForcing, options.LabelSmoothing)
        {
            Metadata = translator.Metadata(),
            Validation = heldOut.Count > 0 ? run.Validate : null,
        };
        var optimizer = new Adam<float>(model.Modules.Select(m => m.Module).ToList(), options.LearningRate);
        var schedule = options.PlateauPatience is { } patience && heldOut.Count > 0
            ? new ReduceOnPlateauSchedule(optimizer, new PlateauOptions { Factor = 0.5, Patience = patience, Threshold = 0 })
            : null;
        var loop = new TrainingLoop<float, Seq2SeqBatch>(trainable, optimizer, new TrainingLoopOptions
        {
            Epochs = options.Epochs, ClipGradientNorm = options.ClipGradientNorm, Patience = options.Patience, CheckpointPath = options.CheckpointPath,
            TimeLimit = options.TimeLimit, TimeLimitCheck = TimeLimitCheck.AfterEachStep, RestoreBestWeights = options.RestoreBestWeights,
            Distributed = options.Distributed,
        }, schedule);
        loop.Starting += run.Start;
        loop.EpochEnding += run.EndEpoch;
        loop.Progress += run.Report;
        var clock = Stopwatch.StartNew();
        var batches = new BatchSource<Seq2SeqBatch>(r => trainingPairs.Shuffled(options.BatchSize, r)) { Shard = Shard };
        var report = loop.Fit(batches, random, options.Resume);
        double tokensPerSecond = trainable.TargetTokens / Math.Max(1e-9, run.TrainingSeconds);
        return new TranslationOutcome(translator, run.History(report.Epochs), report.BestEpoch, report.Stop, clock.Elapsed, tokensPerSecond)
        {
            WorldSize = report.WorldSize,
        };
    }

    /// <summary>Rank <paramref name="rank"/>'s pairs of a global batch (<see cref="Shards.Range"/>), or null when it has none.</summary>
    private static Seq2SeqBatch? Shard(Seq2SeqBatch batch, int rank, int ranks)
    {
        var (start, length) = Shards.Range(batch.Batch, rank, ranks);
        return length == 0 ? null : batch.Rows(start, length);
    }

    /// <summary>Refuses a source the model cannot read (empty, or longer than it was built for), naming its file and line.</summary>
    public static void CheckSources(Translator translator, string name, IReadOnlyList<SentencePair> pairs)
    {
        foreach (var pair in pairs)
        {
            try
            {
                translator.EncodeSource(pair.Source);
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException(name, pair.Line, 1, e.Message);
            }
        }
    }

    /// <summary>Pairs as ids by the codecs.</summary>
    public static EncodedPairs Encode(IReadOnlyList<SentencePair> pairs, SentenceCodec source, SentenceCodec target)
        => new(pairs.Select(p => (source.Encode(p.Source), target.Encode(p.Target))).ToList());

    /// <summary>The run's state beside the loop: the held-out history (kept in checkpoint notes), timing and progress.</summary>
    private sealed class Run(Translator translator, IReadOnlyList<SentencePair> heldOut, TranslationTrainingOptions options,
        Action<TranslationProgress>? progress, int batches)
    {
        private static readonly string[] Columns = ["held_out_loss", "bleu", "exact_match", "token_error_rate", "training_seconds"];
        private readonly EncodedPairs? heldOutPairs = heldOut.Count > 0 ? Encode(heldOut, translator.Source, translator.Target) : null;
        private readonly List<double[]> rows = []; // per epoch: the Columns
        private double? lastLoss;
        private TranslationEvaluation? lastEvaluation;
        private TimeSpan validationTime;
        private double previousSeconds;

        public double TrainingSeconds { get; private set; }

        public void Start(TrainingStart start)
        {
            if (start.Epochs.Count == 0)
            {
                return;
            }

            var notes = MetadataReader.ForEntries(start.Notes, options.CheckpointPath ?? "checkpoint", Checkpoint.NotePrefix, "a translation checkpoint");
            var columns = Columns.Select(c => notes.Numbers(HistoryNote + c)).ToArray();
            if (columns.Any(c => c.Length != start.Epochs.Count))
            {
                throw new SafeTensorsFormatException(options.CheckpointPath ?? "checkpoint", $"the checkpoint's translation notes do not cover its {start.Epochs.Count} epoch(s)");
            }

            rows.AddRange(Enumerable.Range(0, start.Epochs.Count).Select(e => columns.Select(c => c[e]).ToArray()));
            previousSeconds = rows[^1][^1];
        }

        public double Validate()
        {
            var clock = Stopwatch.StartNew();
            lastLoss = TranslationTrainable.Evaluate(translator.Model, heldOutPairs!, options.BatchSize);
            lastEvaluation = TranslationEvaluation.Evaluate(translator, heldOut, new Seq2SeqSearchOptions { BeamSize = 1, BatchSize = options.BatchSize });
            validationTime += clock.Elapsed;
            return options.Selection == TranslationSelection.Bleu ? -lastEvaluation.Bleu : lastLoss.Value;
        }

        public void EndEpoch(EpochEnd end)
        {
            TrainingSeconds = (end.Elapsed - validationTime).TotalSeconds;
            var e = lastEvaluation;
            rows.Add([lastLoss ?? double.NaN, e?.Bleu ?? double.NaN, e?.ExactMatch ?? double.NaN, e?.TokenErrorRate ?? double.NaN, previousSeconds + TrainingSeconds]);
            for (int c = 0; c < Columns.Length; c++)
            {
                end.Notes[HistoryNote + Columns[c]] = MetadataWriter.Numbers(rows.Select(r => r[c]));
            }
        }

        public void Report(TrainingProgress p)
        {
            TimeSpan? remaining = options.TimeLimit is { } limit ? limit - p.Elapsed : null;
            progress?.Invoke(new TranslationProgress(p.Epoch, p.Epochs, p.Batch, batches, p.TrainingLoss,
                p.EpochEnd ? lastLoss : null, p.EpochEnd ? lastEvaluation?.Bleu : null, p.EpochEnd, p.Elapsed, remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining));
        }

        /// <summary>The loop's epochs joined with the held-out figures.</summary>
        public List<TranslationEpoch> History(IReadOnlyList<EpochRecord> epochs) => epochs.Select((e, i) => new TranslationEpoch(
            e.Epoch, e.TrainingLoss, Known(rows[i][0]), Known(rows[i][1]), Known(rows[i][2]), Known(rows[i][3]), rows[i][4], e.LearningRate)).ToList();

        private static double? Known(double value) => double.IsNaN(value) ? null : value;
    }
}
