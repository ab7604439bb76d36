// Dimension legend: N = sequences, B = batch, T = time steps, I = input features, O = target values per item.
using System.Numerics;
using Carnet.Kernels;
using Carnet.Models;

namespace Carnet.Training;

/// <summary>What a batch is trained towards: real values (regression) or class ids (classification, tagging, language models).</summary>
public sealed class BatchTargets<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates targets; exactly one of the two is given.</summary>
    public BatchTargets(Tensor<T>? values, int[]? classes)
    {
        if ((values is null) == (classes is null))
        {
            throw new ArgumentException("Targets are either values or classes.");
        }

        Values = values;
        Classes = classes;
    }

    /// <summary>(B, O) or (B, T, O) values, or null.</summary>
    public Tensor<T>? Values { get; }

    /// <summary>(B) or (B·T) class ids, or null.</summary>
    public int[]? Classes { get; }
}

/// <summary>One training batch: model inputs and targets.</summary>
public sealed record TrainingBatch<T>(SequenceBatch<T> Inputs, BatchTargets<T> Targets) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The part of <paramref name="batch"/> that rank <paramref name="rank"/> of <paramref name="ranks"/> trains on
    /// (its contiguous sequences, <see cref="Distributed.Shards.Range"/>), or null when it has none.
    /// </summary>
    public static TrainingBatch<T>? Shard(TrainingBatch<T> batch, int rank, int ranks)
    {
        var (start, length) = Distributed.Shards.Range(batch.Inputs.Batch, rank, ranks);
        return length == 0 ? null : batch.Rows(start, length);
    }

    /// <summary>Sequences [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) with their targets.</summary>
    public TrainingBatch<T> Rows(int start, int count)
    {
        int width = Targets.Classes is { } all ? all.Length / Inputs.Batch : 0; // class ids per sequence: 1, or T for tagging
        var targets = Targets.Values is { } values
            ? new BatchTargets<T>(values.Rows(start, count), null)
            : new BatchTargets<T>(null, Targets.Classes!.AsSpan(start * width, count * width).ToArray());
        return new TrainingBatch<T>(Inputs.Rows(start, count), targets);
    }
}

/// <summary>A source of training batches.</summary>
public abstract class TrainingData<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether consecutive batches continue the same streams, so the recurrent state is carried from one to the next.</summary>
    public abstract bool CarriesState { get; }

    /// <summary>The batches of one epoch, in the order <paramref name="random"/> gives when the data is shuffled.</summary>
    public abstract IEnumerable<TrainingBatch<T>> Batches(int batchSize, RandomSource random);
}

