// Dimension legend: B = recordings in a batch, T = the batch's longest input in steps, W = features per step (k·D),
// K = word classes, C = CTC symbols (the blank included), S = a transcript's symbols.
using Carnet.IO;
using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tasks.Speech;

/// <summary>SpecAugment-style masking for training (Park et al., 2019): a few bands of features and stretches of steps set to 0 (the utterance mean).</summary>
/// <param name="TimeMasks">Stretches of steps masked per recording.</param>
/// <param name="MaximumTimeWidth">The longest stretch, in steps (at most a fifth of the recording).</param>
/// <param name="FrequencyMasks">Bands of features masked per recording.</param>
/// <param name="MaximumFrequencyWidth">The widest band, in features of a frame.</param>
public sealed record SpecAugmentOptions(int TimeMasks = 2, int MaximumTimeWidth = 8, int FrequencyMasks = 2, int MaximumFrequencyWidth = 6)
{
    /// <summary>No masking.</summary>
    public static SpecAugmentOptions None { get; } = new(0, 0, 0, 0);
}

/// <summary>Recordings as network inputs with their targets: a word class, or CTC symbol ids.</summary>
/// <param name="Inputs">Each recording's steps (T_n, W).</param>
/// <param name="Labels">Each recording's word class (word models), or empty.</param>
/// <param name="Targets">Each recording's symbol ids (CTC models), or empty.</param>
internal sealed record SpeechExamples(IReadOnlyList<float[]> Inputs, int[] Labels, int[][] Targets)
{
    public int Count => Inputs.Count;
}

/// <summary>Padding recordings of different lengths into one batch.</summary>
internal static class SpeechBatches
{
    /// <summary>Recordings [start, start + count) of <paramref name="inputs"/> as one batch (B, T, W), zeros past each length.</summary>
    public static Tensor<float> Pad(IReadOnlyList<float[]> inputs, int start, int count, int width, out int[] lengths)
        => Pad([.. Enumerable.Range(start, count).Select(i => inputs[i])], width, out lengths);

    /// <summary>The recordings as one batch (B, T, W), zeros past each length.</summary>
    public static Tensor<float> Pad(IReadOnlyList<float[]> recordings, int width, out int[] lengths)
    {
        lengths = [.. recordings.Select(r => r.Length / width)];
        int steps = lengths.Max();
        var batch = Tensor<float>.Zeros(recordings.Count, steps, width); // (B, T, W)
        for (int b = 0; b < recordings.Count; b++)
        {
            recordings[b].CopyTo(batch.Span[(b * steps * width)..]);
        }

        return batch;
    }
}

/// <summary>
/// A speech network as a <see cref="ITrainable{T, TBatch}"/> over batches of recording indices: the batch is padded,
/// masked by SpecAugment with the trainer's random stream, run forward with dropout, and scored by cross-entropy
/// (word models) or CTC (PyTorch's mean: each loss over its target length, then over the batch).
/// </summary>
internal sealed class SpeechTrainable(SpeechModel model, SpeechExamples training, SpecAugmentOptions augment) : ITrainable<float, int[]>, IShardedValidation
{
    /// <summary>The recordings whose loss is the validation loss.</summary>
    public SpeechExamples? Validation { get; init; }

    public IReadOnlyList<(string Prefix, Module<float> Module)> Modules => model.Network.Modules;

    public TrainingPass<float> Forward(int[] batch, RecurrentCarry<float>? carried, RandomSource random)
    {
        var x = SpeechBatches.Pad([.. batch.Select(i => training.Inputs[i])], Width, out int[] lengths); // (B, T, W)
        Augment(x, lengths, random);
        var result = model.Network.Forward(SequenceBatch<float>.FromFeatures(x, lengths), training: true, random: random);
        var gradient = Tensor<float>.Zeros(result.Prediction.Shape.ToArray());
        double loss = Loss(result.Prediction, batch, training, lengths, gradient);
        return new SequenceModelPass<float>(model.Network, result, gradient) { Loss = loss, Weight = batch.Length }; // a mean over recordings
    }

