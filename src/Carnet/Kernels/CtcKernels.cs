// Dimension legend: T = frames of a sample (its input length), N = samples in the batch, C = symbols (the blank
// included), S = the sample's target length, L = 2S + 1 (the target with a blank before, between and after its
// symbols: l' = blank, l1, blank, l2, …, lS, blank).
// Connectionist Temporal Classification (Graves et al., 2006) as PyTorch's nn.CTCLoss computes it: the forward
// variables α and backward variables β in log space, both including the frame's own probability,
//   α_t(s) = y_t(l'_s) · (α_{t−1}(s) + α_{t−1}(s−1) + [l'_s ≠ blank ∧ l'_s ≠ l'_{s−2}] α_{t−1}(s−2)),
//   β_t(s) = y_t(l'_s) · (β_{t+1}(s) + β_{t+1}(s+1) + [l'_s ≠ blank ∧ l'_s ≠ l'_{s+2}] β_{t+1}(s+2)),
// p(l | x) = α_{T−1}(L−1) + α_{T−1}(L−2), and for every frame t: Σ_s α_t(s) β_t(s) / y_t(l'_s) = p. The loss is
// −log p; its derivative with respect to log y_t(c) is −Σ_{s: l'_s = c} α_t(s) β_t(s) / (y_t(c) · p). Sums run in
// double precision whatever T is.
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>The CTC loss of one sample and its gradient, and greedy and prefix beam-search decoding. Scalar code.</summary>
internal static class CtcKernels
{
    /// <summary>
    /// −log p(target | frames) of one sample, and, when <paramref name="gradient"/> is not empty, gradient[t, c] =
    /// scale · d(−log p)/d log y_t(c) for t &lt; T (frames from T on are not written). Frame t's C log-probabilities
    /// start at <c>t · rowStride</c> of <paramref name="logProbabilities"/> and of <paramref name="gradient"/>. An
    /// impossible target (too few frames for its symbols and repeats) gives +∞ and a NaN gradient, as PyTorch.
    /// </summary>
    public static double Loss<T>(
        ReadOnlySpan<T> logProbabilities, int rowStride, int frames, int classes, ReadOnlySpan<int> target, int blank, Span<T> gradient, double scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int extended = (2 * target.Length) + 1;
        var alpha = new double[frames * extended]; // (T, L)
        var beta = new double[frames * extended]; // (T, L)
        if (frames == 0)
        {
            return target.Length == 0 ? 0 : double.PositiveInfinity;
        }

        var frame = new Frames<T>(logProbabilities, rowStride, blank);
        Forward(frame, frames, extended, target, alpha);
        Backward(frame, frames, extended, target, beta);
        double last = alpha[((frames - 1) * extended) + extended - 1];
        double logP = extended > 1 ? LogAdd(last, alpha[((frames - 1) * extended) + extended - 2]) : last;
        if (!gradient.IsEmpty)
        {
            Gradient(logProbabilities, rowStride, frames, classes, target, blank, alpha, beta, logP, gradient, scale);
        }

        return -logP;
    }

    /// <summary>
    /// The CTC loss of a batch of batch-first logits (B, T, C), log_softmax taken over C: PyTorch's mean (each sample's
    /// loss over its target length, then the mean over the batch), with zero_infinity; <paramref name="gradient"/>
    /// (B, T, C) receives d loss / d logits, zero past each sample's length. Returns the loss.
    /// </summary>
    public static double LossFromLogits<T>(
        ReadOnlySpan<T> logits, int batch, int steps, int classes, ReadOnlySpan<int> lengths, ReadOnlySpan<int> targets, ReadOnlySpan<int> targetLengths,
        int blank, Span<T> gradient) // (B, T, C), (B), (ΣS), (B), (B, T, C)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        gradient[..(batch * steps * classes)].Clear();
        double total = 0;
        for (int n = 0, offset = 0; n < batch; offset += targetLengths[n], n++)
        {
            int frames = lengths[n];
            var logProbabilities = new double[frames * classes]; // (T_n, C)
            var sampleGradient = new double[frames * classes]; // (T_n, C): d loss / d log y
            SearchKernels.LogSoftmaxRows(logits.Slice(n * steps * classes, frames * classes), frames, classes, logProbabilities);

            double weight = 1.0 / (Math.Max(targetLengths[n], 1) * (double)batch);
            double loss = Loss<double>(logProbabilities, classes, frames, classes, targets.Slice(offset, targetLengths[n]), blank, sampleGradient, weight);
            if (double.IsPositiveInfinity(loss))
            {
                continue; // zero_infinity: an impossible target loses 0 and teaches nothing
            }

            total += loss * weight;
            for (int t = 0; t < frames; t++)
            {
                var g = sampleGradient.AsSpan(t * classes, classes);
                double sum = 0;
                foreach (double value in g)
                {
                    sum += value;
                }

                for (int c = 0; c < classes; c++)
                {
                    gradient[(((n * steps) + t) * classes) + c] = T.CreateTruncating(g[c] - (Math.Exp(logProbabilities[(t * classes) + c]) * sum)); // through log_softmax
                }
            }
        }

