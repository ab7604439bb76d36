using Carnet.Tests.Training;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet inspect</c>: the configuration and tensors of a good file, one line and exit code 2 for a bad one.</summary>
public sealed class InspectCommandTests
{
    [Fact]
    public void AGoodModelIsListedAndDeclaredConsistent()
    {
        using var cli = new CliRunner();
        Assert.Equal(0, CliRunner.Run("forecast", "--data", SeriesDemoTests.AirPassengers, "--epochs", "1", "--hidden-size", "5", "--quiet", "--out", cli.Folder).Code);
        string model = cli.PathOf("model.safetensors");
        var (code, output, error) = CliRunner.Run("inspect", model);
        Assert.Equal((0, ""), (code, error));
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(model, lines[0]);
        Assert.Contains("  preprocessing.task = forecast", lines);
        Assert.Contains("  rnn.hidden_size = 5", lines);
        Assert.Contains(lines, l => l.StartsWith("  rnn.weight_hh_l0 ", StringComparison.Ordinal) && l.EndsWith("F32   [20, 5]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  head.weight ", StringComparison.Ordinal) && l.EndsWith("[12, 5]", StringComparison.Ordinal));
        // 4·5·(1 + 5) + 2·4·5 weights and biases of the LSTM, then 12·5 + 12 of the head
        Assert.Equal("ok: a complete, consistent Carnet model: forecasts 12 steps of 'passengers_thousands' from 24 past steps; 232 parameters", lines[^1]);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("tensor-missing")]
    [InlineData("bad-preprocessing")]
    public void ABrokenModelGetsOneLineAndExitCodeTwo(string damage)
    {
        using var cli = new CliRunner();
        Assert.Equal(0, CliRunner.Run("forecast", "--data", SeriesDemoTests.AirPassengers, "--epochs", "1", "--hidden-size", "5", "--quiet", "--out", cli.Folder).Code);
        var file = Carnet.IO.SafeTensorsFile.Read(cli.PathOf("model.safetensors"));
        string broken = cli.PathOf("broken.safetensors");
        switch (damage)
        {
            case "truncated":
                File.WriteAllBytes(broken, File.ReadAllBytes(cli.PathOf("model.safetensors"))[..200]);
                break;
            case "tensor-missing":
                Carnet.IO.SafeTensorsWriter.Write(broken, file.Tensors.Where(t => t.Name != "head.bias").ToList(), file.Metadata);
                break;
            default:
                var metadata = file.Metadata.ToDictionary(p => p.Key, p => p.Value);
                metadata["preprocessing.horizon"] = "eleven";
                Carnet.IO.SafeTensorsWriter.Write(broken, file.Tensors, metadata);
                break;
        }

        var (code, output, error) = CliRunner.Run("inspect", broken);
        Assert.Equal((2, ""), (code, output));
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"carnet inspect: {broken}", error, StringComparison.Ordinal);
        Assert.Contains(damage switch { "truncated" => "truncated", "tensor-missing" => "head.bias", _ => "preprocessing.horizon" }, error);
    }
}
