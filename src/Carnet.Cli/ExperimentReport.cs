using System.Globalization;
using Carnet.Cli.Reporting;
using Carnet.Layers;
using Carnet.Tasks.Experiments;

namespace Carnet.Cli;

/// <summary>The <c>report.html</c> of <c>carnet experiment</c>: the result beside the baseline, the learning curve and the gradient flow.</summary>
internal static class ExperimentReport
{
    public static HtmlReport Create(ExperimentOptions options, ExperimentResult result)
    {
        var report = new HtmlReport($"Experiment: {result.Task}, T = {result.SequenceLength}, {ExperimentCommand.Name(options)}");
        report.AddParagraph(string.Create(CultureInfo.InvariantCulture,
            $"Trained on {result.SequencesSeen:N0} fresh sequences in {result.Elapsed.TotalSeconds:F0} s (batches of {options.BatchSize}, Adam at {options.LearningRate:G3}, " +
            $"gradient norm clipped at {options.ClipGradientNorm:G3}, seed {options.Seed}), then tested on {options.TestSequences} new sequences."));
        report.AddTable(["", "wrong", "error"],
        [
            ["model", Percent(result.WrongFraction), Number(result.TestError)],
            ["best constant answer", Percent(result.BaselineWrongFraction), Number(result.Baseline)],
        ]);

        report.AddHeading("Learning curve");
        var curve = new LineChart("The most recent training sequences", "training sequences seen", "wrong (fraction)")
        {
            XTickFormat = x => x.ToString("N0", CultureInfo.InvariantCulture),
        };
        curve.AddSeries("recent wrong fraction", result.Curve.Select(p => (double)p.SequencesSeen).ToArray(), result.Curve.Select(p => p.RecentWrongFraction).ToArray());
        if (result.Curve.Count > 0)
        {
            report.AddSvg(curve.RenderSvg());
        }

        report.AddHeading("Gradient flow");
        report.AddParagraph("How strongly each sequence's loss reaches the hidden state d steps before the sequence end: ‖dL/dh_t‖ averaged over " +
            "256 test sequences (logarithmic scale). A plain RNN's gradient vanishes exponentially with the distance; the LSTM's cell state carries it back.");
        var atStart = new LineChart("At initialisation, each cell type (same seed and size)", "distance from the sequence end (steps)", "‖dL/dh_t‖") { LogarithmicY = true };
        foreach (var initial in result.GradientFlowByCell)
        {
            atStart.AddSeries(initial.Label, Positive(initial.Norms));
        }

        report.AddSvg(atStart.RenderSvg());
        var trained = new LineChart($"{result.Cell.ToString().ToUpperInvariant()} before and after training",
            "distance from the sequence end (steps)", "‖dL/dh_t‖")
        { LogarithmicY = true };
        trained.AddSeries("before training", Positive(result.GradientFlowBefore), dashed: true);
        trained.AddSeries("after training", Positive(result.GradientFlowAfter));
        report.AddSvg(trained.RenderSvg());
        return report;
    }

    /// <summary>Norms for a logarithmic axis: an exact zero (a gradient that underflowed) is drawn at the smallest float.</summary>
    private static double[] Positive(double[] norms) => norms.Select(n => Math.Max(n, float.Epsilon)).ToArray();

    private static string Percent(double fraction) => (100 * fraction).ToString("0.00", CultureInfo.InvariantCulture) + " %";

    private static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
