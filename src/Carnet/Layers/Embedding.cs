// Dimension legend: N = token count (every leading dimension flattened), V = vocabulary size, E = embedding size.
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// A lookup table of vectors (<c>torch.nn.Embedding</c>): <c>weight</c> (V, E), initialised N(0, 1), with an
/// optional padding index whose row starts at zero and receives no gradient.
/// </summary>
public sealed class Embedding<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the table (seed 0 when <paramref name="random"/> is null).</summary>
    public Embedding(int vocabularySize, int embeddingSize, int? paddingIndex = null, RandomSource? random = null)
        : base([("weight", [vocabularySize, embeddingSize])])
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingSize);
        if (paddingIndex is { } p && (p < 0 || p >= vocabularySize))
        {
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), $"paddingIndex {p} is outside the vocabulary of {vocabularySize}.");
        }

        VocabularySize = vocabularySize;
        EmbeddingSize = embeddingSize;
        PaddingIndex = paddingIndex;
        Weight = GetParameter("weight");
        (random ?? new RandomSource(0)).FillGaussian(Weight.Value.Span, 0, 1);
        if (paddingIndex is { } index)
        {
            Weight.Value.Span.Slice(index * embeddingSize, embeddingSize).Clear();
        }
    }

    /// <summary>V.</summary>
    public int VocabularySize { get; }

    /// <summary>E.</summary>
    public int EmbeddingSize { get; }

    /// <summary>The padding index, or null.</summary>
    public int? PaddingIndex { get; }

    /// <summary>weight: (V, E).</summary>
    public Parameter<T> Weight { get; }

    /// <summary>Looks up ids of any shape S; returns (S…, E).</summary>
    public Tensor<T> Forward(ReadOnlySpan<int> ids, params int[] shape)
    {
        ValidateIds(ids, shape);
        var output = Tensor<T>.Zeros([.. shape, EmbeddingSize]); // (N, E)
        SequenceKernels.Gather<T>(Weight.Value.Span, ids, EmbeddingSize, output.Span);
        return output;
    }

    /// <summary>Accumulates dL/dweight from dL/doutput (N, E); the padding row gets none.</summary>
    public void Backward(ReadOnlySpan<int> ids, Tensor<T> gradOutput)
    {
        if (gradOutput.Length != ids.Length * EmbeddingSize)
        {
            throw new ArgumentException($"gradOutput has {gradOutput.Length} elements; expected {ids.Length} rows of {EmbeddingSize}.", nameof(gradOutput));
        }

        ThrowIfQuantized();
        SequenceKernels.ScatterAdd<T>(gradOutput.Span, ids, EmbeddingSize, PaddingIndex ?? -1, Weight.Gradient.Span);
    }

    internal override bool IsQuantizable(Parameter<T> parameter) => ReferenceEquals(parameter, Weight);

    private void ValidateIds(ReadOnlySpan<int> ids, int[] shape)
    {
        long count = 1;
        foreach (int dim in shape)
        {
            count *= dim;
        }

        if (count != ids.Length)
        {
            throw new ArgumentException($"{ids.Length} ids do not fill shape {Tensor<T>.ShapeToString(shape)}.", nameof(ids));
        }

        for (int n = 0; n < ids.Length; n++)
        {
            if ((uint)ids[n] >= (uint)VocabularySize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"id {ids[n]} at position {n} is outside the vocabulary of {VocabularySize}.");
            }
        }
    }
}
