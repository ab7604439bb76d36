// Dimension legend: B = parallel streams, T = truncation length, V = vocabulary size, N = characters.
using System.Globalization;
using Carnet.IO;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tasks.Text;

/// <summary>
/// Trains a <see cref="CharacterModel"/> on a text: the last part held out; the rest cut into B parallel streams
/// read T characters at a time with truncated back-propagation through time (the state carried from one batch to
/// the next, reset each epoch); cross-entropy on every next character; optional dropout; gradients clipped to a
/// global norm; Adam. After each epoch it measures the held-out bits per character (the held-out part read as a
/// stream with the state carried, without dropout), keeps the best weights, generates a sample and writes a
/// checkpoint, from which a killed run resumes to the same model, byte for byte. A time limit ends training at the
/// first step past it: that epoch is measured like the others and the best model is kept.
/// </summary>
public static class CharacterTrainer
{
    private const string BatchesNote = "text.epoch_batches", SecondsNote = "text.epoch_seconds", SamplesNote = "text.samples", VocabularyNote = "text.vocabulary";

    /// <summary>Trains on <paramref name="data"/>; <paramref name="progress"/> hears every step and every epoch's end.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, or the text is too short for the batches it asks for.</exception>
    /// <exception cref="TrainingDivergedException">The loss stopped being finite.</exception>
    public static TextTrainingOutcome Fit(TextData data, TextTrainingOptions options, Action<TextTrainingProgress>? progress = null)
    {
        var (trainingIds, validationIds) = Split(data, options);
        return FitOnSplit(data.Vocabulary, trainingIds, validationIds, options, progress);
    }

    /// <summary>
    /// Trains on <paramref name="trainingIds"/> (N, at least B·T + 1) and measures on <paramref name="validationIds"/>
    /// (none, or at least 2), both ids of <paramref name="vocabulary"/>: for callers that split the text themselves.
    /// </summary>
    internal static TextTrainingOutcome FitOnSplit(CharacterVocabulary vocabulary, int[] trainingIds, int[] validationIds, TextTrainingOptions options,
        Action<TextTrainingProgress>? progress)
    {
        options.Validate();
        var seeds = new RandomSource(options.Seed);
        var model = CharacterModel.Create(vocabulary, options.Cell, options.EmbeddingSize, options.HiddenSize, options.NumLayers, options.Dropout, seeds.Fork());
        var trainable = new SequenceModelTrainable<float>(model.Network, TrainingLosses.CrossEntropy<float>())
        {
            Validation = validationIds.Length > 0 ? () => model.CrossEntropy(validationIds, options.BatchSize, options.SequenceLength) : null,
            ValidationPart = (rank, ranks) => model.CrossEntropyPart(validationIds, options.BatchSize, options.SequenceLength, rank, ranks),
        };
        var optimizer = new Adam<float>(trainable.Modules.Select(m => m.Module), options.LearningRate);
        var random = seeds.Fork();
        var run = new TextRun(model, options, seeds.NextUInt64(), MetadataWriter.Strings(vocabulary.ToStrings()))
        {
            BatchesPerEpoch = (trainingIds.Length - 1) / options.BatchSize / options.SequenceLength,
            Progress = progress,
        };
        var settings = new TrainingLoopOptions
        {
            Epochs = options.Epochs, ClipGradientNorm = options.ClipGradientNorm, CheckpointPath = options.CheckpointPath,
            Distributed = options.Distributed,
        };
        var loop = new TrainingLoop<float, TrainingBatch<float>>(
            trainable, optimizer, settings with { TimeLimit = options.TimeLimit, TimeLimitCheck = TimeLimitCheck.AfterEachStep }); // the limit ends this run at a step
        loop.Starting += run.Start;
        loop.EpochEnding += run.EndEpoch;
        loop.Progress += run.Report;
        var training = new StreamDataset<float>(trainingIds, options.SequenceLength);
        var batches = new BatchSource<TrainingBatch<float>>(r => training.Batches(options.BatchSize, r), CarriesState: true) { Shard = TrainingBatch<float>.Shard };
        var report = loop.Fit(batches, random, options.Resume);
        var extras = run.Extras;
        var epochs = report.Epochs.Select((e, i) => new TextEpoch(
            e.Epoch, Bits(e.TrainingLoss), e.ValidationLoss is { } v ? Bits(v) : null, extras.Batches[i], extras.Seconds[i], extras.Samples[i])).ToList();
        return new TextTrainingOutcome(
            model, epochs, report.BestEpoch, trainingIds.Length, validationIds.Length, run.BatchesPerEpoch, report.Stop == TrainingStop.TimeLimit, options);
    }

