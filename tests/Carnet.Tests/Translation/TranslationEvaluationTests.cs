using Carnet.Tasks.Evaluation;
using Carnet.Tasks.Translation;

namespace Carnet.Tests.Translation;

/// <summary>Scoring against several references per source, as held-out Tatoeba pairs need.</summary>
public sealed class TranslationEvaluationTests
{
    [Fact]
    public void EachSourceIsScoredAgainstAllItsReferences()
    {
        string[] hypotheses = ["a b c d e", "x y"];
        var evaluation = TranslationEvaluation.Score(hypotheses, [["a b c d f", "a b c d e"], ["x z"]]);
        Assert.Equal(0.5, evaluation.ExactMatch); // the first equals its second reference
        Assert.Equal(1.0 / 7, evaluation.TokenErrorRate, 1e-15); // 0 edits to "a b c d e" (5 tokens), 1 to "x z" (2 tokens)
        var streams = new List<IReadOnlyList<string>> { new[] { "a b c d f", "x z" }, new[] { "a b c d e", "" } }; // "" = no second reference
        Assert.Equal(TranslationMetrics.Bleu(hypotheses, streams).Score, evaluation.Bleu, 1e-12);
        Assert.Equal(TranslationMetrics.Chrf(hypotheses, streams), evaluation.Chrf, 1e-12);
        double single = TranslationEvaluation.Score(hypotheses, [["a b c d f"], ["x z"]]).Bleu;
        Assert.True(evaluation.Bleu > single, $"{evaluation.Bleu} with both references, {single} with the first");
    }

    [Fact]
    public void TheClosestReferenceSetsTheTokenErrorsAndTiesGoToTheShorter()
    {
        var evaluation = TranslationEvaluation.Score(["p q r s"], [["p q", "p q r s t u", "p x r s"]]);
        Assert.Equal(1.0 / 4, evaluation.TokenErrorRate, 1e-15); // 1 edit to "p x r s"; "p q" needs 2, the long one 2
        evaluation = TranslationEvaluation.Score(["p q r"], [["p q r s t", "p"]]);
        Assert.Equal(2.0 / 1, evaluation.TokenErrorRate, 1e-15); // both need 2 edits: the shorter reference (1 token) counts
    }

    [Fact]
    public void MismatchedCountsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => TranslationEvaluation.Score(["a"], [["a"], ["b"]]));
        Assert.Throws<ArgumentException>(() => TranslationEvaluation.Score(["a"], [[]]));
    }
}
