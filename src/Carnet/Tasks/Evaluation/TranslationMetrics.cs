namespace Carnet.Tasks.Evaluation;

/// <summary>
/// The scores of translations and other sequence outputs: corpus BLEU and chrF exactly as sacreBLEU 2.x computes them (its
/// <c>BLEU()</c> and <c>CHRF()</c> defaults unless options say otherwise), and token error rates (word or phoneme error
/// rate) with the exact-match fraction.
/// </summary>
/// <remarks>
/// References come in sacreBLEU's layout: one stream per reference set, each holding one segment per hypothesis. An empty
/// segment means that hypothesis has no reference in that stream, so hypotheses may have different numbers of references;
/// each needs at least one.
/// </remarks>
public static class TranslationMetrics
{
    /// <summary>Corpus BLEU (sacreBLEU's <c>BLEU().corpus_score(hypotheses, references)</c> by default).</summary>
    /// <param name="hypotheses">The detokenized system outputs, one per segment.</param>
    /// <param name="references">The reference streams, each with one segment per hypothesis.</param>
    /// <param name="options">The settings; null for sacreBLEU's defaults.</param>
    /// <exception cref="ArgumentException">A stream's length differs from the hypotheses', or a hypothesis has no reference.</exception>
    public static BleuScore Bleu(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, BleuOptions? options = null) =>
        Corpus(hypotheses, references, new BleuStatistics(Checked(options ?? BleuOptions.Default)));

    /// <summary>
    /// BLEU of one segment (sacreBLEU's <c>sentence_score</c>): the corpus BLEU of a corpus of one. sacreBLEU recommends
    /// <see cref="BleuOptions.EffectiveOrder"/> here.
    /// </summary>
    /// <param name="hypothesis">The detokenized system output.</param>
    /// <param name="references">Its references.</param>
    /// <param name="options">The settings; null for sacreBLEU's defaults.</param>
    public static BleuScore SentenceBleu(string hypothesis, IReadOnlyList<string> references, BleuOptions? options = null) =>
        Bleu([hypothesis], Streams(references), options);

    /// <summary>BLEU from summed statistics (sacreBLEU's <c>BLEU.compute_bleu</c>), for instance over shards scored apart.</summary>
    /// <param name="matches">(N) clipped n-gram matches for n = 1..N, N = <see cref="BleuOptions.MaximumOrder"/>.</param>
    /// <param name="totals">(N) hypothesis n-grams.</param>
    /// <param name="systemLength">Hypothesis words.</param>
    /// <param name="referenceLength">Closest reference words.</param>
    /// <param name="options">The smoothing, order and effective order; null for sacreBLEU's defaults.</param>
    /// <exception cref="ArgumentException">The counts do not have N entries.</exception>
    public static BleuScore BleuFromStatistics(
        IReadOnlyList<long> matches, IReadOnlyList<long> totals, long systemLength, long referenceLength, BleuOptions? options = null)
    {
        var settings = Checked(options ?? BleuOptions.Default);
        if (matches.Count != settings.MaximumOrder || totals.Count != settings.MaximumOrder)
        {
            throw new ArgumentException($"matches and totals must each have {settings.MaximumOrder} orders.", nameof(totals));
        }

        return BleuStatistics.Compute(matches, totals, systemLength, referenceLength, settings);
    }

    /// <summary>Corpus chrF on the 0–100 scale (sacreBLEU's <c>CHRF().corpus_score(hypotheses, references)</c> by default).</summary>
    /// <param name="hypotheses">The system outputs, one per segment.</param>
    /// <param name="references">The reference streams, each with one segment per hypothesis.</param>
    /// <param name="options">The settings; null for sacreBLEU's defaults (chrF2).</param>
    /// <exception cref="ArgumentException">A stream's length differs from the hypotheses', or a hypothesis has no reference.</exception>
    public static double Chrf(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, ChrfOptions? options = null) =>
        Corpus(hypotheses, references, new ChrfStatistics(Checked(options ?? ChrfOptions.Default)));

    /// <summary>chrF of one segment against its best reference (sacreBLEU's <c>sentence_score</c>).</summary>
    /// <param name="hypothesis">The system output.</param>
    /// <param name="references">Its references.</param>
    /// <param name="options">The settings; null for sacreBLEU's defaults.</param>
    public static double SentenceChrf(string hypothesis, IReadOnlyList<string> references, ChrfOptions? options = null) =>
        Chrf([hypothesis], Streams(references), options);

