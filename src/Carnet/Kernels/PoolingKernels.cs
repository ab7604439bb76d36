// Dimension legend: B = batch, T = time steps, W = features per step. Sequences are batch-first (B, T, W);
// lengths (B) gives each sequence's valid steps (all T when empty).
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Pooling over time and its gradient: last valid step, mean, max or attention over the valid steps.</summary>
internal static class PoolingKernels
{
    /// <summary>pooled (B, W) = sequence[b, length_b − 1].</summary>
    public static void LastForward<T>(ReadOnlySpan<T> sequence, ReadOnlySpan<int> lengths, int batch, int steps, int width, Span<T> pooled)
        where T : unmanaged
    {
        for (int b = 0; b < batch; b++)
        {
            int t = (lengths.IsEmpty ? steps : lengths[b]) - 1;
            sequence.Slice((b * steps + t) * width, width).CopyTo(pooled.Slice(b * width, width));
        }
    }

    /// <summary>dSequence[b, length_b − 1] += dPooled (B, W).</summary>
    public static void LastBackward<T>(ReadOnlySpan<T> dPooled, ReadOnlySpan<int> lengths, int batch, int steps, int width, Span<T> dSequence)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            int t = (lengths.IsEmpty ? steps : lengths[b]) - 1;
            Elementwise.Add(dPooled.Slice(b * width, width), dSequence.Slice((b * steps + t) * width, width));
        }
    }

    /// <summary>pooled (B, W) = mean over the valid steps of each sequence.</summary>
    public static void MeanForward<T>(ReadOnlySpan<T> sequence, ReadOnlySpan<int> lengths, int batch, int steps, int width, Span<T> pooled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            int count = lengths.IsEmpty ? steps : lengths[b];
            Span<T> row = pooled.Slice(b * width, width);
            row.Clear();
            for (int t = 0; t < count; t++)
            {
                Elementwise.Add(sequence.Slice((b * steps + t) * width, width), row);
            }

            Elementwise.Scale(T.One / T.CreateTruncating(count), row);
        }
    }

    /// <summary>dSequence[b, t] += dPooled[b] / length_b for every valid step.</summary>
    public static void MeanBackward<T>(ReadOnlySpan<T> dPooled, ReadOnlySpan<int> lengths, int batch, int steps, int width, Span<T> dSequence)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            int count = lengths.IsEmpty ? steps : lengths[b];
            T share = T.One / T.CreateTruncating(count);
            for (int t = 0; t < count; t++)
            {
                Span<T> row = dSequence.Slice((b * steps + t) * width, width);
                for (int j = 0; j < width; j++)
                {
                    row[j] += dPooled[b * width + j] * share;
                }
            }
        }
    }

    /// <summary>pooled (B, W) = max over the valid steps; argmax (B, W) keeps the first step that attains it.</summary>
    public static void MaxForward<T>(ReadOnlySpan<T> sequence, ReadOnlySpan<int> lengths, int batch, int steps, int width, Span<T> pooled, Span<int> argmax)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            int count = lengths.IsEmpty ? steps : lengths[b];
            for (int j = 0; j < width; j++)
            {
                int best = 0;
                T value = sequence[b * steps * width + j];
                for (int t = 1; t < count; t++)
                {
                    T candidate = sequence[(b * steps + t) * width + j];
                    if (candidate > value)
                    {
                        (best, value) = (t, candidate);
                    }
                }

                pooled[b * width + j] = value;
                argmax[b * width + j] = best;
            }
        }
    }

    /// <summary>dSequence[b, argmax[b, j], j] += dPooled[b, j].</summary>
    public static void MaxBackward<T>(ReadOnlySpan<T> dPooled, ReadOnlySpan<int> argmax, int batch, int steps, int width, Span<T> dSequence)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < width; j++)
            {
                dSequence[(b * steps + argmax[b * width + j]) * width + j] += dPooled[b * width + j];
            }
        }
    }

    /// <summary>
    /// weights (B, T) = softmax of scores (B, T) over each sequence's valid steps, its maximum subtracted first
    /// (padded steps get weight 0 and their scores are never read); pooled (B, W) = Σ_t weights[b, t] · sequence[b, t].
    /// </summary>
    public static void AttentionForward<T>(ReadOnlySpan<T> sequence, ReadOnlySpan<T> scores, ReadOnlySpan<int> lengths,
        int batch, int steps, int width, Span<T> weights, Span<T> pooled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            int count = lengths.IsEmpty ? steps : lengths[b];
            ReadOnlySpan<T> score = scores.Slice(b * steps, count); // (T_b)
            Span<T> weight = weights.Slice(b * steps, steps); // (T)
            weight.Clear();
            T max = score[0];
            for (int t = 1; t < count; t++)
            {
                max = score[t] > max ? score[t] : max;
            }

            T sum = T.Zero;
            for (int t = 0; t < count; t++)
            {
                weight[t] = T.Exp(score[t] - max);
                sum += weight[t];
            }

            Span<T> row = pooled.Slice(b * width, width); // (W)
            row.Clear();
            for (int t = 0; t < count; t++)
            {
                weight[t] /= sum;
                ReadOnlySpan<T> step = sequence.Slice((b * steps + t) * width, width); // (W)
                for (int j = 0; j < width; j++)
                {
                    row[j] += weight[t] * step[j];
                }
            }
        }
    }

    /// <summary>
    /// With dα_t = dPooled[b] · sequence[b, t]: dScores (B, T) = α_t (dα_t − Σ_u α_u dα_u) on valid steps and 0 on
    /// padded ones, and dSequence[b, t] += α_t · dPooled[b]. α is the forward pass's weights (B, T).
    /// </summary>
    public static void AttentionBackward<T>(ReadOnlySpan<T> sequence, ReadOnlySpan<T> weights, ReadOnlySpan<T> dPooled, ReadOnlySpan<int> lengths,
        int batch, int steps, int width, Span<T> dScores, Span<T> dSequence)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            int count = lengths.IsEmpty ? steps : lengths[b];
            ReadOnlySpan<T> weight = weights.Slice(b * steps, steps); // (T)
            ReadOnlySpan<T> dRow = dPooled.Slice(b * width, width); // (W)
            Span<T> dScore = dScores.Slice(b * steps, steps); // (T): dα, then ds
            dScore.Clear();
            T expected = T.Zero; // Σ_u α_u dα_u
            for (int t = 0; t < count; t++)
            {
                ReadOnlySpan<T> step = sequence.Slice((b * steps + t) * width, width); // (W)
                Span<T> dStep = dSequence.Slice((b * steps + t) * width, width); // (W)
                T dWeight = T.Zero;
                for (int j = 0; j < width; j++)
                {
                    dWeight += dRow[j] * step[j];
                    dStep[j] += weight[t] * dRow[j];
                }

                dScore[t] = dWeight;
                expected += weight[t] * dWeight;
            }

            for (int t = 0; t < count; t++)
            {
                dScore[t] = weight[t] * (dScore[t] - expected);
            }
        }
    }
}
