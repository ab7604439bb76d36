using System.Globalization;
using Carnet.Cli.Reporting;
using Carnet.IO;
using Carnet.Tasks.Speech;

namespace Carnet.Cli;

/// <summary><c>carnet speech train</c>'s <c>report.html</c>: scores, the confusion matrix or error examples, loss curves, one recording's spectrogram and posteriors.</summary>
internal static class SpeechReport
{
    /// <summary>Wrong transcripts listed for a CTC model.</summary>
    private const int Examples = 20;

    public static HtmlReport Page(SpeechCorpus corpus, SpeechOutcome outcome)
    {
        var model = outcome.Model;
        var options = model.Network.Options;
        var report = new HtmlReport($"Speech: {Path.GetFileName(corpus.Source.TrimEnd('/'))}");
        report.AddParagraph($"{corpus.Utterances.Count} recordings: {outcome.Training} for training, {outcome.Validation} for validation, " +
            $"{outcome.Test.Utterances.Count} held out ({string.Join(", ", outcome.Test.Utterances.Select(u => u.Speaker).Distinct().Order())}). " +
            $"{Describe(model.Features)}, {model.FrameStack} frame(s) a step; a {(options.Recurrent.Bidirectional ? "bidirectional " : "")}{options.Cell} " +
            $"{options.Recurrent.NumLayers} × {options.Recurrent.HiddenSize}, " +
            (model.Kind == SpeechModelKind.Words ? $"{options.Pooling} pooling into {model.Symbols.Count} words." : $"CTC over {model.Symbols.Count - 1} symbols and the blank."));
        report.AddHeading("Held-out scores");
        report.AddKeyValueTable(model.Kind == SpeechModelKind.Words
            ? [new("accuracy", Text(outcome.Scores.Accuracy)), new("recordings", Count(outcome.Scores.Count))]
            : [new("token error rate", Text(outcome.Scores.TokenErrorRate)), new("exact match", Text(outcome.Scores.Accuracy)), new("recordings", Count(outcome.Scores.Count))]);
        if (model.Kind == SpeechModelKind.Words)
        {
            report.AddSvg(Confusion(outcome).RenderSvg());
        }
        else
        {
            AddErrors(report, outcome);
        }

        report.AddHeading("Training");
        report.AddSvg(Reports.LossChart(outcome.Report, model.Kind == SpeechModelKind.Words ? "cross-entropy" : "CTC loss per symbol").RenderSvg());
        if (outcome.Test.Utterances.Count > 0)
        {
            AddRecording(report, model, outcome.Test.Utterances[0], outcome.Transcripts[0]);
        }

        return report;
    }

    private static string Describe(SpeechFeatureOptions f)
        => $"{(f.Cepstra > 0 ? $"{f.Cepstra} MFCCs" : $"{f.MelBands} log-mel energies")}{(f.Deltas ? " with deltas" : "")} at {f.SampleRate} Hz " +
            $"({f.WindowMilliseconds} ms windows every {f.HopMilliseconds} ms, normalisation: {f.Normalization.ToString().ToLowerInvariant()})";

    private static Heatmap Confusion(SpeechOutcome outcome)
    {
        string[] labels = [.. outcome.Model.Symbols.Concat(outcome.Test.Utterances.Select(u => u.Text)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var matrix = new double[labels.Length, labels.Length];
        for (int i = 0; i < outcome.Transcripts.Length; i++)
        {
            matrix[Array.IndexOf(labels, outcome.Test.Utterances[i].Text), Array.IndexOf(labels, outcome.Transcripts[i])]++;
        }

        return new Heatmap("Confusion matrix (held-out recordings)", labels, labels, matrix) { RowAxisLabel = "said", ColumnAxisLabel = "recognised" };
    }

    private static void AddErrors(HtmlReport report, SpeechOutcome outcome)
    {
        var wrong = Enumerable.Range(0, outcome.Transcripts.Length).Where(i => outcome.Transcripts[i] != outcome.Test.Utterances[i].Text).Take(Examples).ToList();
        report.AddHeading("Errors");
        report.AddParagraph(wrong.Count == 0 ? "Every held-out recording is transcribed exactly." : $"The first {wrong.Count} held-out recordings transcribed wrongly.");
        report.AddTable(["recording", "said", "recognised"], wrong.Select(i => (IReadOnlyList<string>)
            [Path.GetFileName(outcome.Test.Utterances[i].Path), outcome.Test.Utterances[i].Text, outcome.Transcripts[i]]).ToList());
    }

    /// <summary>The recording's features over time and, for a CTC model, each step's symbol posteriors.</summary>
    private static void AddRecording(HtmlReport report, SpeechModel model, SpeechUtterance utterance, string transcript)
    {
        report.AddHeading($"One held-out recording: {Path.GetFileName(utterance.Path)}");
        report.AddParagraph($"Said \"{utterance.Text}\", recognised \"{transcript}\".");
        var features = SpeechFeatures.Compute(WaveFile.Read(utterance.Path), model.Features, out int frames); // (F, D)
        int width = model.Features.Dimensions, shown = model.Features.Cepstra > 0 ? model.Features.Cepstra : model.Features.MelBands;
        var spectrogram = new double[shown, frames]; // the highest band on top
        for (int f = 0; f < frames; f++)
        {
            for (int d = 0; d < shown; d++)
            {
                spectrogram[shown - 1 - d, f] = features[(f * width) + d];
            }
        }

        string[] bands = [.. Enumerable.Range(0, shown).Select(d => (shown - 1 - d) % 10 == 0 ? Count(shown - 1 - d) : "")];
        string title = (model.Features.Cepstra > 0 ? "MFCCs" : "Log-mel energies") + (model.Features.Normalization == SpeechNormalization.None ? "" : " (normalised)");
        report.AddSvg(new Heatmap(title, bands, TimeLabels(frames, 1, model), spectrogram)
        {
            RowAxisLabel = model.Features.Cepstra > 0 ? "coefficient" : "mel band", ColumnAxisLabel = "seconds", ShowValues = false, SquareCells = false,
        }.RenderSvg(900, 400));
        if (model.Kind != SpeechModelKind.Ctc)
        {
            return;
        }

        var input = model.Stack(features, frames, out int steps);
        double[] posteriors = model.Posteriors(input); // (T, C)
        int symbols = model.Symbols.Count;
        var grid = new double[symbols, steps];
        for (int t = 0; t < steps; t++)
        {
            for (int c = 0; c < symbols; c++)
            {
                grid[c, t] = posteriors[(t * symbols) + c];
            }
        }

        string[] names = [.. model.Symbols.Select((s, c) => c == SpeechModel.Blank ? "blank" : s == " " ? "space" : s)];
        report.AddSvg(new Heatmap("CTC posteriors per step", names, TimeLabels(steps, model.FrameStack, model), grid)
        {
            RowAxisLabel = "symbol", ColumnAxisLabel = "seconds", ShowValues = false, SquareCells = false, Minimum = 0, Maximum = 1,
        }.RenderSvg(900, 400));
    }

    /// <summary>A label every half second of steps of <paramref name="framesPerStep"/> feature frames.</summary>
    private static string[] TimeLabels(int steps, int framesPerStep, SpeechModel model)
    {
        double secondsPerStep = framesPerStep * model.Features.HopMilliseconds / 1000;
        int every = Math.Max(1, (int)Math.Round(0.5 / secondsPerStep));
        return [.. Enumerable.Range(0, steps).Select(t => t % every == 0 ? (t * secondsPerStep).ToString("0.#", CultureInfo.InvariantCulture) : "")];
    }

    private static string Text(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
