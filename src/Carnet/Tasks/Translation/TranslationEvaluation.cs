using Carnet.Models;
using Carnet.Tasks.Evaluation;

namespace Carnet.Tasks.Translation;

/// <summary>
/// A translator's figures on pairs: corpus BLEU and chrF as sacreBLEU computes them (0–100), the share of exact
/// translations, and the token error rate over whitespace-separated tokens (the word error rate of sentences, the
/// phoneme error rate of pronunciations), with every translation.
/// </summary>
public sealed record TranslationEvaluation(double Bleu, double Chrf, double ExactMatch, double TokenErrorRate, IReadOnlyList<Translation> Translations)
{
    /// <summary>Translates every pair's source by <paramref name="search"/> and scores the translations against the targets.</summary>
    public static TranslationEvaluation Evaluate(Translator translator, IReadOnlyList<SentencePair> pairs, Seq2SeqSearchOptions search, bool replaceUnknown = false)
    {
        var translations = translator.Translate(pairs.Select(p => p.Source).ToList(), search, replaceUnknown);
        return Score(translations.Select(t => t.Text).ToList(), pairs.Select(p => p.Target).ToList(), translations);
    }

    /// <summary>Scores hypotheses against one reference each.</summary>
    public static TranslationEvaluation Score(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, IReadOnlyList<Translation>? translations = null)
    {
        if (hypotheses.Count != references.Count)
        {
            throw new ArgumentException($"{hypotheses.Count} hypotheses for {references.Count} references.");
        }

        IReadOnlyList<IReadOnlyList<string>> referenceStreams = [references];
        var hypothesisWords = hypotheses.Select(Words).ToList();
        var referenceWords = references.Select(Words).ToList();
        return new TranslationEvaluation(
            TranslationMetrics.Bleu(hypotheses, referenceStreams).Score,
            TranslationMetrics.Chrf(hypotheses, referenceStreams),
            TranslationMetrics.ExactMatch(hypothesisWords, referenceWords),
            TranslationMetrics.TokenErrorRate(hypothesisWords, referenceWords).Rate,
            translations ?? []);
    }

    private static IReadOnlyList<string> Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
