// Dimension legend: T = time steps (longest sequence), B = batch, K = tags.
// Conventions of pytorch-crf (torchcrf): emissions (T, B, K) time-major, start_transitions (K), end_transitions (K),
// transitions (K, K) indexed [from, to]; a sequence b covers steps 0 … lengths[b] − 1 (the mask).
// A path y scores s(y) = start[y_0] + Σ_t emit[t, y_t] + Σ_{t≥1} trans[y_{t−1}, y_t] + end[y_{L−1}];
// log Z = log Σ_y exp s(y); the negative log-likelihood of the gold path is log Z − s(gold).
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>
/// The linear-chain CRF: forward algorithm (log-partition), gold-path score, the gradient of the negative
/// log-likelihood by forward–backward marginals, and Viterbi decoding.
/// </summary>
/// <remarks>
/// The forward algorithm is the log-sum-exp recursion α_t(j) = log Σ_i exp(α_{t−1}(i) + trans[i, j]) + emit[t, j] with
/// the maxima factored out: with a_{t−1} = exp(α_{t−1} − Σ_{s&lt;t} log c_s) (a probability vector), P = exp(trans − max trans)
/// and E_t = exp(emit_t − max emit_t), one step is a_t ∝ (a_{t−1}·P) ⊙ E_t, normalised by its sum c_t; then
/// log Z = Σ_t log c_t + the factored maxima. The product a_{t−1}·P of all B sequences is one GEMM (B, K)·(K, K), so the
/// K² work per step runs in the fast matrix kernel instead of K² exponentials. Backward runs the same recursion from the
/// end with the same normalisers: b̂_{t−1} = (E_t ⊙ b̂_t / c_t)·Pᵀ, and the marginals are P(y_t = k) = a_t(k)·b̂_t(k) and
/// P(y_{t−1} = i, y_t = j) = a_{t−1}(i)·P[i, j]·w_t(j) with w_t = E_t ⊙ b̂_t / c_t.
/// </remarks>
internal static class CrfKernels
{
    /// <summary>
    /// The forward algorithm of every sequence. Writes P = exp(trans − max trans) (K, K), E = exp(emit − row max)
    /// (T, B, K), the normalised forward vectors a (T, B, K) and their normalisers c (T, B) (zero rows and c = 1 past a
    /// sequence's end), and log Z (B).
    /// </summary>
    public static void ForwardAlgorithm<T>(
        ReadOnlySpan<T> emissions, ReadOnlySpan<int> lengths, ReadOnlySpan<T> start, ReadOnlySpan<T> end, ReadOnlySpan<T> transitions,
        int steps, int batch, int tags,
        Span<T> expTransitions, Span<T> expEmissions, Span<T> alpha, Span<T> normalizers, Span<double> logPartition)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T transitionMax = Max(transitions), startMax = Max(start), endMax = Max(end);
        for (int i = 0; i < tags * tags; i++)
        {
            expTransitions[i] = T.Exp(transitions[i] - transitionMax);
        }