    /// <summary>
    /// The character ids (N) to train on and to hold out, as <see cref="Fit"/> splits them: the held-out part is the
    /// text's end; the training part must fill at least one batch (B·T characters and one target).
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range, or the text is too short.</exception>
    public static (int[] Training, int[] Validation) Split(TextData data, TextTrainingOptions options)
    {
        options.Validate();
        return data.Split(options.ValidationFraction, options.BatchSize * options.SequenceLength + 1, 2);
    }

    /// <summary>Nats to bits: divided by ln 2.</summary>
    public static double Bits(double nats) => nats / Math.Log(2);

    /// <summary>What a text run adds to the training loop: the vocabulary check on resume, a sample and notes per epoch, progress in bits.</summary>
    private sealed class TextRun(CharacterModel model, TextTrainingOptions options, ulong sampleSeed, string characters)
    {
        private double previousSeconds;
        private string? lastSample;

        public required int BatchesPerEpoch { get; init; }

        public Action<TextTrainingProgress>? Progress { get; init; }

        public EpochExtras Extras { get; private set; } = new();

        public void Start(TrainingStart start)
        {
            Extras = EpochExtras.Read(start.Epochs, start.Notes, options.CheckpointPath);
            if (start.Notes.TryGetValue(VocabularyNote, out var trained) && trained != characters)
            {
                throw new SafeTensorsFormatException(options.CheckpointPath!,
                    "the checkpoint was trained on a text with other characters; resume with the same text or start a new output folder");
            }

            start.Notes[VocabularyNote] = characters;
            previousSeconds = Extras.Seconds.Count > 0 ? Extras.Seconds[^1] : 0;
        }

        public void EndEpoch(EpochEnd end)
        {
            lastSample = options.SampleLength > 0
                ? string.Concat(model.Generate(model.DefaultPrompt, options.SampleLength, options.Sampling, sampleSeed + (ulong)end.Record.Epoch))
                : "";
            Extras.Add(end.Batches, previousSeconds + end.Elapsed.TotalSeconds, lastSample);
            Extras.Write(end.Notes);
        }

        public void Report(TrainingProgress p) => Progress?.Invoke(new TextTrainingProgress(p.Epoch, p.Epochs, p.Batch, BatchesPerEpoch, Bits(p.TrainingLoss),
            p.ValidationLoss is { } b ? Bits(b) : null, p.EpochEnd ? lastSample : null, p.EpochEnd, p.Elapsed));
    }

    /// <summary>Per epoch, what a text run keeps beside the trainer's history: steps run, wall seconds, the sample; saved as checkpoint notes.</summary>
    private sealed class EpochExtras
    {
        public List<int> Batches { get; } = [];

        public List<double> Seconds { get; } = [];

        public List<string> Samples { get; } = [];

        public static EpochExtras Read(IReadOnlyList<EpochRecord> epochs, Dictionary<string, string> entries, string? source)
        {
            var extras = new EpochExtras();
            if (epochs.Count == 0)
            {
                return extras;
            }

            var notes = MetadataReader.ForEntries(entries, source ?? "checkpoint", Checkpoint.NotePrefix, requiredBy: "a text model's checkpoint");
            extras.Batches.AddRange(notes.Integers(BatchesNote, 0, int.MaxValue));
            extras.Seconds.AddRange(notes.Numbers(SecondsNote));
            extras.Samples.AddRange(notes.Strings(SamplesNote));

            if (extras.Batches.Count != epochs.Count || extras.Seconds.Count != epochs.Count || extras.Samples.Count != epochs.Count)
            {
                throw new SafeTensorsFormatException(source ?? "checkpoint", $"the checkpoint's text notes do not cover its {epochs.Count} epoch(s)");
            }

            return extras;
        }

        public void Add(int batches, double seconds, string sample)
        {
            Batches.Add(batches);
            Seconds.Add(seconds);
            Samples.Add(sample);
        }

        public void Write(Dictionary<string, string> notes)
        {
            notes[BatchesNote] = MetadataWriter.Integers(Batches);
            notes[SecondsNote] = MetadataWriter.Numbers(Seconds);
            notes[SamplesNote] = MetadataWriter.Strings(Samples);
        }
    }
}