/// <summary>
/// Independent sequences, each with its target, batched in a random order every epoch: numeric features (N, T, I) or
/// token ids (N·T), optional lengths (N), targets as values (N, …) or class ids (N or N·T).
/// </summary>
public sealed class SequenceDataset<T> : TrainingData<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]? features; // (N, T, I)
    private readonly int[]? tokens; // (N, T)
    private readonly int[]? lengths; // (N)
    private readonly T[]? values; // (N, V): V values per sequence
    private readonly int[]? classes; // (N, C): C ids per sequence (1, or T for tagging)
    private readonly int featureWidth, targetWidth;
    private readonly int[] valueShape;

    /// <summary>What a dataset stores of its inputs: features (N, T·I) of width T·I, or token ids (N, T); lengths (N) or null.</summary>
    private readonly record struct StoredInputs(T[]? Features, int FeatureWidth, int[]? Tokens, int[]? Lengths)
    {
        public static StoredInputs Of(Tensor<T> features, int[]? lengths) => new(features.Span.ToArray(), features.Shape[1] * features.Shape[2], null, lengths);
    }

    /// <summary>What a dataset stores of its targets: values (N, …) with the shape after N, or class ids (N or N·T).</summary>
    private readonly record struct StoredTargets(T[]? Values, int[] ValueShape, int[]? Classes);

    private SequenceDataset(int count, int steps, StoredInputs inputs, StoredTargets targets)
    {
        Count = count;
        Steps = steps;
        (features, featureWidth, tokens, lengths) = (inputs.Features, inputs.FeatureWidth, inputs.Tokens, inputs.Lengths);
        (values, valueShape, classes) = (targets.Values, targets.ValueShape, targets.Classes);
        targetWidth = values is not null ? values.Length / Math.Max(1, count) : classes!.Length / Math.Max(1, count);
        if (lengths is not null && lengths.Length != count)
        {
            throw new ArgumentException($"{lengths.Length} lengths for {count} sequences.");
        }
    }

    /// <summary>N.</summary>
    public int Count { get; }

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <inheritdoc />
    public override bool CarriesState => false;

    /// <summary>Numeric sequences (N, T, I) with value targets (N, …).</summary>
    public static SequenceDataset<T> FromFeatures(Tensor<T> features, Tensor<T> targets, int[]? lengths = null)
    {
        Require(features.Rank == 3 && targets.Rank >= 2 && targets.Shape[0] == features.Shape[0], "features (N, T, I) and targets (N, …) with the same N");
        return new(features.Shape[0], features.Shape[1], StoredInputs.Of(features, lengths), new(targets.Span.ToArray(), targets.Shape.Skip(1).ToArray(), null));
    }

    /// <summary>Numeric sequences (N, T, I) with class targets: N ids, or N·T ids for one label per step.</summary>
    public static SequenceDataset<T> FromFeatures(Tensor<T> features, int[] classes, int[]? lengths = null)
    {
        Require(features.Rank == 3 && classes.Length % Math.Max(1, features.Shape[0]) == 0, "features (N, T, I) and N or N·T class ids");
        return new(features.Shape[0], features.Shape[1], StoredInputs.Of(features, lengths), new(null, [], classes));
    }

    /// <summary>Token sequences (N rows of T ids) with class targets: N ids, or N·T ids for one label per step.</summary>
    public static SequenceDataset<T> FromTokens(int[] tokens, int count, int steps, int[] classes, int[]? lengths = null)
    {
        Require(tokens.Length == count * steps && classes.Length % Math.Max(1, count) == 0, "N·T token ids and N or N·T class ids");
        return new(count, steps, new(null, 0, tokens, lengths), new(null, [], classes));
    }

    /// <summary>Token sequences (N rows of T ids) with value targets (N, …).</summary>
    public static SequenceDataset<T> FromTokens(int[] tokens, int count, int steps, Tensor<T> targets, int[]? lengths = null)
    {
        Require(tokens.Length == count * steps && targets.Shape[0] == count, "N·T token ids and targets (N, …)");
        return new(count, steps, new(null, 0, tokens, lengths), new(targets.Span.ToArray(), targets.Shape.Skip(1).ToArray(), null));
    }

    /// <summary>The sequences at <paramref name="indices"/>, in that order, as one batch.</summary>
    public TrainingBatch<T> Batch(ReadOnlySpan<int> indices)
    {
        int b = indices.Length;
        int[]? batchLengths = null;
        if (lengths is not null)
        {
            batchLengths = new int[b];
            SequenceKernels.Gather<int>(lengths, indices, 1, batchLengths);
        }

        SequenceBatch<T> inputs;
        if (features is not null)
        {
            var x = Tensor<T>.Zeros(b, Steps, featureWidth / Math.Max(1, Steps)); // (B, T, I)
            SequenceKernels.Gather<T>(features, indices, featureWidth, x.Span);
            inputs = SequenceBatch<T>.FromFeatures(x, batchLengths);
        }
        else
        {
            var ids = new int[b * Steps]; // (B, T)
            SequenceKernels.Gather<int>(tokens, indices, Steps, ids);
            inputs = SequenceBatch<T>.FromTokens(ids, b, Steps, batchLengths);
        }

        BatchTargets<T> targets;
        if (values is not null)
        {
            var y = Tensor<T>.Zeros([b, .. valueShape]); // (B, …)
            SequenceKernels.Gather<T>(values, indices, targetWidth, y.Span);
            targets = new BatchTargets<T>(y, null);
        }
        else
        {
            var y = new int[b * targetWidth]; // (B) or (B, T)
            SequenceKernels.Gather<int>(classes, indices, targetWidth, y);
            targets = new BatchTargets<T>(null, y);
        }

        return new TrainingBatch<T>(inputs, targets);
    }

    /// <inheritdoc />
    public override IEnumerable<TrainingBatch<T>> Batches(int batchSize, RandomSource random)
    {
        int[] order = Enumerable.Range(0, Count).ToArray();
        random.Shuffle(order.AsSpan());
        for (int start = 0; start < Count; start += batchSize)
        {
            yield return Batch(order.AsSpan(start, Math.Min(batchSize, Count - start)));
        }
    }

    /// <summary>All sequences in their order, as batches (for evaluation).</summary>
    public IEnumerable<TrainingBatch<T>> InOrder(int batchSize)
    {
        int[] order = Enumerable.Range(0, Count).ToArray();
        for (int start = 0; start < Count; start += batchSize)
        {
            yield return Batch(order.AsSpan(start, Math.Min(batchSize, Count - start)));
        }
    }

    /// <summary>A subset, in the given order.</summary>
    public SequenceDataset<T> Subset(IReadOnlyList<int> indices)
    {
        var batch = Batch(indices.ToArray());
        return new(indices.Count, Steps, new(batch.Inputs.Features?.Span.ToArray(), featureWidth, batch.Inputs.Tokens, batch.Inputs.Lengths),
            new(batch.Targets.Values?.Span.ToArray(), valueShape, batch.Targets.Classes));
    }

    /// <summary>A random split: the validation part holds round(N·fraction) sequences drawn by <paramref name="random"/>.</summary>
    public (SequenceDataset<T> Training, SequenceDataset<T> Validation) Split(double validationFraction, RandomSource random)
    {
        Require(validationFraction is > 0 and < 1, "a validation fraction in (0, 1)");
        int[] order = Enumerable.Range(0, Count).ToArray();
        random.Shuffle(order.AsSpan());
        int validation = Math.Max(1, (int)Math.Round(Count * validationFraction));
        Require(validation < Count, "at least one training sequence after the split");
        return (Subset(order[validation..].Order().ToArray()), Subset(order[..validation].Order().ToArray()));
    }

    private static void Require(bool condition, string expected)
    {
        if (!condition)
        {
            throw new ArgumentException($"A sequence dataset needs {expected}.");
        }
    }
}

