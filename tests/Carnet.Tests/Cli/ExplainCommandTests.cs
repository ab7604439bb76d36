using System.Text;
using Carnet.Cli.Reporting;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Forecasting;
using Carnet.Tests.Training;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet explain</c> end to end for each kind of model, and one line with exit code 2 for bad input.</summary>
public sealed class ExplainCommandTests
{
    private static readonly string[] LstmSignals = ["Input gate", "Forget gate", "Candidate", "Output gate", "Cell state", "Hidden state"];

    [Fact]
    public void AForecastersLastWindowIsDrawnUnitByUnit()
    {
        using var cli = new CliRunner();
        Assert.Equal(0, CliRunner.Run("forecast", "--data", SeriesDemoTests.AirPassengers, "--epochs", "1", "--hidden-size", "5", "--quiet", "--out", cli.Folder).Code);
        string model = cli.PathOf("model.safetensors"), report = cli.PathOf("explain.html");
        var (code, output, error) = CliRunner.Run("explain", "--model", model, "--input", SeriesDemoTests.AirPassengers, "--out", report, "--units", "3");
        Assert.Equal((0, $"written: {report}\n", ""), (code, output.ReplaceLineEndings("\n"), error));

        string html = File.ReadAllText(report);
        Assert.Equal(1 + LstmSignals.Length, html.Split("<svg ").Length - 1); // the input, then one heatmap per signal
        Assert.Contains("Input as the network reads it", html);
        Assert.Contains("the last 24 steps of", html);
        Assert.Contains("next 12 values of passengers_thousands: 1961-01 ", html);
        foreach (string signal in LstmSignals)
        {
            Assert.Contains($"<title>{signal} (layer 1)</title>", html);
        }

        // the rows are the three most active units, in order, with the values the library records for the last window
        var forecaster = ForecastModel.Load(model);
        var series = SeriesData.FromTable(Carnet.Tasks.Data.CsvTable.Read(SeriesDemoTests.AirPassengers), forecaster.Target);
        var record = ModelTrace.Record(forecaster.Network, SequenceBatch<float>.FromFeatures(forecaster.LastWindow(series)), 0).Recurrent[0, 0];
        var gate = record.Signal(TraceSignal.ForgetGate);
        Assert.Equal(24, gate.Steps);
        string forget = html[html.IndexOf("<title>Forget gate (layer 1)</title>", StringComparison.Ordinal)..];
        for (int r = 0; r < 3; r++)
        {
            int unit = record.UnitOrder[r];
            Assert.Contains($"<title>unit {unit}, year+month 1959-01: {Markup.Significant(gate[0, unit], 3)}</title>", forget);
            Assert.Contains($"<title>unit {unit}, year+month 1960-12: {Markup.Significant(gate[23, unit], 3)}</title>", forget);
        }

        Assert.DoesNotContain($"<title>unit {record.UnitOrder[3]}, ", forget);
    }

    [Fact]
    public void ATextClassifiersSequenceIsLabelledWithItsCharacters()
    {
        using var cli = new CliRunner();
        var text = new StringBuilder("text,label\n");
        for (int n = 0; n < 40; n++)
        {
            text.Append(n % 2 == 0 ? $"ab{new string('c', n % 5)}xyz,end\n" : $"xyz{new string('a', n % 4)}bc,start\n");
        }

        string data = cli.Write("text.csv", text.ToString()), report = cli.PathOf("explain.html");
        Assert.Equal(0, CliRunner.Run("classify", "--data", data, "--label", "label", "--cell", "gru", "--num-layers", "2", "--bidirectional",
            "--hidden-size", "4", "--epochs", "1", "--quiet", "--out", cli.PathOf("model")).Code);
        var (code, output, error) = CliRunner.Run("explain", "--model", cli.PathOf("model/model.safetensors"), "--input", data, "--out", report, "--sequence", "5");
        Assert.Equal((0, $"written: {report}\n", ""), (code, output.ReplaceLineEndings("\n"), error));

        string html = File.ReadAllText(report);
        Assert.Contains("<pre>xyzaaabc</pre>", html); // line 5 is the fourth sequence
        Assert.Contains("sequence 5 of", html);
        Assert.Contains("(labelled start)", html);
        Assert.Matches(@"<td>prediction</td><td>(start|end) \(p = [0-9.]+\), (start|end) \(p = [0-9.]+\)</td>", html);
        Assert.Equal(2 * 2 * 4, html.Split("<svg ").Length - 1); // no input chart; 2 layers × 2 directions × r, z, n, h
        foreach (string where in new[] { "layer 1, forward", "layer 1, reverse", "layer 2, forward", "layer 2, reverse" })
        {
            Assert.Contains($"<title>Reset gate ({where})</title>", html);
            Assert.Contains($"<title>Hidden state ({where})</title>", html);
        }

        string[] tokens = ["x", "y", "z", "a", "b", "c"];
        for (int t = 0; t < tokens.Length; t++)
        {
            Assert.Contains($", token {tokens[t]}: ", html);
        }

        Assert.DoesNotContain("Cell state", html);
    }

