using System.Globalization;
using Carnet.Cli.Reporting;
using Carnet.Tasks.Text;
using Carnet.Tasks.Text.Music;

namespace Carnet.Cli;

/// <summary>The <c>metrics.json</c> and <c>report.html</c> of <c>carnet music train</c>, and the metrics of <c>carnet music evaluate</c>.</summary>
internal static class MusicReport
{
    /// <summary>
    /// Keys <c>bpc</c> (the best held-out bits per character), <c>bigram_bpc</c> (a character bigram's on the same
    /// tunes), <c>valid_fraction</c> (of the tunes generated after training, the share the checker accepts),
    /// <c>tunes_trained</c>, <c>tunes_held_out</c>, <c>generated</c>, then the keys of <c>carnet text train</c>.
    /// </summary>
    public static string Metrics(MusicTrainingOutcome outcome, IReadOnlyList<AbcVerdict> generated) => MetricsJson.Write(json =>
    {
        if (outcome.Text.BestValidationBitsPerCharacter is { } bits)
        {
            MetricsJson.Number(json, "bpc", bits);
        }

        if (outcome.BigramBitsPerCharacter is { } bigram)
        {
            MetricsJson.Number(json, "bigram_bpc", bigram);
        }

        if (generated.Count > 0)
        {
            MetricsJson.Number(json, "valid_fraction", (double)generated.Count(v => v.IsValid) / generated.Count);
        }

        json.WriteNumber("tunes_trained", outcome.Training.Count);
        json.WriteNumber("tunes_held_out", outcome.HeldOut.Count);
        json.WriteNumber("generated", generated.Count);
        TextReport.WriteTraining(json, outcome.Text);
    });

    /// <summary>Keys <c>bpc</c>, <c>tunes</c> and <c>characters</c>.</summary>
    public static string EvaluationMetrics(double bits, int tunes, int characters) => MetricsJson.Write(json =>
    {
        MetricsJson.Number(json, "bpc", bits);
        json.WriteNumber("tunes", tunes);
        json.WriteNumber("characters", characters);
    });

    /// <summary>The page: data and settings, bits per character against the bigram, the training curve, and each generated tune with its verdict and piano roll.</summary>
    public static HtmlReport Page(string source, MusicTrainingOutcome outcome, IReadOnlyList<AbcVerdict> generated, SamplingOptions sampling)
    {
        var text = outcome.Text;
        var c = CultureInfo.InvariantCulture;
        var report = new HtmlReport($"Folk tune model: {Path.GetFileName(Path.TrimEndingDirectorySeparator(source))}");
        report.AddParagraph(string.Create(c,
            $"{outcome.Training.Count + outcome.HeldOut.Count} tunes, {outcome.HeldOut.Count} held out whole ({text.ValidationCharacters:N0} characters); " +
            $"{text.TrainingCharacters:N0} characters to train on, {text.Model.Vocabulary.Count} distinct. ") + TextReport.Settings(text));
        if (text.BestValidationBitsPerCharacter is { } bits && outcome.BigramBitsPerCharacter is { } bigram)
        {
            report.AddTable(["model", "held-out bits per character"],
            [
                ["this LSTM model", bits.ToString("F4", c)],
                ["character bigram (add-one), counted on the training tunes", bigram.ToString("F4", c)],
            ]);
        }

        TextReport.AddTraining(report, text);
        report.AddHeading("Generated tunes");
        int valid = generated.Count(v => v.IsValid);
        report.AddParagraph(string.Create(c,
            $"{generated.Count} tunes drawn at temperature {sampling.Temperature}, the model choosing every header field; {valid} of them pass the checker."));
        foreach (var verdict in generated)
        {
            report.AddHeading($"X:{verdict.Tune.Number}" + (verdict.Tune.Rhythm is { } r ? $" ({r})" : ""), 3);
            report.AddPreformatted(verdict.Tune.ToAbc());
            report.AddParagraph(verdict.IsValid ? $"Well formed: {verdict.Bars} bars, {verdict.Notes} notes." : string.Join(" ", verdict.Lines()));
            report.AddSvg(PianoRoll.RenderSvg(AbcPerformance.Notes(verdict.Tune), $"X:{verdict.Tune.Number}, as played"));
        }

        return report;
    }
}
