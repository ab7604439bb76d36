using System.Globalization;
using System.Text.Json;
using Carnet.Cli.Reporting;
using Carnet.Tasks.Evaluation;
using Carnet.Tasks.Tagging;

namespace Carnet.Cli;

/// <summary><c>carnet tag train</c>'s <c>metrics.json</c> and <c>report.html</c>.</summary>
internal static class TagReport
{
    /// <summary>The number of tags, most frequent first, drawn in the F1 bar chart (the table lists all).</summary>
    private const int ChartedTags = 40;

    /// <summary>
    /// <c>accuracy</c> (token accuracy on the held-out part), the sizes, <c>per_tag</c> scores, <c>entities</c> (BIO tags only:
    /// precision, recall, F1, counts and <c>per_type</c>), then the training history.
    /// </summary>
    public static string Metrics(TaggingOutcome outcome) => MetricsJson.Write(json =>
    {
        var m = outcome.Metrics;
        MetricsJson.Number(json, "accuracy", m.Accuracy);
        json.WriteNumber("test_tokens", m.TokenCount);
        json.WriteNumber("test_sentences", outcome.Test.Sentences.Count);
        json.WriteNumber("training_sentences", outcome.TrainingCount);
        json.WriteNumber("validation_sentences", outcome.ValidationCount);
        json.WriteString("decoder", outcome.Model.Network.Options.Decoder == TagDecoder.Crf ? "crf" : "softmax");
        Number(json, "macro_f1", m.PerTag.MacroF1);
        json.WriteStartObject("per_tag");
        for (int k = 0; k < m.Tags.Count; k++)
        {
            json.WriteStartObject(m.Tags[k]);
            Number(json, "precision", m.PerTag.Precision[k]);
            Number(json, "recall", m.PerTag.Recall[k]);
            Number(json, "f1", m.PerTag.F1[k]);
            json.WriteNumber("support", m.PerTag.Support[k]);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        if (m.Entities is { } entities)
        {
            json.WriteStartObject("entities");
            Entity(json, entities);
            json.WriteStartObject("per_type");
            foreach (var (type, scores) in m.EntityTypes!)
            {
                json.WriteStartObject(type);
                Entity(json, scores);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        MetricsJson.Training(json, outcome.Training);
    });

    /// <summary>The report: data and model, held-out scores, per-tag table and F1 bars, entity scores, loss curves.</summary>
    public static HtmlReport Page(TaggedCorpus data, TaggingOutcome outcome)
    {
        var m = outcome.Metrics;
        var o = outcome.Model.Network.Options;
        var report = new HtmlReport($"Sequence tagging: {Path.GetFileName(data.Source)}");
        report.AddParagraph($"{data.Sentences.Count} sentences, {data.TokenCount} tokens. {outcome.TrainingCount} sentences for training, " +
            $"{outcome.ValidationCount} for validation, {outcome.Test.Sentences.Count} ({m.TokenCount} tokens) held out for testing" +
            $"{(outcome.Test.Source == data.Source ? "" : $" from {Path.GetFileName(outcome.Test.Source)}")}. " +
            $"Word embedding {o.WordEmbeddingSize} ({o.WordVocabularySize} words), character BiLSTM {o.CharacterHiddenSize} over embeddings of {o.CharacterEmbeddingSize}, " +
            $"sentence BiLSTM {o.HiddenSize} × {o.NumLayers}, {(o.Decoder == TagDecoder.Crf ? "CRF with Viterbi decoding" : "softmax")} over {o.TagCount} tags.");
        report.AddHeading("Held-out scores");
        var summary = new List<KeyValuePair<string, string>>
        {
            new("token accuracy", Text(m.Accuracy)), new("macro F1 over tags", Text(m.PerTag.MacroF1)), new("tokens", m.TokenCount.ToString(CultureInfo.InvariantCulture)),
        };
        if (m.Entities is { } e)
        {
            summary.Add(new("entity precision", Text(e.Precision)));
            summary.Add(new("entity recall", Text(e.Recall)));
            summary.Add(new("entity F1", Text(e.F1)));
        }

        report.AddKeyValueTable(summary);
        if (m.EntityTypes is { } types)
        {
            report.AddHeading("Entities by type");
            report.AddTable(["type", "precision", "recall", "F1", "gold", "predicted", "correct"], types.Select(p => (IReadOnlyList<string>)
                [p.Key, Text(p.Value.Precision), Text(p.Value.Recall), Text(p.Value.F1), Count(p.Value.Gold), Count(p.Value.Predicted), Count(p.Value.Correct)]).ToList());
        }

        var byFrequency = Enumerable.Range(0, m.Tags.Count).Where(k => m.PerTag.Support[k] > 0)
            .OrderByDescending(k => m.PerTag.Support[k]).ThenBy(k => m.Tags[k], StringComparer.Ordinal).ToList();
        var bars = new BarChart($"F1 per tag (the {Math.Min(ChartedTags, byFrequency.Count)} most frequent in the held-out part)", "F1") { Minimum = 0, Maximum = 1 };
        foreach (int k in byFrequency.Take(ChartedTags))
        {
            bars.Add(m.Tags[k], m.PerTag.F1[k]);
        }

        report.AddHeading("Per tag");
        report.AddSvg(bars.RenderSvg());
        report.AddTable(["tag", "precision", "recall", "F1", "support"], byFrequency.Select(k => (IReadOnlyList<string>)
            [m.Tags[k], Text(m.PerTag.Precision[k]), Text(m.PerTag.Recall[k]), Text(m.PerTag.F1[k]), Count(m.PerTag.Support[k])]).ToList());
        report.AddHeading("Training");
        report.AddSvg(Reports.LossChart(outcome.Training, o.Decoder == TagDecoder.Crf ? "CRF negative log-likelihood per token" : "cross-entropy per token").RenderSvg());
        return report;
    }

    private static void Entity(Utf8JsonWriter json, EntityScores scores)
    {
        Number(json, "precision", scores.Precision);
        Number(json, "recall", scores.Recall);
        Number(json, "f1", scores.F1);
        json.WriteNumber("gold", scores.Gold);
        json.WriteNumber("predicted", scores.Predicted);
        json.WriteNumber("correct", scores.Correct);
    }

    private static void Number(Utf8JsonWriter json, string name, double value) => MetricsJson.Number(json, name, value);

    private static string Text(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
