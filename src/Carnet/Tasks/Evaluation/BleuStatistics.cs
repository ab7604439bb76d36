// Dimension legend: N = largest n-gram order.
namespace Carnet.Tasks.Evaluation;

/// <summary>What a corpus metric keeps: statistics added segment by segment, then one score from their sums.</summary>
/// <typeparam name="TScore">The score's type.</typeparam>
internal interface ISegmentStatistics<out TScore>
{
    /// <summary>Adds one hypothesis with its references (at least one, none empty).</summary>
    void Add(string hypothesis, IReadOnlyList<string> references);

    /// <summary>The score of the segments added so far.</summary>
    TScore Score();
}

/// <summary>
/// sacreBLEU 2.x's corpus BLEU (<c>metrics/bleu.py</c>): per segment the hypothesis length, the closest reference length,
/// and per order the hypothesis n-grams and their matches clipped by the largest count in any one reference, summed over
/// the corpus; then <see cref="Compute"/>.
/// </summary>
internal sealed class BleuStatistics(BleuOptions options) : ISegmentStatistics<BleuScore>
{
    /// <summary>sacreBLEU's <c>my_log(0)</c>: the log of a zero precision, so that the score underflows to 0.</summary>
    private const double LogOfZero = -9999999999;

    private readonly long[] matches = new long[options.MaximumOrder]; // (N)
    private readonly long[] totals = new long[options.MaximumOrder]; // (N)
    private long systemLength;
    private long referenceLength;

    public void Add(string hypothesis, IReadOnlyList<string> references)
    {
        int order = options.MaximumOrder;
        var referenceCounts = Ngrams.Empty(order);
        var referenceLengths = new List<int>();
        foreach (string reference in references)
        {
            var referenceWords = Words(reference);
            referenceLengths.Add(referenceWords.Count);
            Ngrams.MergeMaximum(referenceCounts, Ngrams.OfWords(referenceWords, order));
        }

        var words = Words(hypothesis);
        var counts = Ngrams.OfWords(words, order);
        systemLength += words.Count;
        referenceLength += ClosestLength(words.Count, referenceLengths);
        for (int n = 0; n < order; n++)
        {
            totals[n] += Ngrams.Total(counts[n]);
            matches[n] += Ngrams.Matches(counts[n], referenceCounts[n]);
        }
    }

    public BleuScore Score() => Compute(matches, totals, systemLength, referenceLength, options);

    /// <summary>
    /// sacreBLEU's <c>compute_bleu</c>: BP · exp(Σ log pₙ / N') with the smoothed precisions pₙ (0–100), N' = N or, with
    /// the effective order, the last order with hypothesis n-grams; 0 when nothing matches at any order.
    /// </summary>
    public static BleuScore Compute(IReadOnlyList<long> matches, IReadOnlyList<long> totals, long systemLength, long referenceLength, BleuOptions options)
    {
        double brevityPenalty = systemLength >= referenceLength ? 1.0 : systemLength > 0 ? Math.Exp(1 - (double)referenceLength / systemLength) : 0.0;
        var precisions = new double[options.MaximumOrder];
        double score = 0;
        if (matches.Any(m => m != 0))
        {
            int effectiveOrder = SmoothedPrecisions(matches, totals, options, precisions);
            double logSum = 0;
            for (int n = 0; n < effectiveOrder; n++)
            {
                logSum += precisions[n] == 0 ? LogOfZero : Math.Log(precisions[n]);
            }

            score = brevityPenalty * Math.Exp(logSum / effectiveOrder);
        }

        return new BleuScore(score, precisions, [.. matches], [.. totals], brevityPenalty, systemLength, referenceLength);
    }

    /// <summary>
    /// Fills the precisions order by order, stopping at the first order without hypothesis n-grams (whose precision stays
    /// 0), and returns how many orders the mean takes.
    /// </summary>
    private static int SmoothedPrecisions(IReadOnlyList<long> matches, IReadOnlyList<long> totals, BleuOptions options, double[] precisions)
    {
        double value = options.SmoothingValue ?? (options.Smoothing == BleuSmoothing.AddK ? 1.0 : 0.1);
        double exponential = 1;
        int effectiveOrder = precisions.Length;
        for (int n = 1; n <= precisions.Length; n++)
        {
            double correct = matches[n - 1], total = totals[n - 1];
            if (options.Smoothing == BleuSmoothing.AddK && n > 1)
            {
                correct += value;
                total += value;
            }

            if (total == 0)
            {
                break;
            }

            effectiveOrder = options.EffectiveOrder ? n : effectiveOrder;
            if (correct != 0)
            {
                precisions[n - 1] = 100.0 * correct / total;
            }
            else if (options.Smoothing == BleuSmoothing.Exponential)
            {
                exponential *= 2;
                precisions[n - 1] = 100.0 / (exponential * total);
            }
            else if (options.Smoothing == BleuSmoothing.Floor)
            {
                precisions[n - 1] = 100.0 * value / total;
            }
        }

        return effectiveOrder;
    }

    /// <summary>The reference length closest to the hypothesis length, the shorter of two equally close (<c>_get_closest_ref_len</c>).</summary>
    private static int ClosestLength(int hypothesisLength, List<int> referenceLengths) =>
        referenceLengths.OrderBy(length => Math.Abs(hypothesisLength - length)).ThenBy(length => length).First();

    /// <summary>The words of a segment: lower-cased if asked, right-trimmed, tokenized, split at white space.</summary>
    private List<string> Words(string segment)
    {
        string text = PythonText.TrimEnd(options.Lowercase ? PythonText.Lower(segment) : segment);
        return PythonText.Split(options.Tokenizer == BleuTokenizer.Mteval13a ? Tokenizer13a.Tokenize(text) : text);
    }
}
