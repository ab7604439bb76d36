// Dimension legend: B = batch, S = source steps, W = memory width (encoder features), A = attention width.
// The memory is batch-first (B, S, W); lengths (B) gives each source's valid steps (all S when empty). Scores at
// padded steps are never written or read: the softmax in PoolingKernels.AttentionForward stops at each length.
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Attention scores of a decoder query against an encoder memory (Luong dot/general, Bahdanau additive) and their gradients.</summary>
internal static class AttentionKernels
{
    /// <summary>scores (B, S) = memory[b, s] · query[b] on valid steps (the dot score; the general score with a projected query).</summary>
    public static void DotScores<T>(ReadOnlySpan<T> memory, ReadOnlySpan<T> query, ReadOnlySpan<int> lengths,
        int batch, int steps, int width, Span<T> scores)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> q = query.Slice(b * width, width); // (W)
            int count = lengths.IsEmpty ? steps : lengths[b];
            for (int s = 0; s < count; s++)
            {
                ReadOnlySpan<T> m = memory.Slice((b * steps + s) * width, width); // (W)
                T sum = T.Zero;
                for (int j = 0; j < width; j++)
                {
                    sum += m[j] * q[j];
                }

                scores[b * steps + s] = sum;
            }
        }
    }

    /// <summary>dQuery[b] += Σ_s dScores[b, s] · memory[b, s]; dMemory[b, s] += dScores[b, s] · query[b] (valid steps).</summary>
    public static void DotScoresBackward<T>(ReadOnlySpan<T> memory, ReadOnlySpan<T> query, ReadOnlySpan<T> dScores, ReadOnlySpan<int> lengths,
        int batch, int steps, int width, Span<T> dQuery, Span<T> dMemory)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> q = query.Slice(b * width, width); // (W)
            Span<T> dq = dQuery.Slice(b * width, width); // (W)
            int count = lengths.IsEmpty ? steps : lengths[b];
            for (int s = 0; s < count; s++)
            {
                T ds = dScores[b * steps + s];
                ReadOnlySpan<T> m = memory.Slice((b * steps + s) * width, width); // (W)
                Span<T> dm = dMemory.Slice((b * steps + s) * width, width); // (W)
                for (int j = 0; j < width; j++)
                {
                    dq[j] += ds * m[j];
                    dm[j] += ds * q[j];
                }
            }
        }
    }

    /// <summary>
    /// The additive score: hidden (B, S, A) = tanh(keys[b, s] + query[b]) and scores (B, S) = v · hidden[b, s], on valid
    /// steps. keys are the projected memory W_k·m_s + b_k, query the projected decoder state W_q·h_t.
    /// </summary>
    public static void AdditiveScores<T>(ReadOnlySpan<T> keys, ReadOnlySpan<T> query, ReadOnlySpan<T> vector, ReadOnlySpan<int> lengths,
        int batch, int steps, int width, Span<T> hidden, Span<T> scores)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> q = query.Slice(b * width, width); // (A)
            int count = lengths.IsEmpty ? steps : lengths[b];
            for (int s = 0; s < count; s++)
            {
                ReadOnlySpan<T> k = keys.Slice((b * steps + s) * width, width); // (A)
                Span<T> z = hidden.Slice((b * steps + s) * width, width); // (A)
                T sum = T.Zero;
                for (int j = 0; j < width; j++)
                {
                    z[j] = T.Tanh(k[j] + q[j]);
                    sum += vector[j] * z[j];
                }

                scores[b * steps + s] = sum;
            }
        }
    }

    /// <summary>
    /// With dz = dScores[b, s] · v ⊙ (1 − hidden²): dKeys[b, s] += dz, dQuery[b] += Σ_s dz, and dVector += Σ dScores · hidden.
    /// </summary>
    public static void AdditiveScoresBackward<T>(ReadOnlySpan<T> hidden, ReadOnlySpan<T> vector, ReadOnlySpan<T> dScores, ReadOnlySpan<int> lengths,
        int batch, int steps, int width, Span<T> dKeys, Span<T> dQuery, Span<T> dVector)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            Span<T> dq = dQuery.Slice(b * width, width); // (A)
            int count = lengths.IsEmpty ? steps : lengths[b];
            for (int s = 0; s < count; s++)
            {
                T ds = dScores[b * steps + s];
                ReadOnlySpan<T> z = hidden.Slice((b * steps + s) * width, width); // (A)
                Span<T> dk = dKeys.Slice((b * steps + s) * width, width); // (A)
                for (int j = 0; j < width; j++)
                {
                    T dz = ds * vector[j] * (T.One - z[j] * z[j]);
                    dk[j] += dz;
                    dq[j] += dz;
                    dVector[j] += ds * z[j];
                }
            }
        }
    }

    /// <summary>values = tanh(values), in place.</summary>
    public static void TanhInPlace<T>(Span<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.Tanh(values[i]);
        }
    }

    /// <summary>gradient ⊙= 1 − output², in place: the gradient through y = tanh(x) given y.</summary>
    public static void TanhBackwardInPlace<T>(ReadOnlySpan<T> output, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] *= T.One - output[i] * output[i];
        }
    }

    /// <summary>Index of the largest value in each row of (rows, width): the greedy choice and the most-attended step.</summary>
    public static void ArgmaxRows<T>(ReadOnlySpan<T> values, int rows, int width, Span<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = values.Slice(r * width, width);
            int best = 0;
            for (int j = 1; j < width; j++)
            {
                best = row[j] > row[best] ? j : best;
            }

            indices[r] = best;
        }
    }
}
