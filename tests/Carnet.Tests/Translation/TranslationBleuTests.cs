using System.Globalization;
using Carnet.Tasks.Evaluation;

namespace Carnet.Tests.Translation;

/// <summary>
/// Corpus and sentence BLEU against the values sacreBLEU 2.x publishes: its README's example, <c>test/test_bleu.py</c>
/// and <c>test/test_sentence_bleu.py</c> (repository mjpost/sacrebleu), each to the tolerance the source states.
/// </summary>
public sealed class TranslationBleuTests
{
    /// <summary>test_bleu.py's EPSILON.</summary>
    private const double BleuTolerance = 1e-8;

    /// <summary>test_sentence_bleu.py's EPSILON.</summary>
    private const double SentenceTolerance = 1e-3;

    private static readonly IReadOnlyList<string> ReadmeHypotheses = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];

    private static readonly IReadOnlyList<IReadOnlyList<string>> ReadmeReferences =
    [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];

    /// <summary>test_sentence_bleu.py's example from sacreBLEU issue #98.</summary>
    private const string RomanianHypothesis = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

    private const string RomanianReference = "producţia de zahăr brut se exprimă în zahăr alb;";

    [Fact]
    public void ReadmeExampleMatchesTheScoreAndItsStatistics()
    {
        // README: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18);
        // test_bleu.py: 48.530827 within 1e-8, the same with tokenize '13a' and with smooth_method 'none'
        var score = TranslationMetrics.Bleu(ReadmeHypotheses, ReadmeReferences);
        Assert.Equal(48.530827, score.Score, BleuTolerance);
        Assert.Equal("82.4/50.0/45.5/37.5", string.Join('/', score.Precisions.Select(p => Format(p, 1))));
        Assert.Equal("0.943", Format(score.BrevityPenalty, 3));
        Assert.Equal("0.944", Format(score.Ratio, 3));
        Assert.Equal(17, score.SystemLength);
        Assert.Equal(18, score.ReferenceLength);
        var unsmoothed = TranslationMetrics.Bleu(ReadmeHypotheses, ReadmeReferences, new BleuOptions { Smoothing = BleuSmoothing.None });
        Assert.Equal(48.530827, unsmoothed.Score, BleuTolerance);
    }

    [Fact]
    public void ReadmeExampleWithoutTokenization()
    {
        // test_bleu.py: tokenize 'none' → 49.1919566
        var score = TranslationMetrics.Bleu(ReadmeHypotheses, ReadmeReferences, new BleuOptions { Tokenizer = BleuTokenizer.None });
        Assert.Equal(49.1919566, score.Score, BleuTolerance);
    }

    [Fact]
    public void ReadmeExampleWithAVariableNumberOfReferences()
    {
        // README: the first sentence's first reference replaced by '' gives
        // BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)
        IReadOnlyList<IReadOnlyList<string>> references = [["", .. ReadmeReferences[0].Skip(1)], ReadmeReferences[1]];
        var score = TranslationMetrics.Bleu(ReadmeHypotheses, references);
        Assert.Equal("29.44", Format(score.Score, 2));
        Assert.Equal("82.4/42.9/27.3/12.5", string.Join('/', score.Precisions.Select(p => Format(p, 1))));
        Assert.Equal("0.889", Format(score.BrevityPenalty, 3));
        Assert.Equal("0.895", Format(score.Ratio, 3));
        Assert.Equal(17, score.SystemLength);
        Assert.Equal(19, score.ReferenceLength);
    }

    [Theory]
    [InlineData(1, "77.65")]
    [InlineData(2, "60.50")]
    [InlineData(3, "53.93")]
    [InlineData(4, "48.53")]
    [InlineData(5, "46.14")]
    [InlineData(6, "43.28")]
    public void ReadmeExampleAtEachMaximumOrder(int order, string expected)
    {
        // test_bleu.py test_max_ngram_order: f"{score:.2f}"
        var score = TranslationMetrics.Bleu(ReadmeHypotheses, ReadmeReferences, new BleuOptions { MaximumOrder = order });
        Assert.Equal(expected, Format(score.Score, 2));
    }

    [Fact]
    public void EmptyHypothesesScoreZero()
    {
        // test_bleu.py: ('', '', '') against the README references → 0.0
        Assert.Equal(0.0, TranslationMetrics.Bleu(["", "", ""], ReadmeReferences).Score);
    }

    [Theory]
    [InlineData(new[] { "this is a test", "another test" }, new[] { "ref1", "ref2" }, 0.0)]
    [InlineData(new[] { "this is a test" }, new[] { "this is a test" }, 1.0)]
    [InlineData(new[] { "this is a fest" }, new[] { "this is a test" }, 0.223606797749979)]
    [InlineData(new[] { "test" }, new[] { "a test" }, 0.3678794411714425)]
    [InlineData(new[] { "a test" }, new[] { "a test" }, 1.0)]
    [InlineData(new[] { "a little test" }, new[] { "a test" }, 0.03218297948685433)]
    public void RawCorpusBleu(string[] hypotheses, string[] references, double expected)
    {
        // test_bleu.py test_raw_bleu and test_effective_order: raw_corpus_bleu(..., 0.01) / 100
        var score = TranslationMetrics.Bleu(hypotheses, [references], Raw(0.01));
        Assert.Equal(expected, score.Score / 100, BleuTolerance);
    }

    [Fact]
    public void RawCorpusBleuStatisticsAndFloor()
    {
        // test_bleu.py test_statistics: counts [4, 2, 1, 0], totals [6, 5, 4, 3];
        // test_offset: 0.1555722182 with the default floor 0.1, 0 with floor 0
        string[] hypothesis = ["am I am a character sequence"], reference = ["I am a symbol string sequence a a"];
        var score = TranslationMetrics.Bleu(hypothesis, [reference], Raw(null));
        Assert.Equal([4L, 2, 1, 0], score.Matches);
        Assert.Equal([6L, 5, 4, 3], score.Totals);
        Assert.Equal(0.1555722182, score.Score / 100, BleuTolerance);
        Assert.Equal(0.0, TranslationMetrics.Bleu(hypothesis, [reference], Raw(0.0)).Score / 100, BleuTolerance);
    }

    [Fact]
    public void ScoreFromStatistics()
    {
        // test_bleu.py test_scoring: compute_bleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11) with smooth_method 'none' → 0.8375922397
        var score = TranslationMetrics.BleuFromStatistics([9, 7, 5, 3], [10, 8, 6, 4], 11, 11, new BleuOptions { Smoothing = BleuSmoothing.None });
        Assert.Equal(0.8375922397, score.Score / 100, BleuTolerance);
    }

    [Theory]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 4, 4, 2, 1 }, 0, 1, 0.0)]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 10, 11, 12, 0 }, 14, 10, 0.0)]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 0, 0, 0, 0 }, 0, 0, 0.0)]
    [InlineData(new long[] { 6, 5, 4, 0 }, new long[] { 6, 5, 4, 3 }, 6, 6, 0.0)]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 0, 0, 0, 0 }, 0, 0, 0.1)]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 0, 0, 0, 0 }, 1, 5, 0.01)]
    public void DegenerateStatisticsScoreExactlyZero(long[] matches, long[] totals, long systemLength, long referenceLength, double floor)
    {
        // test_bleu.py test_degenerate_statistics: floor smoothing, score == 0.0 exactly
        var options = new BleuOptions { Smoothing = BleuSmoothing.Floor, SmoothingValue = floor };
        Assert.Equal(0.0, TranslationMetrics.BleuFromStatistics(matches, totals, systemLength, referenceLength, options).Score);
    }

    [Theory]
    [InlineData(BleuSmoothing.Exponential, null, BleuTokenizer.Mteval13a, 8.493)]
    [InlineData(BleuSmoothing.None, null, BleuTokenizer.Mteval13a, 0.0)]
    [InlineData(BleuSmoothing.Floor, null, BleuTokenizer.Mteval13a, 4.51688)]
    [InlineData(BleuSmoothing.Floor, 0.1, BleuTokenizer.Mteval13a, 4.51688)]
    [InlineData(BleuSmoothing.Floor, 0.5, BleuTokenizer.Mteval13a, 10.10)]
    [InlineData(BleuSmoothing.AddK, null, BleuTokenizer.Mteval13a, 14.882)]
    [InlineData(BleuSmoothing.AddK, 1.0, BleuTokenizer.Mteval13a, 14.882)]
    [InlineData(BleuSmoothing.AddK, 2.0, BleuTokenizer.Mteval13a, 21.389)]
    [InlineData(BleuSmoothing.Exponential, null, BleuTokenizer.None, 7.347)]
    public void SentenceBleuWithEachSmoothing(BleuSmoothing smoothing, double? value, BleuTokenizer tokenizer, double expected)
    {
        // test_sentence_bleu.py test_api_sentence_bleu: effective order on
        var options = new BleuOptions { Smoothing = smoothing, SmoothingValue = value, Tokenizer = tokenizer, EffectiveOrder = true };
        Assert.Equal(expected, TranslationMetrics.SentenceBleu(RomanianHypothesis, [RomanianReference], options).Score, SentenceTolerance);
    }

    [Theory]
    [InlineData(BleuSmoothing.Exponential, null)]
    [InlineData(BleuSmoothing.None, null)]
    [InlineData(BleuSmoothing.Floor, null)]
    [InlineData(BleuSmoothing.Floor, 0.1)]
    [InlineData(BleuSmoothing.AddK, null)]
    [InlineData(BleuSmoothing.AddK, 1.0)]
    public void SentenceWithoutAnyMatchScoresZero(BleuSmoothing smoothing, double? value)
    {
        // test_sentence_bleu.py test_api_sentence_bleu_zero (issue #141): "this is a cat" against "okay thanks" → 0.0
        var options = new BleuOptions { Smoothing = smoothing, SmoothingValue = value, EffectiveOrder = true };
        Assert.Equal(0.0, TranslationMetrics.SentenceBleu("this is a cat", ["okay thanks"], options).Score, SentenceTolerance);
    }

    [Fact]
    public void LowercaseIgnoresCase()
    {
        // by hand: equal once lower-cased, so every precision is 100 and BP = 1; case sensitive, "The"/"the" and "DOG"
        // miss, so 1-grams match 5 of 7 and every n-gram holding "The" or "DOG" is lost
        string hypothesis = "The DOG bit the man today.", reference = "the dog bit the man today.";
        var lowered = TranslationMetrics.SentenceBleu(hypothesis, [reference], new BleuOptions { Lowercase = true });
        Assert.Equal(100.0, lowered.Score, 1e-12);
        var cased = TranslationMetrics.SentenceBleu(hypothesis, [reference]);
        Assert.Equal([5L, 4, 3, 2], cased.Matches);
        Assert.Equal([7L, 6, 5, 4], cased.Totals);
    }

    [Fact]
    public void StreamsOfTheWrongLengthOrMissingReferencesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => TranslationMetrics.Bleu(ReadmeHypotheses, [["only one"]]));
        Assert.Throws<ArgumentException>(() => TranslationMetrics.Bleu(["a"], [[""], [""]]));
        Assert.Throws<ArgumentException>(() => TranslationMetrics.BleuFromStatistics([1, 1], [1, 1], 1, 1));
    }

    /// <summary>sacreBLEU's <c>raw_corpus_bleu</c>: floor smoothing, no tokenization, effective order.</summary>
    private static BleuOptions Raw(double? floor) =>
        new() { Smoothing = BleuSmoothing.Floor, SmoothingValue = floor, Tokenizer = BleuTokenizer.None, EffectiveOrder = true };

    /// <summary>Python's <c>f"{value:.{decimals}f}"</c>.</summary>
    private static string Format(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
