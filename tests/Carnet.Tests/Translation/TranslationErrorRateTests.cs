using Carnet.Tasks.Evaluation;

namespace Carnet.Tests.Translation;

/// <summary>
/// Token error rate, edit distance and exact match, by hand and with the cases of sacreBLEU's <c>test/test_wer.py</c>
/// (repository mjpost/sacrebleu), whose WER is the same plain word Levenshtein distance over the reference length.
/// </summary>
public sealed class TranslationErrorRateTests
{
    private const double Exact = 1e-15;

    [Theory]
    [InlineData("aaaa bbbb cccc dddd", "aaaa bbbb cccc dddd", 0.0)]
    [InlineData("dddd eeee ffff", "aaaa bbbb cccc", 1.0)]
    [InlineData("", "a", 1.0)]
    [InlineData("a", "", 1.0)]
    [InlineData("", "", 0.0)]
    [InlineData("the cat sat on the mat", "the cat sat on a mat", 1.0 / 6)]
    [InlineData("a b c d", "a b d", 1.0 / 3)]
    public void SacreBleuWordErrorRateCases(string hypothesis, string reference, double expected)
    {
        // test_wer.py: score / 100 within 1e-3 there; here exact, as each is a ratio of small integers
        var rate = TranslationMetrics.TokenErrorRate([Words(hypothesis)], [Words(reference)]);
        Assert.Equal(expected, rate.Rate, Exact);
    }

    [Fact]
    public void EditsAndLengthsAreSummedOverSentences()
    {
        // by hand: [a b c] → [a c] deletes b (1); [x y] → [x y z] inserts z (1); [p q] → [r q] substitutes (1):
        // 3 edits over 2 + 3 + 2 = 7 reference tokens; only no sentence matches exactly
        IReadOnlyList<IReadOnlyList<string>> hypotheses = [["a", "b", "c"], ["x", "y"], ["p", "q"]];
        IReadOnlyList<IReadOnlyList<string>> references = [["a", "c"], ["x", "y", "z"], ["r", "q"]];
        Assert.Equal(new ErrorRate(3.0 / 7, 3, 7), TranslationMetrics.TokenErrorRate(hypotheses, references));
        Assert.Equal(0.0, TranslationMetrics.ExactMatch(hypotheses, references));
    }

    [Fact]
    public void PhonemeErrorRate()
    {
        // by hand: CAT K AE T read as K AA T, and DOG D AO G read exactly: 1 substitution over 6 phonemes; 1 of 2 exact
        IReadOnlyList<IReadOnlyList<string>> hypotheses = [["K", "AA", "T"], ["D", "AO", "G"]];
        IReadOnlyList<IReadOnlyList<string>> references = [["K", "AE", "T"], ["D", "AO", "G"]];
        Assert.Equal(1.0 / 6, TranslationMetrics.TokenErrorRate(hypotheses, references).Rate, Exact);
        Assert.Equal(0.5, TranslationMetrics.ExactMatch(hypotheses, references));
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("abc", "abc", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    public void EditDistanceOfCharacters(string hypothesis, string reference, int expected)
    {
        // the textbook cases: kitten → sitting is 2 substitutions and 1 insertion; flaw → lawn 1 deletion and 1 insertion
        Assert.Equal(expected, TranslationMetrics.EditDistance(Characters(hypothesis), Characters(reference)));
    }

    [Fact]
    public void ExactMatchComparesOrdinallyAndCountsEverySentence()
    {
        IReadOnlyList<IReadOnlyList<string>> hypotheses = [["a", "b"], ["C"], [], ["d"]];
        IReadOnlyList<IReadOnlyList<string>> references = [["a", "b"], ["c"], [], ["d", "e"]];
        Assert.Equal(0.5, TranslationMetrics.ExactMatch(hypotheses, references));
        Assert.Equal(0.0, TranslationMetrics.ExactMatch([], []));
        Assert.Throws<ArgumentException>(() => TranslationMetrics.ExactMatch(hypotheses, references.Take(2).ToList()));
        Assert.Throws<ArgumentException>(() => TranslationMetrics.TokenErrorRate(hypotheses, references.Take(2).ToList()));
    }

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Characters(string text) => text.Select(c => c.ToString()).ToArray();
}
