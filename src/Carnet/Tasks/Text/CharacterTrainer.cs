// Dimension legend: B = parallel streams, T = truncation length, V = vocabulary size, N = characters.
using System.Diagnostics;
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
        var seeds = new RandomSource(options.Seed);
        var model = CharacterModel.Create(data.Vocabulary, options.Cell, options.EmbeddingSize, options.HiddenSize, options.NumLayers, options.Dropout, seeds.Fork());
        var network = model.Network;
        var modules = network.Modules.Select(m => m.Module).ToList();
        var optimizer = new Adam<float>(modules, options.LearningRate);
        var fresh = new TrainingState<float>(seeds.Fork());
        ulong sampleSeed = seeds.NextUInt64();
        var state = options.Resume && options.CheckpointPath is { } path && File.Exists(path) ? Checkpoint.Load(path, network, optimizer, null) : fresh;
        var extras = EpochExtras.Read(state, options.CheckpointPath);
        string characters = MetadataWriter.Strings(data.Vocabulary.ToStrings());
        if (state.Notes.TryGetValue(VocabularyNote, out var trained) && trained != characters)
        {
            throw new SafeTensorsFormatException(options.CheckpointPath!, "the checkpoint was trained on a text with other characters; resume with the same text or start a new output folder");
        }

        state.Notes[VocabularyNote] = characters;

        var training = new StreamDataset<float>(trainingIds, options.SequenceLength);
        int batchesPerEpoch = (trainingIds.Length - 1) / options.BatchSize / options.SequenceLength;
        var loss = TrainingLosses.CrossEntropy<float>();
        var clock = Stopwatch.StartNew();
        double previousSeconds = extras.Seconds.Count > 0 ? extras.Seconds[^1] : 0;
        bool outOfTime = false;
        for (int epoch = state.Epochs.Count + 1; epoch <= options.Epochs && !outOfTime; epoch++)
        {
            double total = 0;
            int batches = 0;
            Tensor<float>? hidden = null, cell = null; // (L, B, P), (L, B, H): carried from each batch into the next
            foreach (var batch in training.Batches(options.BatchSize, state.Random))
            {
                optimizer.ZeroGradients();
                using var result = network.Forward(batch.Inputs, hidden, cell, training: true, random: state.Random);
                var gradient = Tensor<float>.Zeros(result.Prediction.Shape.ToArray()); // (B, T, V)
                double batchLoss = loss(result.Prediction, batch.Targets, gradient);
                if (!double.IsFinite(batchLoss))
                {
                    throw new TrainingDivergedException(epoch, batches + 1, batchLoss, state.Epochs.Count, options.CheckpointPath);
                }

                network.Backward(result, gradient); // truncated here: the carried state is a constant of the next batch
                if (options.ClipGradientNorm is { } maxNorm)
                {
                    GradientClipping.ClipByGlobalNorm(modules, maxNorm);
                }

                optimizer.Step();
                (hidden, cell) = (result.Recurrent.HiddenState, result.Recurrent.CellState);
                total += batchLoss;
                batches++;
                progress?.Invoke(new TextTrainingProgress(epoch, options.Epochs, batches, batchesPerEpoch, Bits(total / batches), null, null, false, clock.Elapsed));
                if (options.TimeLimit is { } limit && clock.Elapsed >= limit)
                {
                    outOfTime = true;
                    break;
                }
            }

            double? validation = validationIds.Length > 0 ? model.CrossEntropy(validationIds, options.BatchSize, options.SequenceLength) : null;
            state.Epochs.Add(new EpochRecord(epoch, total / Math.Max(1, batches), validation, optimizer.LearningRate));
            if (validation is { } v && (state.BestValidationLoss is null || v < state.BestValidationLoss))
            {
                state.BestValidationLoss = v;
                state.BestEpoch = epoch;
                state.BestWeights = modules.Select(m => m.ParameterValues.ToArray()).ToArray();
            }

            string sample = options.SampleLength > 0
                ? string.Concat(model.Generate(model.DefaultPrompt, options.SampleLength, options.Sampling, sampleSeed + (ulong)epoch))
                : "";
            extras.Add(batches, previousSeconds + clock.Elapsed.TotalSeconds, sample);
            extras.Write(state);
            if (options.CheckpointPath is { } checkpoint)
            {
                Checkpoint.Save(checkpoint, network, optimizer, null, state);
            }

            progress?.Invoke(new TextTrainingProgress(epoch, options.Epochs, batches, batchesPerEpoch, Bits(total / Math.Max(1, batches)), validation is { } b ? Bits(b) : null,
                sample, true, clock.Elapsed));
        }

        if (state.BestWeights is { } best)
        {
            for (int m = 0; m < modules.Count; m++)
            {
                best[m].CopyTo(modules[m].ParameterValues);
            }
        }

        var epochs = state.Epochs.Select((e, i) => new TextEpoch(
            e.Epoch, Bits(e.TrainingLoss), e.ValidationLoss is { } v ? Bits(v) : null, extras.Batches[i], extras.Seconds[i], extras.Samples[i])).ToList();
        return new TextTrainingOutcome(model, epochs, state.BestEpoch, trainingIds.Length, validationIds.Length, batchesPerEpoch, outOfTime, options);
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

    /// <summary>Per epoch, what a text run keeps beside the trainer's history: steps run, wall seconds, the sample; saved as checkpoint notes.</summary>
    private sealed class EpochExtras
    {
        public List<int> Batches { get; } = [];

        public List<double> Seconds { get; } = [];

        public List<string> Samples { get; } = [];

        public static EpochExtras Read(TrainingState<float> state, string? source)
        {
            var extras = new EpochExtras();
            if (state.Epochs.Count == 0)
            {
                return extras;
            }

            var notes = MetadataReader.ForEntries(state.Notes, source ?? "checkpoint", Checkpoint.NotePrefix, requiredBy: "a text model's checkpoint");
            extras.Batches.AddRange(notes.Integers(BatchesNote, 0, int.MaxValue));
            extras.Seconds.AddRange(notes.Numbers(SecondsNote));
            extras.Samples.AddRange(notes.Strings(SamplesNote));

            if (extras.Batches.Count != state.Epochs.Count || extras.Seconds.Count != state.Epochs.Count || extras.Samples.Count != state.Epochs.Count)
            {
                throw new SafeTensorsFormatException(source ?? "checkpoint", $"the checkpoint's text notes do not cover its {state.Epochs.Count} epoch(s)");
            }

            return extras;
        }

        public void Add(int batches, double seconds, string sample)
        {
            Batches.Add(batches);
            Seconds.Add(seconds);
            Samples.Add(sample);
        }

        public void Write(TrainingState<float> state)
        {
            state.Notes[BatchesNote] = MetadataWriter.Integers(Batches);
            state.Notes[SecondsNote] = MetadataWriter.Numbers(Seconds);
            state.Notes[SamplesNote] = MetadataWriter.Strings(Samples);
        }
    }
}