    /// <summary>
    /// The token error rate: Σ Levenshtein(hypothesis, reference) / Σ |reference| over sentences, tokens compared
    /// ordinally. With words it is the word error rate, with phonemes the phoneme error rate.
    /// </summary>
    /// <param name="hypotheses">The predicted tokens of each sentence.</param>
    /// <param name="references">The reference tokens of each sentence.</param>
    /// <exception cref="ArgumentException">The sentence counts differ.</exception>
    public static ErrorRate TokenErrorRate(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        CheckPairs(hypotheses, references);
        long edits = hypotheses.Select((hypothesis, i) => (long)EditDistance(hypothesis, references[i])).Sum();
        long length = references.Sum(reference => (long)reference.Count);
        double rate = length > 0 ? (double)edits / length : edits > 0 ? 1 : 0;
        return new ErrorRate(rate, edits, length);
    }

    /// <summary>The fraction of sentences whose tokens equal the reference's exactly (0 for no sentences).</summary>
    /// <param name="hypotheses">The predicted tokens of each sentence.</param>
    /// <param name="references">The reference tokens of each sentence.</param>
    /// <exception cref="ArgumentException">The sentence counts differ.</exception>
    public static double ExactMatch(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        CheckPairs(hypotheses, references);
        int equal = hypotheses.Where((hypothesis, i) => hypothesis.SequenceEqual(references[i], StringComparer.Ordinal)).Count();
        return hypotheses.Count == 0 ? 0 : (double)equal / hypotheses.Count;
    }

    /// <summary>The Levenshtein distance: the fewest insertions, deletions and substitutions of tokens turning one sequence into the other.</summary>
    /// <param name="hypothesis">The predicted tokens.</param>
    /// <param name="reference">The reference tokens.</param>
    public static int EditDistance(IReadOnlyList<string> hypothesis, IReadOnlyList<string> reference)
    {
        // previous[j], current[j]: distance between the first i − 1 (resp. i) hypothesis tokens and the first j reference tokens
        var previous = Enumerable.Range(0, reference.Count + 1).ToArray();
        var current = new int[reference.Count + 1];
        for (int i = 1; i <= hypothesis.Count; i++)
        {
            current[0] = i;
            for (int j = 1; j <= reference.Count; j++)
            {
                int substitution = previous[j - 1] + (string.Equals(hypothesis[i - 1], reference[j - 1], StringComparison.Ordinal) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[reference.Count];
    }

    /// <summary>Adds each hypothesis with its non-empty references to <paramref name="statistics"/> and returns the score.</summary>
    private static TScore Corpus<TScore>(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, ISegmentStatistics<TScore> statistics)
    {
        if (references.Count == 0 || references.Any(stream => stream.Count != hypotheses.Count))
        {
            throw new ArgumentException($"every reference stream must have {hypotheses.Count} segments, one per hypothesis.", nameof(references));
        }

        for (int i = 0; i < hypotheses.Count; i++)
        {
            var present = references.Select(stream => stream[i]).Where(segment => !string.IsNullOrEmpty(segment)).ToList();
            if (present.Count == 0)
            {
                throw new ArgumentException($"hypothesis {i} has no reference: every reference segment is empty.", nameof(references));
            }

            statistics.Add(hypotheses[i], present);
        }

        return statistics.Score();
    }

    /// <summary>One stream per reference of a single segment.</summary>
    private static IReadOnlyList<string>[] Streams(IReadOnlyList<string> references) => [.. references.Select(reference => (IReadOnlyList<string>)[reference])];

    private static BleuOptions Checked(BleuOptions options) => options.MaximumOrder >= 1
        ? options
        : throw new ArgumentOutOfRangeException(nameof(options), options.MaximumOrder, "the largest n-gram order must be at least 1.");

    private static ChrfOptions Checked(ChrfOptions options) => options.CharacterOrder >= 1
        ? options
        : throw new ArgumentOutOfRangeException(nameof(options), options.CharacterOrder, "the largest character order must be at least 1.");

    private static void CheckPairs(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        if (hypotheses.Count != references.Count)
        {
            throw new ArgumentException($"{hypotheses.Count} hypotheses but {references.Count} references.", nameof(references));
        }
    }
}
