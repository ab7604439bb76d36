using System.Globalization;
using System.Text;
using System.Text.Json;
using Carnet.Cli.Reporting;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Data;
using Carnet.Tasks.Evaluation;
using Carnet.Tasks.Translation;

namespace Carnet.Cli;

/// <summary><c>carnet translate</c>'s metrics.json, predictions.tsv, report.html and printed scores.</summary>
internal static class TranslateReport
{
    private const int SampleCount = 6;

    /// <summary>
    /// <c>bleu</c> and <c>chrf</c> (sacreBLEU's 0–100 scale), <c>exact_match</c> and <c>token_error_rate</c> (fractions) of the
    /// held-out translations by the chosen search, the same under <c>greedy</c>, the loss and BLEU history, and throughput.
    /// </summary>
    public static string TrainingMetrics(TranslationOutcome outcome, TranslationEvaluation evaluation, TranslationEvaluation greedy, Seq2SeqSearchOptions search)
        => MetricsJson.Write(json =>
        {
            Scores(json, evaluation);
            json.WriteNumber("beam", search.BeamSize);
            MetricsJson.Number(json, "length_penalty", search.LengthPenalty);
            json.WriteStartObject("greedy");
            Scores(json, greedy);
            json.WriteEndObject();
            json.WriteStartObject("copy_source");
            Scores(json, CopySource(evaluation));
            json.WriteEndObject();
            json.WriteNumber("held_out_sources", evaluation.Sources.Count);
            MetricsJson.Number(json, "training_target_tokens_per_second", outcome.TargetTokensPerSecond);
            MetricsJson.Number(json, "seconds", outcome.Elapsed.TotalSeconds);
            json.WriteNumber("world_size", outcome.WorldSize);
            json.WriteNumber("epochs_trained", outcome.History.Count);
            if (outcome.BestEpoch is { } best)
            {
                json.WriteNumber("best_epoch", best);
            }

            json.WriteString("stopped_by", outcome.Stop.ToString().ToLowerInvariant());
            json.WriteStartArray("history");
            foreach (var e in outcome.History)
            {
                json.WriteStartObject();
                json.WriteNumber("epoch", e.Epoch);
                MetricsJson.Number(json, "loss", e.TrainingLoss);
                Optional(json, "held_out_loss", e.HeldOutLoss);
                Optional(json, "bleu", e.Bleu);
                Optional(json, "exact_match", e.ExactMatch);
                Optional(json, "token_error_rate", e.TokenErrorRate);
                MetricsJson.Number(json, "training_seconds", e.TrainingSeconds);
                MetricsJson.Number(json, "learning_rate", e.LearningRate);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });

    /// <summary>The four scores of <c>carnet translate evaluate</c>.</summary>
    public static string EvaluationMetrics(TranslationEvaluation evaluation) => MetricsJson.Write(json =>
    {
        Scores(json, evaluation);
        json.WriteNumber("sources", evaluation.Sources.Count);
    });

    /// <summary>source, reference and prediction per held-out pair, tab-separated with a header (tabs inside become spaces).</summary>
    public static string Predictions(IReadOnlyList<SentencePair> pairs, TranslationEvaluation evaluation)
    {
        var text = new StringBuilder("source\treference\tprediction\n");
        var predictions = evaluation.PredictionsFor(pairs);
        for (int i = 0; i < pairs.Count; i++)
        {
            text.Append(Cell(pairs[i].Source)).Append('\t').Append(Cell(pairs[i].Target)).Append('\t').Append(Cell(predictions[i])).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>One line: BLEU, chrF, exact match and token error rate on N pairs.</summary>
    public static string Summary(TranslationEvaluation e) => string.Create(CultureInfo.InvariantCulture,
        $"BLEU {e.Bleu:F2}, chrF {e.Chrf:F2}, exact match {e.ExactMatch:P1}, token error rate {e.TokenErrorRate:P1} on {e.Sources.Count} sources");

    /// <summary>The lines of a UTF-8 text file (a final line break ends the last line, it does not add an empty one).</summary>
    public static IReadOnlyList<string> ReadLines(string path)
    {
        string text = Utf8File.Read(path);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    /// <summary>sacreBLEU's two summary lines for plain files: BLEU with its n-gram precisions and brevity penalty, then chrF2.</summary>
    public static string Scores(string hypothesisFile, IReadOnlyList<string> hypotheses, IReadOnlyList<string> referenceFiles, List<IReadOnlyList<string>> references)
    {
        for (int r = 0; r < references.Count; r++)
        {
            if (references[r].Count != hypotheses.Count)
            {
                throw new DataFormatException(referenceFiles[r], 0, 0,
                    $"{references[r].Count} lines, but {hypothesisFile} has {hypotheses.Count}; every reference file needs one line per hypothesis");
            }
        }

        var bleu = TranslationMetrics.Bleu(hypotheses, references);
        double chrf = TranslationMetrics.Chrf(hypotheses, references);
        string precisions = string.Join('/', bleu.Precisions.Select(p => p.ToString("F1", CultureInfo.InvariantCulture)));
        return string.Create(CultureInfo.InvariantCulture,
            $"BLEU = {bleu.Score:F6} {precisions} (BP = {bleu.BrevityPenalty:F3} ratio = {bleu.Ratio:F3} hyp_len = {bleu.SystemLength} ref_len = {bleu.ReferenceLength})\n" +
            $"chrF2 = {chrf:F6}");
    }

    /// <summary>The report: data and model, held-out scores, loss and BLEU curves, sample translations with their attention.</summary>
    public static HtmlReport Page(int trainingPairs, IReadOnlyList<SentencePair> heldOut, TranslationOutcome outcome, TranslationEvaluation evaluation,
        TranslationEvaluation greedy, Seq2SeqSearchOptions search)
    {
        var translator = outcome.Translator;
        var o = translator.Model.Options;
        var report = new HtmlReport("Sequence to sequence with attention");
        report.AddParagraph(string.Create(CultureInfo.InvariantCulture,
            $"{trainingPairs:N0} training pairs, {heldOut.Count:N0} held out. Source: {translator.Source.Tokenizer.Kind} tokens, {o.SourceVocabularySize} in the vocabulary; " +
            $"target: {translator.Target.Tokenizer.Kind} tokens, {o.TargetVocabularySize}. Encoder {(o.Bidirectional ? "bidirectional " : "")}{o.EncoderCell.Cell().Name} " +
            $"{o.EncoderHiddenSize} × {o.EncoderLayers}, decoder {o.DecoderCell.Cell().Name} {o.DecoderHiddenSize} × {o.DecoderLayers}, " +
            $"attention {Seq2SeqOptions.AttentionNames.First(a => a.Value == o.Attention).Name}{(o.InputFeeding ? " with input feeding" : "")}" +
                $", embeddings {o.SourceEmbeddingSize}."));
        report.AddHeading("Held-out scores");
        report.AddTable(["search", "BLEU", "chrF", "exact match", "token error rate"],
        [
            Row($"beam {search.BeamSize} (α {search.LengthPenalty.ToString(CultureInfo.InvariantCulture)})", evaluation),
                Row("greedy", greedy), Row("copy the source (baseline)", CopySource(evaluation)),
        ]);
        report.AddHeading("Training");
        var epochs = outcome.History.Select(e => (double)e.Epoch).ToList();
        var losses = new LineChart("Cross-entropy per target token", "epoch", "loss");
        losses.AddSeries("training (label-smoothed)", epochs, outcome.History.Select(e => e.TrainingLoss).ToList());
        losses.AddSeries("held out", epochs, outcome.History.Select(e => e.HeldOutLoss ?? double.NaN).ToList(), dashed: true);
        report.AddSvg(losses.RenderSvg());
        var bleuChart = new LineChart("Held-out BLEU (greedy) per epoch", "epoch", "BLEU");
        bleuChart.AddSeries("BLEU", epochs, outcome.History.Select(e => e.Bleu ?? double.NaN).ToList());
        report.AddSvg(bleuChart.RenderSvg());
        report.AddParagraph(string.Create(CultureInfo.InvariantCulture,
            $"{outcome.History.Count} epochs in {outcome.Elapsed:hh\\:mm\\:ss}, {outcome.TargetTokensPerSecond:N0} target tokens per second of training."));
        Samples(report, heldOut, evaluation);
        return report;
    }

    private static void Samples(HtmlReport report, IReadOnlyList<SentencePair> heldOut, TranslationEvaluation evaluation)
    {
        report.AddHeading("Sample translations");
        for (int i = 0; i < Math.Min(SampleCount, evaluation.Sources.Count); i++)
        {
            var t = evaluation.Translations[i];
            report.AddKeyValueTable([new("source", evaluation.Sources[i]), new("references", string.Join(" | ", evaluation.References[i])), new("translation", t.Text)]);
            if (t.Tokens.Length == 0 || t.Attention.Length != t.Tokens.Length * t.SourceTokens.Length)
            {
                continue;
            }

            var weights = new double[t.Tokens.Length, t.SourceTokens.Length];
            for (int r = 0; r < t.Tokens.Length; r++)
            {
                for (int s = 0; s < t.SourceTokens.Length; s++)
                {
                    weights[r, s] = t.Attention[r * t.SourceTokens.Length + s];
                }
            }

            var map = new Heatmap("Attention: target token (row) over source tokens (columns)", t.Tokens, t.SourceTokens, weights)
            {
                RowAxisLabel = "translation", ColumnAxisLabel = "source", Minimum = 0, Maximum = 1, ShowValues = false,
            };
            report.AddSvg(map.RenderSvg(700, 500));
        }
    }

    /// <summary>The baseline that answers each source with itself.</summary>
    public static TranslationEvaluation CopySource(TranslationEvaluation evaluation) => TranslationEvaluation.Score(evaluation.Sources, evaluation.References);

    private static IReadOnlyList<string> Row(string name, TranslationEvaluation e) =>
    [
        name, e.Bleu.ToString("F2", CultureInfo.InvariantCulture), e.Chrf.ToString("F2", CultureInfo.InvariantCulture),
        e.ExactMatch.ToString("P1", CultureInfo.InvariantCulture), e.TokenErrorRate.ToString("P1", CultureInfo.InvariantCulture),
    ];

    private static void Optional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            MetricsJson.Number(json, name, v);
        }
    }

    private static void Scores(Utf8JsonWriter json, TranslationEvaluation e)
    {
        MetricsJson.Number(json, "bleu", e.Bleu);
        MetricsJson.Number(json, "chrf", e.Chrf);
        MetricsJson.Number(json, "exact_match", e.ExactMatch);
        MetricsJson.Number(json, "token_error_rate", e.TokenErrorRate);
    }

    private static string Cell(string text) => text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
