// Dimension legend: N = largest character n-gram order.
namespace Carnet.Tasks.Evaluation;

/// <summary>
/// sacreBLEU 2.x's corpus chrF (<c>metrics/chrf.py</c> with <c>word_order = 0</c>): per segment and order the hypothesis
/// n-grams, the reference n-grams and their clipped matches against the one reference whose sentence-level F-score is
/// best (the first of equals), summed over the corpus; then <see cref="FScore"/>.
/// </summary>
internal sealed class ChrfStatistics(ChrfOptions options) : ISegmentStatistics<double>
{
    /// <summary>chrF++.py's ε for an undefined precision, recall or F-score.</summary>
    private const double Epsilon = 1e-16;

    private readonly long[] sums = new long[3 * options.CharacterOrder]; // (N, 3): hypothesis, reference, matched n-grams

    public void Add(string hypothesis, IReadOnlyList<string> references)
    {
        var hypothesisCounts = Ngrams.OfCharacters(Prepare(hypothesis), options.CharacterOrder);
        long[] best = [];
        double bestScore = -1;
        foreach (string reference in references)
        {
            long[] statistics = Statistics(hypothesisCounts, Ngrams.OfCharacters(Prepare(reference), options.CharacterOrder));
            double score = FScore(statistics, options);
            if (score > bestScore)
            {
                (best, bestScore) = (statistics, score);
            }
        }

        for (int i = 0; i < sums.Length; i++)
        {
            sums[i] += best[i];
        }
    }

    public double Score() => FScore(sums, options);

    /// <summary>
    /// sacreBLEU's <c>_compute_f_score</c> on the 0–100 scale. By default the precisions and recalls of the orders where
    /// both sides have n-grams are averaged, then combined as (1 + β²)·P·R / (β²·P + R); with ε smoothing, the per-order
    /// F-scores (ε standing in for what is undefined) are averaged over all N orders.
    /// </summary>
    public static double FScore(IReadOnlyList<long> statistics, ChrfOptions options)
    {
        double factor = options.Beta * options.Beta, score = 0, averagePrecision = 0, averageRecall = 0;
        int order = statistics.Count / 3, effectiveOrder = 0;
        for (int i = 0; i < order; i++)
        {
            long hypothesisCount = statistics[3 * i], referenceCount = statistics[3 * i + 1], matchCount = statistics[3 * i + 2];
            double precision = hypothesisCount > 0 ? (double)matchCount / hypothesisCount : Epsilon;
            double recall = referenceCount > 0 ? (double)matchCount / referenceCount : Epsilon;
            double denominator = factor * precision + recall;
            score += denominator > 0 ? (1 + factor) * precision * recall / denominator : Epsilon;
            if (hypothesisCount > 0 && referenceCount > 0)
            {
                averagePrecision += precision;
                averageRecall += recall;
                effectiveOrder++;
            }
        }

        if (options.EpsilonSmoothing)
        {
            return 100 * score / order;
        }

        if (effectiveOrder > 0)
        {
            averagePrecision /= effectiveOrder;
            averageRecall /= effectiveOrder;
        }

        return averagePrecision + averageRecall == 0
            ? 0.0
            : 100 * ((1 + factor) * averagePrecision * averageRecall / (factor * averagePrecision + averageRecall));
    }

    /// <summary>
    /// (N, 3) per order: the hypothesis n-grams (0 when the reference has none of that order), the reference n-grams and
    /// the clipped matches (<c>_get_match_statistics</c>).
    /// </summary>
    private static long[] Statistics(Dictionary<string, int>[] hypothesis, Dictionary<string, int>[] reference)
    {
        var statistics = new long[3 * hypothesis.Length];
        for (int n = 0; n < hypothesis.Length; n++)
        {
            statistics[3 * n] = reference[n].Count > 0 ? Ngrams.Total(hypothesis[n]) : 0;
            statistics[3 * n + 1] = Ngrams.Total(reference[n]);
            statistics[3 * n + 2] = Ngrams.Matches(hypothesis[n], reference[n]);
        }

        return statistics;
    }

    /// <summary>The segment as its n-grams see it: lower-cased if asked, white space removed unless kept.</summary>
    private string Prepare(string segment)
    {
        string text = options.Lowercase ? PythonText.Lower(segment) : segment;
        return options.IncludeWhiteSpace ? text : PythonText.RemoveWhiteSpace(text);
    }
}
