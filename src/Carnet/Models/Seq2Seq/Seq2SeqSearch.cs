// Dimension legend: B = sentences in a batch, K = beam size, R = B·K rows, S = source steps, V = target vocabulary,
// Ld = decoder layers, Hd = decoder hidden size, Ds = memory width.
using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Models;

/// <summary>How <see cref="Seq2SeqSearch"/> decodes.</summary>
public sealed record Seq2SeqSearchOptions
{
    /// <summary>K: hypotheses kept per sentence; 1 is greedy decoding.</summary>
    public int BeamSize { get; init; } = 5;

    /// <summary>
    /// α of GNMT's length normalisation (Wu et al. 2016): a finished hypothesis Y scores log P(Y) / lp(Y) with
    /// lp(Y) = (5 + |Y|)^α / 6^α, |Y| counting &lt;eos&gt;. 0 ranks by log-probability alone.
    /// </summary>
    public double LengthPenalty { get; init; } = 0.6;

    /// <summary>The longest output is ⌈ratio · source length⌉ + <see cref="MaximumLengthOffset"/> tokens.</summary>
    public double MaximumLengthRatio { get; init; } = 2.0;

    /// <summary>Added to the ratio's length.</summary>
    public int MaximumLengthOffset { get; init; } = 10;

    /// <summary>Sentences decoded together (sorted by length first, results in the input's order).</summary>
    public int BatchSize { get; init; } = 32;
}

/// <summary>A decoded sentence.</summary>
/// <param name="Tokens">Target ids, without &lt;eos&gt;.</param>
/// <param name="LogProbability">log P of the tokens and, when it ended, &lt;eos&gt;.</param>
/// <param name="Score">The log-probability after length normalisation: what the beams were ranked by.</param>
/// <param name="Attention">(n, S_b): the attention weights over the source's S_b tokens when each token was chosen (zero without attention).</param>
public sealed record Seq2SeqHypothesis(int[] Tokens, double LogProbability, double Score, double[] Attention);

/// <summary>Greedy and batched beam search over a <see cref="Seq2SeqModel{T}"/>.</summary>
public static class Seq2SeqSearch
{
    private const int Eos = 3;
    private const int Bos = 2;

    /// <summary>Translates each source (ids without padding, at least one) to its best hypothesis.</summary>
    public static Seq2SeqHypothesis[] Translate<T>(Seq2SeqModel<T> model, IReadOnlyList<int[]> sources, Seq2SeqSearchOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        options ??= new Seq2SeqSearchOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BeamSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        if (sources.Any(s => s.Length == 0))
        {
            throw new ArgumentException("Every source needs at least one token.", nameof(sources));
        }

        var order = Enumerable.Range(0, sources.Count).OrderBy(i => sources[i].Length).ThenBy(i => i).ToArray();
        var results = new Seq2SeqHypothesis[sources.Count];
        foreach (var chunk in order.Chunk(options.BatchSize))
        {
            var decoded = new BeamBatch<T>(model, chunk.Select(i => sources[i]).ToArray(), options).Run();
            for (int i = 0; i < chunk.Length; i++)
            {
                results[chunk[i]] = decoded[i];
            }
        }

        return results;
    }

    /// <summary>GNMT's length penalty lp = ((5 + length) / 6)^α.</summary>
    public static double LengthNormalizer(int length, double alpha) => Math.Pow((5.0 + length) / 6.0, alpha);

    /// <summary>(groups, R, W) rows gathered by index: destination row r is source row index[r] within each group.</summary>
    internal static T[] GatherRows<T>(ReadOnlySpan<T> source, int groups, int sourceRows, int width, int[] index)
    {
        var destination = new T[groups * index.Length * width];
        for (int g = 0; g < groups; g++)
        {
            for (int r = 0; r < index.Length; r++)
            {
                source.Slice((g * sourceRows + index[r]) * width, width).CopyTo(destination.AsSpan((g * index.Length + r) * width, width));
            }
        }

        return destination;
    }

