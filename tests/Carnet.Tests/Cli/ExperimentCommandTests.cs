using System.Text.Json;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet experiment</c> end to end: the JSON line, the files, explain on its model, and bad input.</summary>
public sealed class ExperimentCommandTests
{
    [Fact]
    public void AShortAddingRunEndsWithTheJsonLineAndWritesItsFiles()
    {
        using var cli = new CliRunner();
        string folder = cli.PathOf("adding");
        var (code, output, error) = CliRunner.Run(
            "experiment", "adding", "--seq-len", "20", "--hidden-size", "16", "--learning-rate", "0.01", "--seed", "3", "--test-sequences", "512",
            "--max-sequences", "200000", "--json", "--out", folder);
        Assert.Equal((0, ""), (code, error));
        string[] lines = output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.StartsWith("adding, T = 20, LSTM (16 units): training on fresh sequences until the last 2000 are learned", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("learned (stopping rule met) after ", StringComparison.Ordinal));

        using var json = JsonDocument.Parse(lines[^1]);
        var root = json.RootElement;
        Assert.Equal("adding", root.GetProperty("task").GetString());
        Assert.Equal("lstm", root.GetProperty("cell").GetString());
        Assert.Equal(20, root.GetProperty("seq_len").GetInt32());
        Assert.Equal("learned", root.GetProperty("stopped").GetString());
        Assert.True(root.GetProperty("wrong_fraction").GetDouble() < 0.02);
        Assert.True(root.GetProperty("test_error").GetDouble() < root.GetProperty("baseline").GetDouble() / 20);
        Assert.InRange(root.GetProperty("sequences_seen").GetInt64(), 2000, 200_000);
        Assert.InRange(root.GetProperty("baseline_wrong_fraction").GetDouble(), 0.7, 0.95);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        Assert.Equal(root.GetProperty("wrong_fraction").GetDouble(), metrics.RootElement.GetProperty("wrong_fraction").GetDouble());
        Assert.Equal(20, metrics.RootElement.GetProperty("gradient_flow_after").GetArrayLength());
        Assert.True(metrics.RootElement.GetProperty("curve").GetArrayLength() >= 1);
        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("<title>At initialisation, each cell type (same seed and size)</title>", html);
        Assert.Contains("<title>LSTM before and after training</title>", html);

        // the sample sequence: one row per step, value and marker; explain reads it with the model
        string[] sample = File.ReadAllLines(Path.Combine(folder, "sample.csv"));
        Assert.Equal("value,marker", sample[0]);
        Assert.InRange(sample.Length - 1, 20, 22);
        Assert.Equal(2, sample.Skip(1).Count(l => l.EndsWith(",1", StringComparison.Ordinal)));
        string explained = cli.PathOf("explain.html");
        var (explainCode, explainOutput, explainError) = CliRunner.Run(
            "explain", "--model", Path.Combine(folder, "model.safetensors"), "--input", Path.Combine(folder, "sample.csv"), "--out", explained);
        Assert.Equal((0, $"written: {explained}\n", ""), (explainCode, explainOutput.ReplaceLineEndings("\n"), explainError));
        Assert.Contains("<title>Forget gate (layer 1)</title>", File.ReadAllText(explained));
    }

    [Theory]
    [InlineData("--seq-len", "10", "--seq-len is 10; the tasks need at least 20 steps")]
    [InlineData("--classes", "5", "--classes is 5; temporal order has 4 or 8 classes")]
    [InlineData("--forget-bias", "big", "--forget-bias is 'big'; expected a number or 'pytorch'")]
    [InlineData("--input-bias", "NaN", "--input-bias is 'NaN'; expected a number or 'pytorch'")]
    [InlineData("--time-limit", "0", "--learning-rate and --time-limit must be positive")]
    public void BadSettingsAreOneLine(string option, string value, string expected)
    {
        using var cli = new CliRunner();
        string folder = cli.PathOf("out");
        CliRunner.AssertBadInput(["experiment", "temporal-order", option, value, "--out", folder], expected, folder);
    }
}
