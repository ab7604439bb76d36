// Dimension legend: T = time steps (longest sequence), B = batch, K = tags.
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// A linear-chain conditional random field over tag sequences, with pytorch-crf's (<c>torchcrf.CRF</c>) parameters:
/// <c>start_transitions</c> (K), <c>end_transitions</c> (K) and <c>transitions</c> (K, K) indexed [from, to], each
/// initialised uniform in [−0.1, 0.1]. Emissions are time-major (T, B, K), as torchcrf's default <c>batch_first=False</c>;
/// <c>lengths</c> (B) play the mask's part (sequence b covers its first lengths[b] steps).
/// </summary>
public sealed class Crf<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the layer for <paramref name="tagCount"/> tags (seed 0 when <paramref name="random"/> is null).</summary>
    public Crf(int tagCount, RandomSource? random = null)
        : base([("start_transitions", [tagCount]), ("end_transitions", [tagCount]), ("transitions", [tagCount, tagCount])])
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tagCount);
        TagCount = tagCount;
        StartTransitions = GetParameter("start_transitions");
        EndTransitions = GetParameter("end_transitions");
        Transitions = GetParameter("transitions");
        (random ?? new RandomSource(0)).FillUniform(ParameterValues.Span, -0.1, 0.1);
    }

    /// <summary>K.</summary>
    public int TagCount { get; }

    /// <summary>start_transitions: (K), the score of starting in each tag.</summary>
    public Parameter<T> StartTransitions { get; }

    /// <summary>end_transitions: (K), the score of ending in each tag.</summary>
    public Parameter<T> EndTransitions { get; }

    /// <summary>transitions: (K, K), the score of tag j following tag i at [i, j].</summary>
    public Parameter<T> Transitions { get; }

    /// <summary>
    /// Runs the forward algorithm on emissions (T, B, K) and scores the gold tags (T, B): the result holds each
    /// sequence's log-partition, gold score and negative log-likelihood, and what <see cref="Backward"/> needs.
    /// </summary>
    public CrfResult<T> Forward(Tensor<T> emissions, int[] lengths, int[] goldTags)
    {
        var (steps, batch) = Validate(emissions, lengths);
        if (goldTags.Length != steps * batch)
        {
            throw new ArgumentException($"goldTags has {goldTags.Length} entries; expected (T, B) = {steps * batch}.", nameof(goldTags));
        }

        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                if ((uint)goldTags[t * batch + b] >= (uint)TagCount)
                {
                    throw new ArgumentOutOfRangeException(nameof(goldTags), $"the tag at step {t} of sequence {b} is {goldTags[t * batch + b]}, outside [0, {TagCount}).");
                }
            }
        }

        var cache = new CrfCache<T>(steps, batch, TagCount);
        var logPartition = new double[batch]; // (B)
        var gold = new double[batch]; // (B)
        CrfKernels.ForwardAlgorithm<T>(emissions.Span, lengths, StartTransitions.Value.Span, EndTransitions.Value.Span, Transitions.Value.Span,
            steps, batch, TagCount, cache.ExpTransitions, cache.ExpEmissions, cache.Alpha, cache.Normalizers, logPartition);
        CrfKernels.GoldScores<T>(emissions.Span, goldTags, lengths, StartTransitions.Value.Span, EndTransitions.Value.Span, Transitions.Value.Span,
            batch, TagCount, gold);
        return new CrfResult<T>(logPartition, gold, (int[])lengths.Clone(), (int[])goldTags.Clone(), cache, this);
    }

    /// <summary>
    /// Back-propagates <paramref name="scale"/> × Σ_b NLL_b: accumulates the three parameter gradients and returns
    /// dL/demissions (T, B, K).
    /// </summary>
    public Tensor<T> Backward(CrfResult<T> result, double scale)
    {
        if (!ReferenceEquals(result.Owner, this))
        {
            throw new ArgumentException("This result was computed by another layer.", nameof(result));
        }

        var cache = result.Cache;
        var dEmissions = Tensor<T>.Zeros(cache.Steps, cache.Batch, TagCount); // (T, B, K)
        CrfKernels.BackwardAlgorithm<T>(cache.ExpTransitions, cache.ExpEmissions, cache.Alpha, cache.Normalizers, result.GoldTags, result.Lengths,
            EndTransitions.Value.Span, T.CreateTruncating(scale), cache.Steps, cache.Batch, TagCount,
            dEmissions.Span, StartTransitions.Gradient.Span, EndTransitions.Gradient.Span, Transitions.Gradient.Span);
        return dEmissions;
    }

    /// <summary>The most likely tag sequence of each sequence (Viterbi): (T, B), −1 past each sequence's end.</summary>
    public int[] Decode(Tensor<T> emissions, int[] lengths)
    {
        var (steps, batch) = Validate(emissions, lengths);
        var path = new int[steps * batch]; // (T, B)
        CrfKernels.Viterbi<T>(emissions.Span, lengths, StartTransitions.Value.Span, EndTransitions.Value.Span, Transitions.Value.Span,
            steps, batch, TagCount, path);
        return path;
    }

    private (int Steps, int Batch) Validate(Tensor<T> emissions, int[] lengths)
    {
        if (emissions.Rank != 3 || emissions.Shape[2] != TagCount || emissions.Shape[0] == 0 || emissions.Shape[1] == 0)
        {
            throw new ArgumentException(
                $"emissions have shape {Tensor<T>.ShapeToString(emissions.Shape.ToArray())}; expected (T, B, {TagCount}) with T and B above 0.", nameof(emissions));
        }

        int steps = emissions.Shape[0], batch = emissions.Shape[1];
        if (lengths.Length != batch || lengths.Any(l => l < 1 || l > steps))
        {
            throw new ArgumentException($"lengths must hold {batch} values from 1 to {steps}.", nameof(lengths));
        }

        return (steps, batch);
    }
}

/// <summary>What <see cref="Crf{T}.Forward"/> computed: per sequence, log Z, the gold path's score and their difference.</summary>
public sealed class CrfResult<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal CrfResult(double[] logPartition, double[] goldScore, int[] lengths, int[] goldTags, CrfCache<T> cache, object owner)
    {
        LogPartition = logPartition;
        GoldScore = goldScore;
        Lengths = lengths;
        GoldTags = goldTags;
        Cache = cache;
        Owner = owner;
    }

    /// <summary>log Z (B): the log of the summed exponentiated scores of every path.</summary>
    public IReadOnlyList<double> LogPartition { get; }

    /// <summary>s(gold) (B): the score of the gold path.</summary>
    public IReadOnlyList<double> GoldScore { get; }

    /// <summary>Σ_b (log Z_b − s_b(gold)): the negative log-likelihood of the batch, summed (torchcrf's <c>reduction='sum'</c>, negated).</summary>
    public double NegativeLogLikelihood => LogPartition.Sum() - GoldScore.Sum();

    internal int[] Lengths { get; }

    internal int[] GoldTags { get; } // (T, B)

    internal CrfCache<T> Cache { get; }

    internal object Owner { get; }
}

/// <summary>The forward algorithm's buffers that backward reuses.</summary>
internal sealed class CrfCache<T>(int steps, int batch, int tags) where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Steps { get; } = steps;

    public int Batch { get; } = batch;

    public T[] ExpTransitions { get; } = new T[tags * tags]; // (K, K)

    public T[] ExpEmissions { get; } = new T[steps * batch * tags]; // (T, B, K)

    public T[] Alpha { get; } = new T[steps * batch * tags]; // (T, B, K), normalised

    public T[] Normalizers { get; } = new T[steps * batch]; // (T, B)
}