    /// <summary>One batch of sentences searched together, K rows each.</summary>
    private sealed class BeamBatch<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Seq2SeqModel<T> model;
        private readonly int[][] sources;
        private readonly Seq2SeqSearchOptions options;
        private readonly int beams;
        private readonly int rows;
        private readonly List<Seq2SeqHypothesis>[] finished;
        private readonly bool[] done;
        private readonly T[] logits; // (R, V): one step's, reused
        private readonly T[] attentional; // (R, Hd): one step's, reused
        private readonly double[] logProbabilities; // (R, V): one step's, reused
        private double[] scores; // (R): log P of each live beam, −∞ for none
        private List<int>[] tokens; // (R)
        private List<double[]>[] attention; // (R): a (S_b) row per token

        public BeamBatch(Seq2SeqModel<T> model, int[][] sources, Seq2SeqSearchOptions options)
        {
            (this.model, this.sources, this.options) = (model, sources, options);
            beams = options.BeamSize;
            rows = sources.Length * beams;
            finished = sources.Select(_ => new List<Seq2SeqHypothesis>()).ToArray();
            done = new bool[sources.Length];
            scores = Enumerable.Range(0, rows).Select(r => r % beams == 0 ? 0.0 : double.NegativeInfinity).ToArray();
            tokens = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
            attention = Enumerable.Range(0, rows).Select(_ => new List<double[]>()).ToArray();
            logits = new T[rows * model.Options.TargetVocabularySize];
            attentional = new T[rows * model.Options.DecoderHiddenSize];
            logProbabilities = new double[rows * model.Options.TargetVocabularySize];
        }

        public Seq2SeqHypothesis[] Run()
        {
            int batch = sources.Length, steps = sources.Max(s => s.Length);
            var source = new int[batch * steps]; // (B, S)
            for (int b = 0; b < batch; b++)
            {
                sources[b].CopyTo(source, b * steps);
            }

            var lengths = sources.Select(s => s.Length).ToArray();
            var encoding = model.Encode(source, lengths, batch, training: false, random: null);
            try
            {
                var repeat = Enumerable.Range(0, rows).Select(r => r / beams).ToArray();
                var memoryValues = encoding.Memory.Values; // (B, S, Ds)
                var expanded = new Tensor<T>(GatherRows<T>(memoryValues.Span, 1, batch, steps * memoryValues.Shape[2], repeat), rows, steps, memoryValues.Shape[2]);
                var memory = model.Attention.Prepare(expanded, repeat.Select(b => lengths[b]).ToArray());
                var state = Reorder(encoding.Initial, batch, repeat);
                int longest = lengths.Max(MaximumLength);
                for (int t = 0; t < longest && !done.All(d => d); t++)
                {
                    state = Advance(memory, state, t, steps);
                }

                return finished.Select(list => list.MaxBy(h => h.Score)!).ToArray();
            }
            finally
            {
                encoding.Encoder.Dispose();
            }
        }

        private int MaximumLength(int sourceLength) => (int)Math.Ceiling(options.MaximumLengthRatio * sourceLength) + options.MaximumLengthOffset;

        private Seq2SeqState<T> Advance(AttentionMemory<T> memory, Seq2SeqState<T> state, int t, int steps)
        {
            int vocabulary = model.Options.TargetVocabularySize;
            var ids = tokens.Select(list => list.Count == 0 ? Bos : list[^1]).ToArray(); // (R)
            var step = model.Step(memory, state, ids, training: false, random: null, logits, attentional);
            step.Decoder.Dispose();
            SearchKernels.LogSoftmaxRows<T>(logits, rows, vocabulary, logProbabilities);
            var from = Enumerable.Range(0, rows).ToArray(); // (R): the row each new beam continues
            var nextScores = Enumerable.Repeat(double.NegativeInfinity, rows).ToArray();
            var nextTokens = new List<int>[rows];
            var nextAttention = new List<double[]>[rows];
            for (int b = 0; b < sources.Length; b++)
            {
                if (!done[b])
                {
                    Extend(b, logProbabilities, step.Attention.Weights, steps, from, nextScores, nextTokens, nextAttention);
                    FinishAtLimit(b, t, nextScores, nextTokens, nextAttention);
                }
            }

            for (int r = 0; r < rows; r++)
            {
                nextTokens[r] ??= [];
                nextAttention[r] ??= [];
            }

            (scores, tokens, attention) = (nextScores, nextTokens, nextAttention);
            return Reorder(step.Next, rows, from);
        }

