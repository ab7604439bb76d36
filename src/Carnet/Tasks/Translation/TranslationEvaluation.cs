using Carnet.Models;
using Carnet.Tasks.Evaluation;

namespace Carnet.Tasks.Translation;

/// <summary>
/// A translator's figures on pairs, each distinct source translated once and scored against all of its targets (Tatoeba
/// gives "Run!" eight translations): corpus BLEU and chrF as sacreBLEU computes them with several references (0–100),
/// the share of sources translated exactly as one of their references, and the token error rate over whitespace-separated
/// tokens (the word error rate of sentences, the phoneme error rate of pronunciations) against the closest reference.
/// </summary>
/// <param name="Bleu">Corpus BLEU, sacreBLEU's defaults.</param>
/// <param name="Chrf">Corpus chrF2, sacreBLEU's defaults.</param>
/// <param name="ExactMatch">The share of sources whose translation equals one of their references, token for token.</param>
/// <param name="TokenErrorRate">Σ edits to the closest reference / Σ that reference's tokens.</param>
/// <param name="Sources">The distinct sources, in order of first appearance.</param>
/// <param name="References">Each source's references.</param>
/// <param name="Translations">Each source's translation.</param>
public sealed record TranslationEvaluation(
    double Bleu, double Chrf, double ExactMatch, double TokenErrorRate,
    IReadOnlyList<string> Sources, IReadOnlyList<IReadOnlyList<string>> References, IReadOnlyList<Translation> Translations)
{
    /// <summary>Translates every distinct source by <paramref name="search"/> and scores it against the targets it has.</summary>
    public static TranslationEvaluation Evaluate(Translator translator, IReadOnlyList<SentencePair> pairs, Seq2SeqSearchOptions search, bool replaceUnknown = false)
    {
        var groups = pairs.GroupBy(p => p.Source, StringComparer.Ordinal).ToList();
        var sources = groups.Select(g => g.Key).ToList();
        var references = groups.Select(g => (IReadOnlyList<string>)g.Select(p => p.Target).ToList()).ToList();
        var translations = translator.Translate(sources, search, replaceUnknown);
        return Score(translations.Select(t => t.Text).ToList(), references) with { Sources = sources, Translations = translations };
    }

    /// <summary>Scores hypotheses, each against one or more references.</summary>
    public static TranslationEvaluation Score(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        if (hypotheses.Count != references.Count || references.Any(r => r.Count == 0))
        {
            throw new ArgumentException($"{hypotheses.Count} hypotheses need as many non-empty lists of references; there are {references.Count}.");
        }

        int streams = references.Max(r => r.Count);
        var referenceStreams = Enumerable.Range(0, streams)
            .Select(k => (IReadOnlyList<string>)references.Select(r => k < r.Count ? r[k] : "").ToList()).ToList(); // "" = no reference there
        long edits = 0, length = 0;
        int exact = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var words = Words(hypotheses[i]);
            var (bestEdits, bestLength) = references[i].Select(Words)
                .Select(r => (Edits: (long)TranslationMetrics.EditDistance(words, r), Length: (long)r.Count)).Min();
            edits += bestEdits;
            length += bestLength;
            exact += bestEdits == 0 ? 1 : 0;
        }

        return new TranslationEvaluation(
            TranslationMetrics.Bleu(hypotheses, referenceStreams).Score, TranslationMetrics.Chrf(hypotheses, referenceStreams),
            (double)exact / Math.Max(1, hypotheses.Count), length == 0 ? (edits > 0 ? 1 : 0) : (double)edits / length, [], references, []);
    }

    /// <summary>The translation of each pair's source, in the pairs' order.</summary>
    public IReadOnlyList<string> PredictionsFor(IReadOnlyList<SentencePair> pairs)
    {
        var bySource = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < Sources.Count; i++)
        {
            bySource[Sources[i]] = Translations[i].Text;
        }

        return pairs.Select(p => bySource[p.Source]).ToList();
    }

    private static List<string> Words(string text) => [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
