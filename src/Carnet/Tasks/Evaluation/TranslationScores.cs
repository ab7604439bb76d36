namespace Carnet.Tasks.Evaluation;

/// <summary>How BLEU splits a segment into words (sacreBLEU's <c>tokenize</c>).</summary>
public enum BleuTokenizer
{
    /// <summary>mteval-v13a's rules (<see cref="Tokenizer13a"/>), sacreBLEU's default '13a'.</summary>
    Mteval13a,

    /// <summary>No tokenization: the words are the runs of non-white-space characters ('none').</summary>
    None,
}

/// <summary>How BLEU treats an n-gram order without any match (sacreBLEU's <c>smooth_method</c>; Chen and Cherry, 2014).</summary>
public enum BleuSmoothing
{
    /// <summary>No smoothing: the precision stays 0 and the score is 0 ('none').</summary>
    None,

    /// <summary>The k-th order without matches gets precision 100 / (2^k · total), as mteval-v13a ('exp', the default).</summary>
    Exponential,

    /// <summary>An order without matches gets precision 100 · value / total, value 0.1 by default ('floor').</summary>
    Floor,

    /// <summary>Orders 2 and up add value (1 by default) to their matches and totals ('add-k').</summary>
    AddK,
}

/// <summary>The settings of <see cref="TranslationMetrics.Bleu"/>; the defaults are sacreBLEU 2.x's <c>BLEU()</c>.</summary>
public sealed record BleuOptions
{
    /// <summary>sacreBLEU's defaults: case sensitive, '13a', exponential smoothing, orders 1 to 4, no effective order.</summary>
    public static BleuOptions Default { get; } = new();

    /// <summary>Whether segments are lower-cased (with Python's <c>str.lower</c>) before tokenization.</summary>
    public bool Lowercase { get; init; }

    /// <summary>The word tokenizer.</summary>
    public BleuTokenizer Tokenizer { get; init; } = BleuTokenizer.Mteval13a;

    /// <summary>The smoothing of orders without matches.</summary>
    public BleuSmoothing Smoothing { get; init; } = BleuSmoothing.Exponential;

    /// <summary>The value of <see cref="BleuSmoothing.Floor"/> or <see cref="BleuSmoothing.AddK"/>; null for their defaults (0.1 and 1).</summary>
    public double? SmoothingValue { get; init; }

    /// <summary>The largest n-gram order N (4).</summary>
    public int MaximumOrder { get; init; } = 4;

    /// <summary>
    /// Whether the geometric mean stops at the last order the hypotheses have n-grams of, instead of scoring 0; sacreBLEU
    /// recommends it for a single sentence.
    /// </summary>
    public bool EffectiveOrder { get; init; }
}

/// <summary>A BLEU score with its sufficient statistics, as sacreBLEU's <c>BLEUScore</c>.</summary>
/// <param name="Score">BLEU on the 0–100 scale: BP · exp(mean over orders of log precision).</param>
/// <param name="Precisions">(N) the n-gram precisions on the 0–100 scale after smoothing, for n = 1..N.</param>
/// <param name="Matches">(N) hypothesis n-grams found in a reference, each clipped to its largest count in one reference.</param>
/// <param name="Totals">(N) hypothesis n-grams.</param>
/// <param name="BrevityPenalty">exp(1 − r / c) when the system length c is below the reference length r (0 when c = 0), else 1.</param>
/// <param name="SystemLength">Hypothesis words, c.</param>
/// <param name="ReferenceLength">Reference words, r: per segment the reference length closest to the hypothesis's, the shorter on ties.</param>
public sealed record BleuScore(
    double Score, IReadOnlyList<double> Precisions, IReadOnlyList<long> Matches, IReadOnlyList<long> Totals, double BrevityPenalty,
    long SystemLength, long ReferenceLength)
{
    /// <summary>c / r, 0 when r = 0.</summary>
    public double Ratio => ReferenceLength == 0 ? 0 : (double)SystemLength / ReferenceLength;
}

/// <summary>The settings of <see cref="TranslationMetrics.Chrf"/>; the defaults are sacreBLEU 2.x's <c>CHRF()</c> (chrF2).</summary>
public sealed record ChrfOptions
{
    /// <summary>sacreBLEU's defaults: character orders 1 to 6, β = 2, white space removed, case sensitive, effective order.</summary>
    public static ChrfOptions Default { get; } = new();

    /// <summary>The largest character n-gram order (6).</summary>
    public int CharacterOrder { get; init; } = 6;

    /// <summary>The weight of recall against precision in the F-score (2).</summary>
    public double Beta { get; init; } = 2;

    /// <summary>Whether segments are lower-cased (with Python's <c>str.lower</c>).</summary>
    public bool Lowercase { get; init; }

    /// <summary>Whether white space stays in the character n-grams; by default all white space is removed first.</summary>
    public bool IncludeWhiteSpace { get; init; }

    /// <summary>
    /// Whether to average the per-order F-scores with ε = 1e-16 standing in for an undefined precision or recall (chrF++.py,
    /// NLTK and Moses), instead of sacreBLEU's default: averaging precision and recall over the orders both sides have.
    /// </summary>
    public bool EpsilonSmoothing { get; init; }
}

/// <summary>An error rate over token sequences: the Levenshtein distance summed over sentences, over the reference tokens.</summary>
/// <param name="Rate">Edits / reference length; when there are no reference tokens, 1 if there are edits, else 0.</param>
/// <param name="Edits">Insertions, deletions and substitutions summed over sentences.</param>
/// <param name="ReferenceLength">Reference tokens summed over sentences.</param>
public sealed record ErrorRate(double Rate, long Edits, long ReferenceLength);