        return total;
    }

    /// <summary>The symbol at position s of the extended target: blank at even s, target[(s − 1) / 2] at odd s.</summary>
    private static int Symbol(ReadOnlySpan<int> target, int s, int blank) => s % 2 == 0 ? blank : target[s / 2];

    /// <summary>Whether the path may skip from s − 2 to s (a symbol that differs from the one two places back).</summary>
    private static bool MaySkip(ReadOnlySpan<int> target, int s) => s % 2 == 1 && s >= 3 && target[s / 2] != target[(s / 2) - 1];

    /// <summary>The log-probabilities of one sample, frame by frame: log y_t(l'_s).</summary>
    private readonly ref struct Frames<T>(ReadOnlySpan<T> logProbabilities, int rowStride, int blank)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ReadOnlySpan<T> logProbabilities = logProbabilities;

        public double LogY(int t, ReadOnlySpan<int> target, int s) => double.CreateTruncating(logProbabilities[(t * rowStride) + Symbol(target, s, blank)]);
    }

    private static void Forward<T>(Frames<T> logY, int frames, int extended, ReadOnlySpan<int> target, Span<double> alpha) // (T, L)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        alpha.Fill(double.NegativeInfinity);
        alpha[0] = logY.LogY(0, target, 0);
        if (extended > 1)
        {
            alpha[1] = logY.LogY(0, target, 1);
        }

        for (int t = 1; t < frames; t++)
        {
            var previous = alpha.Slice((t - 1) * extended, extended);
            var current = alpha.Slice(t * extended, extended);
            for (int s = 0; s < extended; s++)
            {
                double sum = previous[s];
                if (s >= 1)
                {
                    sum = LogAdd(sum, previous[s - 1]);
                }

                if (MaySkip(target, s))
                {
                    sum = LogAdd(sum, previous[s - 2]);
                }

                current[s] = sum == double.NegativeInfinity ? sum : sum + logY.LogY(t, target, s);
            }
        }
    }

    private static void Backward<T>(Frames<T> logY, int frames, int extended, ReadOnlySpan<int> target, Span<double> beta) // (T, L)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        beta.Fill(double.NegativeInfinity);
        int last = (frames - 1) * extended;
        beta[last + extended - 1] = logY.LogY(frames - 1, target, extended - 1);
        if (extended > 1)
        {
            beta[last + extended - 2] = logY.LogY(frames - 1, target, extended - 2);
        }

        for (int t = frames - 2; t >= 0; t--)
        {
            var following = beta.Slice((t + 1) * extended, extended);
            var current = beta.Slice(t * extended, extended);
            for (int s = 0; s < extended; s++)
            {
                double sum = following[s];
                if (s + 1 < extended)
                {
                    sum = LogAdd(sum, following[s + 1]);
                }

                if (s + 2 < extended && MaySkip(target, s + 2))
                {
                    sum = LogAdd(sum, following[s + 2]);
                }

                current[s] = sum == double.NegativeInfinity ? sum : sum + logY.LogY(t, target, s);
            }
        }
    }

    /// <summary>gradient[t, c] = −scale · Σ_{s: l'_s = c} exp(α_t(s) + β_t(s) − log y_t(c) − log p), for t &lt; T and every c.</summary>
    private static void Gradient<T>(
        ReadOnlySpan<T> logProbabilities, int rowStride, int frames, int classes, ReadOnlySpan<int> target, int blank,
        ReadOnlySpan<double> alpha, ReadOnlySpan<double> beta, double logP, Span<T> gradient, double scale) // (T, L), (T, L)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int extended = alpha.Length / frames;
        var logOccupancy = new double[classes]; // (C): log Σ_{s: l'_s = c} α_t(s) β_t(s)
        for (int t = 0; t < frames; t++)
        {
            Array.Fill(logOccupancy, double.NegativeInfinity);
            for (int s = 0; s < extended; s++)
            {
                int c = Symbol(target, s, blank);
                logOccupancy[c] = LogAdd(logOccupancy[c], alpha[(t * extended) + s] + beta[(t * extended) + s]);
            }

            for (int c = 0; c < classes; c++)
            {
                double logY = double.CreateTruncating(logProbabilities[(t * rowStride) + c]);
                double occupancy = logOccupancy[c] == double.NegativeInfinity && logP != double.NegativeInfinity
                    ? 0
                    : Math.Exp(logOccupancy[c] - logY - logP); // NaN when p = 0, as PyTorch's gradient of an infinite loss
                gradient[(t * rowStride) + c] = T.CreateTruncating(-scale * occupancy);
            }
        }
    }

    /// <summary>log(e^a + e^b) without overflow; −∞ stays the neutral element.</summary>
    public static double LogAdd(double a, double b)
    {
        if (a == double.NegativeInfinity)
        {
            return b;
        }

        if (b == double.NegativeInfinity)
        {
            return a;
        }

        return a > b ? a + Math.Log(1 + Math.Exp(b - a)) : b + Math.Log(1 + Math.Exp(a - b));
    }

    /// <summary>
    /// Greedy decoding of one sample's frames (T, C) (rows <paramref name="rowStride"/> apart): the most probable
    /// symbol of each frame (the first on a tie), repeats merged, blanks removed.
    /// </summary>
    public static int[] GreedyDecode<T>(ReadOnlySpan<T> logProbabilities, int rowStride, int frames, int classes, int blank)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var symbols = new List<int>();
        int previous = blank;
        for (int t = 0; t < frames; t++)
        {
            if (GreedyStep(logProbabilities.Slice(t * rowStride, classes), blank, ref previous) is int symbol and >= 0)
            {
                symbols.Add(symbol);
            }
        }

        return [.. symbols];
    }

    /// <summary>
    /// One frame (C) of greedy decoding: the most probable class (the first of equals) is a new symbol unless it is the
    /// blank or repeats <paramref name="previous"/>, the class of the frame before (the blank at the start), which it becomes.
    /// Returns the new symbol, or −1.
    /// </summary>
    public static int GreedyStep<T>(ReadOnlySpan<T> row, int blank, ref int previous)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            best = row[c] > row[best] ? c : best;
        }

        int symbol = best != blank && best != previous ? best : -1;
        previous = best;
        return symbol;
    }

    /// <summary>
    /// Prefix beam search (Hannun et al., 2014) over one sample's frames (T, C): the <paramref name="beamWidth"/> most
    /// probable label prefixes survive each frame, each with the log-probability of its paths that end in a blank and of
    /// those that end in its last symbol, so that every path of a prefix counts; returns the most probable prefix
    /// (the earlier-made one on a tie). A width of 1 keeps one prefix, which can differ from greedy decoding.
    /// </summary>
    public static int[] PrefixBeamSearch<T>(ReadOnlySpan<T> logProbabilities, int rowStride, int frames, int classes, int blank, int beamWidth)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        var prefixes = new PrefixTree();
        var beam = new List<(int Prefix, double Blank, double Symbol)> { (0, 0, double.NegativeInfinity) }; // the empty prefix
        var next = new Dictionary<int, (double Blank, double Symbol)>();
        for (int t = 0; t < frames; t++)
        {
            next.Clear();
            var row = logProbabilities.Slice(t * rowStride, classes);
            foreach (var (prefix, endsBlank, endsSymbol) in beam)
            {
                double total = LogAdd(endsBlank, endsSymbol);
                Add(next, prefix, total + double.CreateTruncating(row[blank]), blank: true);
                for (int c = 0; c < classes; c++)
                {
                    if (c == blank)
                    {
                        continue;
                    }

                    double logY = double.CreateTruncating(row[c]);
                    int child = prefixes.Child(prefix, c);
                    if (c == prefixes.Last(prefix))
                    {
                        Add(next, child, endsBlank + logY, blank: false); // a repeat needs a blank between
                        Add(next, prefix, endsSymbol + logY, blank: false); // the same symbol again merges
                    }
                    else
                    {
                        Add(next, child, total + logY, blank: false);
                    }
                }
            }

            beam = [.. next.Select(entry => (entry.Key, entry.Value.Blank, entry.Value.Symbol))
                .OrderByDescending(entry => LogAdd(entry.Blank, entry.Symbol)).ThenBy(entry => entry.Key).Take(beamWidth)];
        }

        return prefixes.Symbols(beam[0].Prefix);
    }

    private static void Add(Dictionary<int, (double Blank, double Symbol)> beam, int prefix, double logP, bool blank)
    {
        var (endsBlank, endsSymbol) = beam.TryGetValue(prefix, out var value) ? value : (double.NegativeInfinity, double.NegativeInfinity);
        beam[prefix] = blank ? (LogAdd(endsBlank, logP), endsSymbol) : (endsBlank, LogAdd(endsSymbol, logP));
    }

    /// <summary>Label prefixes numbered in the order they are first made (0: the empty prefix), each its parent and last symbol.</summary>
    private sealed class PrefixTree
    {
        private readonly List<(int Parent, int Symbol)> nodes = [(-1, -1)];
        private readonly Dictionary<(int Parent, int Symbol), int> children = [];

        public int Child(int prefix, int symbol)
        {
            if (!children.TryGetValue((prefix, symbol), out int child))
            {
                child = nodes.Count;
                nodes.Add((prefix, symbol));
                children[(prefix, symbol)] = child;
            }

            return child;
        }

        public int Last(int prefix) => nodes[prefix].Symbol;

        public int[] Symbols(int prefix)
        {
            var symbols = new List<int>();
            for (; prefix > 0; prefix = nodes[prefix].Parent)
            {
                symbols.Add(nodes[prefix].Symbol);
            }

            symbols.Reverse();
            return [.. symbols];
        }
    }
}
