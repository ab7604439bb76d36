using System.Globalization;
using Carnet.Tasks.Evaluation;

namespace Carnet.Tests.Translation;

/// <summary>
/// chrF against the values sacreBLEU 2.x publishes: its README's example and <c>test/test_chrf.py</c> (repository
/// mjpost/sacrebleu), each to the tolerance the source states.
/// </summary>
public sealed class TranslationChrfTests
{
    /// <summary>test_chrf.py's EPSILON.</summary>
    private const double ChrfTolerance = 1e-4;

    private const string RiskHypothesis = "risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .";
    private const string RiskReference = "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .";
    private const string ObamaReference = "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.";

    /// <summary>test_chrf.py's options: orders 1..6, β = 3.</summary>
    private static readonly ChrfOptions BetaThree = new() { Beta = 3 };

    [Fact]
    public void ReadmeExampleWithTwoReferences()
    {
        // README: CHRF().corpus_score(sys, refs) → chrF2 = 59.73
        IReadOnlyList<string> hypotheses = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
        IReadOnlyList<IReadOnlyList<string>> references =
        [
            ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
            ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
        ];
        Assert.Equal("59.73", TranslationMetrics.Chrf(hypotheses, references).ToString("F2", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(new[] { "abcdefg" }, new[] { "hijklmnop" }, 0.0)]
    [InlineData(new[] { "a" }, new[] { "b" }, 0.0)]
    [InlineData(new[] { "" }, new[] { "b" }, 0.0)]
    [InlineData(new[] { "" }, new[] { "ref" }, 0.0)]
    [InlineData(new[] { "" }, new[] { "reference" }, 0.0)]
    [InlineData(new[] { "aa" }, new[] { "ab" }, 8.3333)]
    [InlineData(new[] { "a", "b" }, new[] { "a", "c" }, 8.3333)]
    [InlineData(new[] { "a" }, new[] { "a" }, 16.6667)]
    [InlineData(new[] { "a b c" }, new[] { "a b c" }, 50.0)]
    [InlineData(new[] { "a b c" }, new[] { "abc" }, 50.0)]
    [InlineData(new[] { " " + RiskHypothesis }, new[] { RiskReference }, 63.361730)]
    [InlineData(new[] { " Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. " }, new[] { ObamaReference }, 64.1302698)]
    [InlineData(new[] { "Niemand hat die Absicht, eine Mauer zu errichten" }, new[] { "Niemand hat die Absicht, eine Mauer zu errichten" }, 100.0)]
    public void EpsilonSmoothing(string[] hypotheses, string[] references, double expected)
    {
        // test_chrf.py test_chrf: corpus_chrf(char_order=6, word_order=0, beta=3, eps_smoothing=True)
        var options = BetaThree with { EpsilonSmoothing = true };
        Assert.Equal(expected, TranslationMetrics.Chrf(hypotheses, [references], options), ChrfTolerance);
    }

    [Theory]
    [InlineData(new[] { "a" }, new[] { "a" }, 100.0)]
    [InlineData(new[] { "" }, new[] { "reference" }, 0.0)]
    [InlineData(new[] { "a b c" }, new[] { "a b c" }, 100.0)]
    [InlineData(new[] { "a b c" }, new[] { "abc" }, 100.0)]
    [InlineData(new[] { "" }, new[] { "c" }, 0.0)]
    [InlineData(new[] { "a", "b" }, new[] { "a", "c" }, 50.0)]
    [InlineData(new[] { "aa" }, new[] { "ab" }, 25.0)]
    public void EffectiveOrder(string[] hypotheses, string[] references, double expected)
    {
        // test_chrf.py test_chrf_eff_order: corpus_chrf(char_order=6, word_order=0, beta=3, eps_smoothing=False)
        Assert.Equal(expected, TranslationMetrics.Chrf(hypotheses, [references], BetaThree), ChrfTolerance);
    }

    [Theory]
    [InlineData("Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.", ObamaReference, 67.3481606)]
    [InlineData(RiskHypothesis, RiskReference, 65.2414427)]
    public void KeepingWhiteSpace(string hypothesis, string reference, double expected)
    {
        // test_chrf.py test_chrf_keep_whitespace: corpus_chrf(char_order=6, word_order=0, beta=3, remove_whitespace=False)
        var options = BetaThree with { IncludeWhiteSpace = true };
        Assert.Equal(expected, TranslationMetrics.Chrf([hypothesis], [[reference]], options), ChrfTolerance);
    }

    [Theory]
    [InlineData(
        "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
        "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.",
        39.14078509)]
    [InlineData(
        "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
        "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.",
        31.22557079)]
    [InlineData(
        "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
        "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.",
        57.15704367)]
    public void SentenceLevelWithEpsilonSmoothing(string hypothesis, string reference, double expected)
    {
        // test_chrf.py test_chrf_sentence_level: sentence_chrf(hypothesis, references, eps_smoothing=True), β = 2
        var options = new ChrfOptions { EpsilonSmoothing = true };
        Assert.Equal(expected, TranslationMetrics.SentenceChrf(hypothesis, [reference], options), ChrfTolerance);
    }

    [Fact]
    public void TheBestReferenceOfEachSentenceCounts()
    {
        // by hand, effective order and β = 2: "ab" against "ab" scores 100 and against "xy" 0, so the corpus of one
        // sentence scores 100 whichever stream holds the exact reference
        Assert.Equal(100.0, TranslationMetrics.Chrf(["ab"], [["xy"], ["ab"]]), 1e-12);
        Assert.Equal(100.0, TranslationMetrics.Chrf(["ab"], [["ab"], ["xy"]]), 1e-12);
    }

    [Fact]
    public void LowercaseIgnoresCase()
    {
        // by hand: "AB" against "ab" shares no character case sensitively, every one lower-cased
        Assert.Equal(0.0, TranslationMetrics.SentenceChrf("AB", ["ab"]));
        Assert.Equal(100.0, TranslationMetrics.SentenceChrf("AB", ["ab"], new ChrfOptions { Lowercase = true }), 1e-12);
    }
}
