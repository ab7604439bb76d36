using Carnet.Layers;

namespace Carnet.Models;

/// <summary>
/// The configuration of a <see cref="SequenceModel{T}"/>: an optional embedding, a recurrent stack (always
/// batch-first), pooling over time and a linear head. A model file stores it in its metadata.
/// </summary>
public sealed record SequenceModelOptions
{
    /// <summary>The recurrent cell.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>The recurrent stack's options; with an embedding, its input size is the embedding size.</summary>
    public required RecurrentOptions Recurrent { get; init; }

    /// <summary>Token vocabulary size; 0 means the inputs are numeric features, not tokens.</summary>
    public int VocabularySize { get; init; }

    /// <summary>The embedding's padding index, when there is one.</summary>
    public int? PaddingIndex { get; init; }

    /// <summary>How the recurrent output is reduced over time before the head.</summary>
    public Pooling Pooling { get; init; } = Pooling.Last;

    /// <summary>The head's outputs: 1 for a regression, the class count for a classifier.</summary>
    public required int OutputSize { get; init; }

    /// <summary>Under <see cref="Pooling.Flatten"/>, the sequence length the model is built for (the head reads T·F values); 0 otherwise.</summary>
    public int Steps { get; init; }

    internal void Validate()
    {
        if (VocabularySize < 0)
        {
            throw new ArgumentException($"VocabularySize must not be negative (is {VocabularySize}).");
        }

        if (PaddingIndex is { } p && (VocabularySize == 0 || p < 0 || p >= VocabularySize))
        {
            throw new ArgumentException($"PaddingIndex {p} needs an embedding with a vocabulary above it (vocabulary {VocabularySize}).");
        }

        if ((Pooling == Pooling.Flatten) != (Steps > 0))
        {
            throw new ArgumentException($"Steps must be positive exactly under flatten pooling (pooling {Pooling}, steps {Steps}).");
        }

        if (OutputSize <= 0)
        {
            throw new ArgumentException($"OutputSize must be positive (is {OutputSize}).");
        }
    }
}

/// <summary>
/// One batch of sequences for a model: numeric features (B, T, I) or token ids (B·T, row-major by sequence),
/// with optional lengths (B) for padded batches.
/// </summary>
public sealed class SequenceBatch<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    private SequenceBatch(Tensor<T>? features, int[]? tokens, int batch, int steps, int[]? lengths)
    {
        Features = features;
        Tokens = tokens;
        Batch = batch;
        Steps = steps;
        Lengths = lengths;
    }

    /// <summary>Numeric inputs (B, T, I), or null for tokens.</summary>
    public Tensor<T>? Features { get; }

    /// <summary>Token ids (B·T), or null for numeric inputs.</summary>
    public int[]? Tokens { get; }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <summary>Each sequence's length (B), or null when all have T steps.</summary>
    public int[]? Lengths { get; }

    /// <summary>Sequences [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of the batch; features share its storage.</summary>
    public SequenceBatch<T> Rows(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Batch - start);
        int[]? lengths = Lengths?.AsSpan(start, count).ToArray();
        return Features is { } features
            ? FromFeatures(features.Rows(start, count), lengths)
            : FromTokens(Tokens!.AsSpan(start * Steps, count * Steps).ToArray(), count, Steps, lengths);
    }

    /// <summary>A batch of numeric sequences (B, T, I).</summary>
    public static SequenceBatch<T> FromFeatures(Tensor<T> features, int[]? lengths = null)
    {
        if (features.Rank != 3)
        {
            throw new ArgumentException($"features has shape {Tensor<T>.ShapeToString(features.Shape.ToArray())}; expected (batch, steps, features).", nameof(features));
        }

        return new(features, null, features.Shape[0], features.Shape[1], lengths);
    }

    /// <summary>A batch of token sequences: <paramref name="tokens"/> holds B rows of T ids.</summary>
    public static SequenceBatch<T> FromTokens(int[] tokens, int batch, int steps, int[]? lengths = null)
    {
        if (tokens.Length != batch * steps)
        {
            throw new ArgumentException($"{tokens.Length} token ids do not fill {batch} sequences of {steps} steps.", nameof(tokens));
        }

        return new(null, tokens, batch, steps, lengths);
    }
}