        private void Extend(int b, double[] logProbabilities, T[] weights, int steps, int[] from,
            double[] nextScores, List<int>[] nextTokens, List<double[]>[] nextAttention)
        {
            int vocabulary = model.Options.TargetVocabularySize, first = b * beams, sourceLength = sources[b].Length;
            var beam = new int[2 * beams];
            var token = new int[2 * beams];
            var total = new double[2 * beams];
            int found = SearchKernels.BestContinuations(
                scores.AsSpan(first, beams), logProbabilities.AsSpan(first * vocabulary, beams * vocabulary), vocabulary, 2 * beams, beam, token, total);
            int live = 0;
            for (int i = 0; i < found && live < beams; i++)
            {
                int row = first + beam[i];
                var weightsRow = new double[sourceLength];
                for (int s = 0; s < sourceLength; s++)
                {
                    weightsRow[s] = double.CreateTruncating(weights[row * steps + s]);
                }

                if (token[i] == Eos)
                {
                    int length = tokens[row].Count + 1;
                    finished[b].Add(new Seq2SeqHypothesis(
                        [.. tokens[row]], total[i], total[i] / LengthNormalizer(length, options.LengthPenalty), Flatten(attention[row])));
                    continue;
                }

                int target = first + live++;
                from[target] = row;
                nextScores[target] = total[i];
                nextTokens[target] = [.. tokens[row], token[i]];
                nextAttention[target] = [.. attention[row], weightsRow];
            }

            double bestLive = live > 0 ? nextScores[first] : double.NegativeInfinity;
            done[b] = finished[b].Count >= beams || (options.LengthPenalty == 0 && finished[b].Count > 0 && finished[b].Max(h => h.Score) >= bestLive);
        }

        private void FinishAtLimit(int b, int t, double[] nextScores, List<int>[] nextTokens, List<double[]>[] nextAttention)
        {
            if (done[b] || t + 1 < MaximumLength(sources[b].Length))
            {
                return;
            }

            for (int r = b * beams; r < (b + 1) * beams; r++)
            {
                if (!double.IsNegativeInfinity(nextScores[r]))
                {
                    int length = nextTokens[r].Count;
                    finished[b].Add(new Seq2SeqHypothesis(
                        [.. nextTokens[r]], nextScores[r], nextScores[r] / LengthNormalizer(length, options.LengthPenalty), Flatten(nextAttention[r])));
                    nextScores[r] = double.NegativeInfinity;
                }
            }

            done[b] = true;
        }

        private Seq2SeqState<T> Reorder(Seq2SeqState<T> state, int sourceRows, int[] index)
        {
            int layers = model.Options.DecoderLayers, hidden = model.Options.DecoderHiddenSize;
            var h = new Tensor<T>(GatherRows<T>(state.Hidden.Span, layers, sourceRows, hidden, index), layers, rows, hidden);
            var c = state.Cell is null ? null : new Tensor<T>(GatherRows<T>(state.Cell.Span, layers, sourceRows, hidden, index), layers, rows, hidden);
            var feed = state.Feed.Length == 0 ? [] : GatherRows<T>(state.Feed, 1, sourceRows, hidden, index);
            return new Seq2SeqState<T>(h, c, feed);
        }

        private static double[] Flatten(List<double[]> rowsOfWeights) => rowsOfWeights.SelectMany(r => r).ToArray();
    }
}