        logPartition[..batch].Clear();
        int row = batch * tags;
        for (int t = 0; t < steps; t++)
        {
            Span<T> current = alpha.Slice(t * row, row); // (B, K)
            if (t > 0)
            {
                // a_{t−1}·P for the whole batch: Σ_i a(i)·exp(trans[i, j] − max)
                Gemm.Multiply<T>(false, false, alpha.Slice((t - 1) * row, row), tags, expTransitions, tags, batch, tags, tags, current, tags, accumulate: false);
            }

            for (int b = 0; b < batch; b++)
            {
                Span<T> a = current.Slice(b * tags, tags); // (K)
                Span<T> e = expEmissions.Slice(t * row + b * tags, tags); // (K)
                if (t >= lengths[b])
                {
                    a.Clear();
                    e.Clear();
                    normalizers[t * batch + b] = T.One;
                    continue;
                }

                ReadOnlySpan<T> emit = emissions.Slice(t * row + b * tags, tags); // (K)
                T emitMax = Max(emit);
                T sum = T.Zero;
                for (int k = 0; k < tags; k++)
                {
                    e[k] = T.Exp(emit[k] - emitMax);
                    a[k] = (t == 0 ? T.Exp(start[k] - startMax) : a[k]) * e[k];
                    sum += a[k];
                }

                for (int k = 0; k < tags; k++)
                {
                    a[k] /= sum;
                }

                normalizers[t * batch + b] = sum;
                logPartition[b] += double.CreateTruncating(T.Log(sum) + emitMax + (t == 0 ? startMax : transitionMax));
                if (t == lengths[b] - 1)
                {
                    // the end transitions close the sequence: log Σ_k a(k)·exp(end[k] − max) + max
                    T closing = T.Zero;
                    for (int k = 0; k < tags; k++)
                    {
                        closing += a[k] * T.Exp(end[k] - endMax);
                    }

                    logPartition[b] += double.CreateTruncating(T.Log(closing) + endMax);
                }
            }
        }
    }

    /// <summary>s(gold) (B) of each sequence's gold path <paramref name="goldTags"/> (T, B).</summary>
    public static void GoldScores<T>(
        ReadOnlySpan<T> emissions, ReadOnlySpan<int> goldTags, ReadOnlySpan<int> lengths, ReadOnlySpan<T> start, ReadOnlySpan<T> end,
        ReadOnlySpan<T> transitions, int batch, int tags, Span<double> scores)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b], first = goldTags[b], last = goldTags[(length - 1) * batch + b];
            double score = double.CreateTruncating(start[first] + end[last]);
            for (int t = 0; t < length; t++)
            {
                int tag = goldTags[t * batch + b];
                score += double.CreateTruncating(emissions[(t * batch + b) * tags + tag]);
                if (t > 0)
                {
                    score += double.CreateTruncating(transitions[goldTags[(t - 1) * batch + b] * tags + tag]);
                }
            }

            scores[b] = score;
        }
    }

    /// <summary>
    /// Accumulates <paramref name="scale"/> × the gradient of Σ_b (log Z_b − s_b(gold)) into dEmissions (T, B, K), dStart (K),
    /// dEnd (K) and dTransitions (K, K): marginal minus gold indicator, from the forward pass's P, E, a and c.
    /// </summary>
    public static void BackwardAlgorithm<T>(
        ReadOnlySpan<T> expTransitions, ReadOnlySpan<T> expEmissions, ReadOnlySpan<T> alpha, ReadOnlySpan<T> normalizers,
        ReadOnlySpan<int> goldTags, ReadOnlySpan<int> lengths, ReadOnlySpan<T> end, T scale,
        int steps, int batch, int tags,
        Span<T> dEmissions, Span<T> dStart, Span<T> dEnd, Span<T> dTransitions)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T endMax = Max(end);
        int row = batch * tags;
        var weighted = new T[steps * row]; // (T, B, K): w_t = E_t ⊙ b̂_t / c_t, zero past each end
        var beta = new T[row]; // (B, K): b̂_t, propagated from step t + 1
        for (int t = steps - 1; t >= 0; t--)
        {
            for (int b = 0; b < batch; b++)
            {
                if (t >= lengths[b])
                {
                    continue;
                }

                ReadOnlySpan<T> a = alpha.Slice(t * row + b * tags, tags); // (K)
                Span<T> betaRow = beta.AsSpan(b * tags, tags); // (K)
                if (t == lengths[b] - 1)
                {
                    // b̂ at the last step: exp(end − max) / Σ_k a(k)·exp(end[k] − max)
                    T closing = T.Zero;
                    for (int k = 0; k < tags; k++)
                    {
                        betaRow[k] = T.Exp(end[k] - endMax);
                        closing += a[k] * betaRow[k];
                    }

                    for (int k = 0; k < tags; k++)
                    {
                        betaRow[k] /= closing;
                    }
                }

                int gold = goldTags[t * batch + b];
                Span<T> dEmit = dEmissions.Slice(t * row + b * tags, tags); // (K)
                ReadOnlySpan<T> e = expEmissions.Slice(t * row + b * tags, tags); // (K)
                Span<T> w = weighted.AsSpan(t * row + b * tags, tags); // (K)
                T inverseNormalizer = T.One / normalizers[t * batch + b];
                for (int k = 0; k < tags; k++)
                {
                    // d(log Z − s)/d emit[t, k] = P(y_t = k) − [gold = k]
                    T marginal = a[k] * betaRow[k] - (k == gold ? T.One : T.Zero);
                    dEmit[k] += scale * marginal;
                    if (t == 0)
                    {
                        dStart[k] += scale * marginal;
                    }

                    if (t == lengths[b] - 1)
                    {
                        dEnd[k] += scale * marginal;
                    }

                    w[k] = e[k] * betaRow[k] * inverseNormalizer;
                }

                if (t > 0)
                {
                    dTransitions[goldTags[(t - 1) * batch + b] * tags + gold] -= scale;
                }
            }

            if (t > 0)
            {
                // b̂_{t−1} = w_t·Pᵀ for the whole batch (rows that end at t − 1 are reset at the next step)
                Gemm.Multiply<T>(false, true, weighted.AsSpan(t * row, row), tags, expTransitions, tags, batch, tags, tags, beta, tags, accumulate: false);
            }
        }

        if (steps > 1)
        {
            // Σ_{t, b} a_{t−1}(i)·w_t(j) in one GEMM over all steps, then ⊙ P: the expected transition counts
            var pairs = new T[tags * tags]; // (K, K)
            Gemm.Multiply<T>(true, false, alpha[..((steps - 1) * row)], tags, weighted.AsSpan(row), tags, tags, tags, (steps - 1) * batch, pairs, tags, accumulate: false);
            for (int i = 0; i < tags * tags; i++)
            {
                dTransitions[i] += scale * expTransitions[i] * pairs[i];
            }
        }
    }

    /// <summary>The highest-scoring path of each sequence (Viterbi), written to <paramref name="path"/> (T, B); −1 past each end.</summary>
    public static void Viterbi<T>(
        ReadOnlySpan<T> emissions, ReadOnlySpan<int> lengths, ReadOnlySpan<T> start, ReadOnlySpan<T> end, ReadOnlySpan<T> transitions,
        int steps, int batch, int tags, Span<int> path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var incoming = new T[tags * tags]; // (K, K) indexed [to, from]: each target's column made contiguous
        for (int i = 0; i < tags; i++)
        {
            for (int j = 0; j < tags; j++)
            {
                incoming[j * tags + i] = transitions[i * tags + j];
            }
        }

        var score = new T[tags]; // (K): best score of a path ending in each tag
        var next = new T[tags]; // (K)
        var backPointers = new int[steps * tags]; // (T, K): the best previous tag
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            for (int k = 0; k < tags; k++)
            {
                score[k] = start[k] + emissions[b * tags + k];
            }

            for (int t = 1; t < length; t++)
            {
                ReadOnlySpan<T> emit = emissions.Slice((t * batch + b) * tags, tags); // (K)
                for (int j = 0; j < tags; j++)
                {
                    ReadOnlySpan<T> column = incoming.AsSpan(j * tags, tags); // (K): trans[·, j]
                    int best = 0;
                    T bestScore = score[0] + column[0];
                    for (int i = 1; i < tags; i++)
                    {
                        T candidate = score[i] + column[i];
                        if (candidate > bestScore)
                        {
                            bestScore = candidate;
                            best = i;
                        }
                    }

                    next[j] = bestScore + emit[j];
                    backPointers[t * tags + j] = best;
                }

                next.CopyTo(score, 0);
            }

            int tag = 0;
            T finalScore = score[0] + end[0];
            for (int k = 1; k < tags; k++)
            {
                if (score[k] + end[k] > finalScore)
                {
                    finalScore = score[k] + end[k];
                    tag = k;
                }
            }

            for (int t = steps - 1; t >= length; t--)
            {
                path[t * batch + b] = -1;
            }

            for (int t = length - 1; t >= 0; t--)
            {
                path[t * batch + b] = tag;
                tag = backPointers[t * tags + tag];
            }
        }
    }

    private static T Max<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T maximum = values[0];
        for (int i = 1; i < values.Length; i++)
        {
            maximum = T.Max(maximum, values[i]);
        }

        return maximum;
    }
}