    public double? Validate() => ValidatePart(0, 1) is { } part ? part.Sum / part.Count : null;

    /// <summary>The validation loss summed over rank <paramref name="rank"/> of <paramref name="ranks"/>'s batches of 64 (every n-th), and their recordings.</summary>
    public (double Sum, double Count)? ValidatePart(int rank, int ranks)
    {
        if (Validation is not { } data)
        {
            return null;
        }

        double total = 0, count = 0;
        for (int start = rank * 64; start < data.Count; start += 64 * ranks)
        {
            int[] batch = [.. Enumerable.Range(start, Math.Min(64, data.Count - start))];
            var x = SpeechBatches.Pad(data.Inputs, start, batch.Length, Width, out int[] lengths);
            var prediction = model.Network.Forward(x, lengths).Prediction;
            total += Loss(prediction, batch, data, lengths, Tensor<float>.Zeros(prediction.Shape.ToArray())) * batch.Length;
            count += batch.Length;
        }

        return (total, count);
    }

    public Dictionary<string, string> CheckpointMetadata()
    {
        var meta = Checkpoint.Metadata(model.Network);
        foreach (var (key, value) in model.Preprocessing())
        {
            meta["speech." + key] = value;
        }

        return meta;
    }

    public void CheckCheckpoint(SafeTensorsFile file)
    {
        Checkpoint.Check(file, model.Network);
        var reader = new MetadataReader(file.Metadata, file.Source);
        if (CheckpointMetadata().FirstOrDefault(p => reader.OptionalText(p.Key) != p.Value) is { Key: not null } differing)
        {
            throw new SafeTensorsFormatException(file.Source,
                $"the checkpoint was written for another speech model (metadata '{differing.Key}' differs); delete it or train without --resume");
        }
    }

    private int Width => model.Network.Options.Recurrent.InputSize;

    private double Loss(Tensor<float> prediction, int[] batch, SpeechExamples data, int[] lengths, Tensor<float> gradient)
    {
        if (model.Kind == SpeechModelKind.Words)
        {
            return Losses.CrossEntropy(prediction, batch.Select(i => data.Labels[i]).ToArray(), gradient);
        }

        int[][] targets = [.. batch.Select(i => data.Targets[i])];
        int[] flat = [.. targets.SelectMany(t => t)], targetLengths = [.. targets.Select(t => t.Length)];
        var shape = prediction.Shape.ToArray(); // (B, T, C)
        return CtcKernels.LossFromLogits<float>(prediction.Span, shape[0], shape[1], shape[2], lengths, flat, targetLengths, SpeechModel.Blank, gradient.Span);
    }

    /// <summary>Masks each recording of the batch (B, T, W) in place: time stretches within its length, and feature bands repeated in every stacked frame.</summary>
    private void Augment(Tensor<float> x, int[] lengths, RandomSource random)
    {
        int steps = x.Shape[1], dimensions = model.Features.Dimensions;
        for (int b = 0; b < lengths.Length; b++)
        {
            var rows = x.Span.Slice(b * steps * Width, steps * Width);
            for (int m = 0; m < augment.TimeMasks; m++)
            {
                int width = random.NextInt(Math.Min(augment.MaximumTimeWidth, lengths[b] / 5) + 1);
                int start = random.NextInt(Math.Max(1, lengths[b] - width + 1));
                AudioKernels.Mask(rows, Width, start, width, 0, Width);
            }

            for (int m = 0; m < augment.FrequencyMasks; m++)
            {
                int width = random.NextInt(Math.Min(augment.MaximumFrequencyWidth, dimensions) + 1);
                int start = random.NextInt(dimensions - width + 1);
                for (int frame = 0; frame < model.FrameStack; frame++)
                {
                    AudioKernels.Mask(rows, Width, 0, lengths[b], (frame * dimensions) + start, width);
                }
            }
        }
    }
}