/// <summary>
/// One long token stream for truncated back-propagation through time: it is cut into B parallel streams and each
/// batch is the next T steps of every stream, with next-token targets; the trainer carries the recurrent state
/// from one batch into the next and resets it at each epoch.
/// </summary>
public sealed class StreamDataset<T> : TrainingData<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] stream;

    /// <summary>Creates the dataset over token ids; <paramref name="steps"/> is the truncation length T.</summary>
    public StreamDataset(int[] tokens, int steps)
    {
        if (steps < 1 || tokens.Length < steps + 1)
        {
            throw new ArgumentException($"A stream of {tokens.Length} tokens is too short for {steps} steps plus a target.");
        }

        stream = tokens;
        Steps = steps;
    }

    /// <summary>T, the truncation length.</summary>
    public int Steps { get; }

    /// <inheritdoc />
    public override bool CarriesState => true;

    /// <inheritdoc />
    public override IEnumerable<TrainingBatch<T>> Batches(int batchSize, RandomSource random) => Windows(batchSize, includeShorter: false);

    /// <summary>
    /// For evaluation: every step of the <paramref name="batchSize"/> streams, in order, the last batch shorter than T
    /// when the stream length is not a multiple of T; B·⌊(N − 1) / B⌋ predictions in all.
    /// </summary>
    public IEnumerable<TrainingBatch<T>> InOrder(int batchSize) => Windows(batchSize, includeShorter: true);

    private IEnumerable<TrainingBatch<T>> Windows(int batchSize, bool includeShorter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int streamLength = (stream.Length - 1) / batchSize;
        if (streamLength < Steps)
        {
            throw new ArgumentException($"{stream.Length} tokens cut into {batchSize} streams give {streamLength} steps each, fewer than {Steps}.");
        }

        int end = includeShorter ? streamLength : streamLength - streamLength % Steps;
        for (int start = 0; start < end; start += Steps)
        {
            int steps = Math.Min(Steps, end - start);
            var inputs = new int[batchSize * steps]; // (B, T)
            var targets = new int[batchSize * steps]; // (B, T): the next token
            for (int b = 0; b < batchSize; b++)
            {
                int offset = b * streamLength + start;
                stream.AsSpan(offset, steps).CopyTo(inputs.AsSpan(b * steps, steps));
                stream.AsSpan(offset + 1, steps).CopyTo(targets.AsSpan(b * steps, steps));
            }

            yield return new TrainingBatch<T>(SequenceBatch<T>.FromTokens(inputs, batchSize, steps), new BatchTargets<T>(null, targets));
        }
    }
}