    [Theory]
    [InlineData("")]
    [InlineData("experiment")]
    public void AnyOtherModelReadsOneRowPerStep(string task)
    {
        using var cli = new CliRunner();
        string model = SaveNumericModel(cli, task), data = cli.Write("steps.csv", "a,b\n0.5,1\n-1,2\n0.25,0\n"), report = cli.PathOf("explain.html");
        var (code, output, error) = CliRunner.Run("explain", "--model", model, "--input", data, "--out", report);
        Assert.Equal((0, $"written: {report}\n", ""), (code, output.ReplaceLineEndings("\n"), error));
        string html = File.ReadAllText(report);
        Assert.Equal(2, html.Split("<svg ").Length - 1); // the input chart and the RNN's hidden state
        Assert.Contains("<title>Hidden state (layer 1)</title>", html);
        Assert.Contains("<td>steps</td><td class=\"num\">3</td>", html);
        Assert.Contains("<td>prediction</td><td>outputs ", html);
        for (int unit = 0; unit < 6; unit++)
        {
            Assert.Contains($"<title>unit {unit}, step 3: ", html);
        }
    }

    [Fact]
    public void BadInputIsOneLineAndExitCodeTwo()
    {
        using var cli = new CliRunner();
        string model = SaveNumericModel(cli, ""), report = cli.PathOf("explain.html");
        string good = cli.Write("good.csv", "a,b\n1,2\n");
        string wide = cli.Write("wide.csv", "a,b,c\n1,2,3\n");
        string text = cli.Write("text.csv", "a,b\n1,2\n3,x\n");
        string[] Arguments(string input, params string[] more) => ["explain", "--model", model, "--input", input, "--out", report, .. more];

        CliRunner.AssertBadInput(Arguments(wide),
            $"{wide}:1: the header has 3 column(s); this model reads 2 numeric value(s) per step, one column each, one row per step", report);
        CliRunner.AssertBadInput(Arguments(text), $"{text}:3:2: 'x' in column 'b' is not a finite number", report);
        CliRunner.AssertBadInput(Arguments(cli.PathOf("missing.csv")), $"{cli.PathOf("missing.csv")}: file not found", report);
        CliRunner.AssertBadInput(Arguments(good, "--units", "0"), "--units is 0; it must be at least 1", report);
        CliRunner.AssertBadInput(Arguments(good, "--sequence", "2"), "--sequence picks a sequence for a classifier; this model's task is 'none'", report);
        CliRunner.AssertBadInput(["explain", "--model", cli.PathOf("missing.safetensors"), "--input", good, "--out", report],
            $"{cli.PathOf("missing.safetensors")}: file not found", report);
        Assert.False(File.Exists(report));
    }

    [Fact]
    public void AClassifierWithoutTheAskedSequenceNamesTheIdsThereAre()
    {
        using var cli = new CliRunner();
        string data = cli.Write("text.csv", "text,label\nabc,x\nbca,y\ncab,x\nacb,y\nbac,x\ncba,y\naab,x\nbba,y\n");
        Assert.Equal(0, CliRunner.Run("classify", "--data", data, "--label", "label", "--hidden-size", "3", "--epochs", "1",
            "--validation", "0.25", "--test", "0.25", "--quiet", "--out", cli.PathOf("model")).Code);
        string report = cli.PathOf("explain.html");
        CliRunner.AssertBadInput(
            ["explain", "--model", cli.PathOf("model/model.safetensors"), "--input", data, "--out", report, "--sequence", "99"],
            $"{data}: no sequence '99'; the sequences are 2, 3, 4, 5, 6, …", report);
        Assert.False(File.Exists(report));
    }

    /// <summary>An RNN with 2 inputs and 6 units saved without task settings (or with <paramref name="task"/>).</summary>
    private static string SaveNumericModel(CliRunner cli, string task)
    {
        var network = new SequenceModel<float>(RecurrentCellKind.Rnn, new RecurrentOptions { InputSize = 2, HiddenSize = 6 }, 1, Pooling.Last, new RandomSource(4));
        string path = cli.PathOf("numeric.safetensors");
        ModelFile.Save(path, network, task.Length == 0 ? null : new Dictionary<string, string> { ["task"] = task });
        return path;
    }
}
