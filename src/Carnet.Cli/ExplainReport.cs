using System.Globalization;
using Carnet.Cli.Reporting;
using Carnet.Layers;
using Carnet.Models;

namespace Carnet.Cli;

/// <summary>The page of <c>carnet explain</c>: a summary, the input, then per layer and direction one heatmap per signal.</summary>
internal static class ExplainReport
{
    /// <summary>The width of the page's content, which every chart fills.</summary>
    private const int Width = 960;

    /// <summary>The page for one traced sequence, showing at most <paramref name="units"/> units per heatmap.</summary>
    public static HtmlReport Build(ExplainedInput input, ModelTrace trace, int units)
    {
        var options = input.Model.Options;
        var recurrent = options.Recurrent;
        var report = new HtmlReport($"Explanation: {Path.GetFileName(input.Summary.Source)}");
        report.AddParagraph(
            "Each heatmap shows one signal of one layer and direction: a row per unit, a column per step of the input. Rows are ordered " +
            "by the unit's activity (its mean |h_t| over the sequence), the most active first, in the same order in every heatmap of a " +
            "layer and direction. Gates run from 0 (white) to 1 (dark blue); the candidate and the states are blue below zero and red above.");
        string size = $"{recurrent.HiddenSize} units × {recurrent.NumLayers} layer{(recurrent.NumLayers == 1 ? "" : "s")}";
        report.AddKeyValueTable(
        [
            new("model", input.Summary.Source),
            new("task", input.Summary.Task),
            new("cell", $"{options.Cell.ToString().ToUpperInvariant()}, {size}{(recurrent.Bidirectional ? ", bidirectional" : "")}" +
                $"{(recurrent.ProjectionSize > 0 ? $", projection to {recurrent.ProjectionSize}" : "")}, pooling {options.Pooling.ToString().ToLowerInvariant()}"),
            new("input", input.Description),
            new("steps", trace.Steps.ToString(CultureInfo.InvariantCulture)),
            new("prediction", input.Prediction ?? Outputs(trace)),
        ]);

        report.AddHeading("Input");
        if (input.Text is { } text)
        {
            report.AddPreformatted(text);
        }
        else
        {
            report.AddSvg(InputChart(input, trace.Steps).RenderSvg(Width, 260));
        }

        foreach (var record in trace.Recurrent.Directions)
        {
            string where = $"layer {record.Layer + 1}{(trace.Recurrent.DirectionCount == 1 ? "" : record.Direction == 0 ? ", forward" : ", reverse")}";
            report.AddHeading(char.ToUpperInvariant(where[0]) + where[1..]);
            foreach (var signal in record.Signals)
            {
                var heatmap = SignalHeatmap(signal, record, input, units, where);
                report.AddSvg(heatmap.RenderSvg(Width, Math.Max(240, heatmap.RowLabels.Count * 13 + 180)));
            }
        }

        return report;
    }

    /// <summary>A value as the report prints it: four significant digits.</summary>
    public static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>One signal's most active units (rows) over the steps (columns).</summary>
    private static Heatmap SignalHeatmap(TraceSignal signal, DirectionTrace record, ExplainedInput input, int units, string where)
    {
        // the hidden state of an LSTM with a projection has its own P units, ranked on their own
        IReadOnlyList<int> order = signal.Units == record.UnitOrder.Count ? record.UnitOrder : signal.UnitsByActivity();
        int[] shown = order.Take(units).ToArray();
        var values = new double[shown.Length, signal.Steps];
        for (int r = 0; r < shown.Length; r++)
        {
            for (int t = 0; t < signal.Steps; t++)
            {
                values[r, t] = signal[t, shown[r]];
            }
        }

        string title = $"{char.ToUpperInvariant(signal.Name[0])}{signal.Name[1..]} ({where})";
        return new Heatmap(title, shown.Select(u => u.ToString(CultureInfo.InvariantCulture)).ToArray(), input.StepLabels, values)
        {
            RowAxisLabel = "unit",
            ColumnAxisLabel = input.StepAxis,
            ShowValues = false,
            SquareCells = false,
            Diverging = !signal.IsGate,
            Minimum = signal.IsGate ? 0 : signal.Name == TraceSignal.Candidate ? -1 : null,
            Maximum = signal.IsGate || signal.Name == TraceSignal.Candidate ? 1 : null,
        };
    }

    /// <summary>The numeric input channels over the steps, as the network reads them.</summary>
    private static LineChart InputChart(ExplainedInput input, int steps)
    {
        var features = input.Batch.Features!; // (1, T, C)
        var chart = new LineChart("Input as the network reads it", input.StepAxis, "value")
        {
            XTickFormat = x => Math.Round(x) is var t && t >= 0 && t < steps && t == x ? input.StepLabels[(int)t] : "",
        };
        double[] positions = Enumerable.Range(0, steps).Select(t => (double)t).ToArray();
        for (int c = 0; c < input.ChannelNames.Count; c++)
        {
            int channel = c;
            chart.AddSeries(input.ChannelNames[c], positions, positions.Select(t => (double)features[0, (int)t, channel]).ToArray());
        }

        return chart;
    }

    /// <summary>The network's raw outputs: all of them, or for a model without pooling those at the last step.</summary>
    private static string Outputs(ModelTrace trace)
    {
        var last = trace.Prediction[^trace.Outputs..].ToArray();
        string values = string.Join(", ", last.Select(Number));
        return trace.Prediction.Length == trace.Outputs ? $"outputs {values}" : $"outputs at the last step {values} (one row of {trace.Outputs} per step)";
    }
}
