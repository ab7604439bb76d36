using System.Globalization;
using System.Text.Json;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet bench</c>: the JSON line the speed checks read, with the operation count of ANCHORS.md.</summary>
public sealed class BenchCommandTests
{
    [Theory]
    [InlineData("lstm", false, 4)]
    [InlineData("gru", false, 3)]
    [InlineData("rnn", true, 1)]
    public void TheLastLineIsOneJsonObjectWithTheMeasurements(string cell, bool bidirectional, int gates)
    {
        var args = new List<string>
        {
            "bench", "--cell", cell, "--input-size", "3", "--hidden-size", "16", "--num-layers", "2", "--batch", "2", "--seq-len", "5",
            "--threads", "1", "--warmup", "1", "--warmup-seconds", "0", "--iterations", "3", "--json",
        };
        if (bidirectional)
        {
            args.Add("--bidirectional");
        }

        var (code, output, error) = CliRunner.Run([.. args]);
        Assert.Equal((0, ""), (code, error));
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        var root = json.RootElement;
        Assert.Equal(cell, root.GetProperty("cell").GetString());
        Assert.Equal(bidirectional, root.GetProperty("bidirectional").GetBoolean());

        // Σ over layers and directions of T·B·2·G·H·(I_l + H): layer 0 reads I = 3, layer 1 reads D·H
        int directions = bidirectional ? 2 : 1;
        double flops = directions * 5.0 * 2 * 2 * gates * 16 * ((3 + 16) + (directions * 16 + 16));
        Assert.Equal(flops, root.GetProperty("forward_flops").GetDouble());
        double forward = root.GetProperty("forward_ms").GetDouble(), train = root.GetProperty("train_ms").GetDouble();
        Assert.True(forward > 0 && train > 0);
        Assert.Equal(flops / forward / 1e6, root.GetProperty("forward_gflops").GetDouble(), 9);
        Assert.Equal(3 * flops / train / 1e6, root.GetProperty("train_gflops").GetDouble(), 9);

        // the stream path (one step at a time) exists for one direction only
        Assert.Equal(!bidirectional, root.TryGetProperty("stream_ms", out var stream));
        if (!bidirectional)
        {
            Assert.True(stream.GetDouble() > 0);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"(5 steps one at a time, RecurrentStream)"), output);
        }
    }

    [Fact]
    public void ANegativeWarmUpTimeIsRefused()
    {
        var (code, output, error) = CliRunner.Run("bench", "--warmup-seconds", "-1", "--iterations", "1");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("carnet bench: ", error, StringComparison.Ordinal);
        Assert.Equal("carnet bench: the warm-up time is -1 s; it must be 0 or more.\n", error.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void NegativeSoakStepsAreRefused()
    {
        var (code, output, error) = CliRunner.Run("bench", "--soak-steps", "-5", "--iterations", "1");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal("carnet bench: --soak-steps is -5; it must be 0 or more.\n", error.Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}

/// <summary>
/// The memory figures of <c>carnet bench --soak-steps</c>, read from a carnet process of its own: the managed heap and the
/// working set are the whole process's, and in the test process other tests' pools and threads would show as growth.
/// </summary>
public sealed class BenchMemoryTests
{
    [Fact]
    public void MemoryIsReportedWithTheGrowthOverTheSoakSteps()
    {
        var (code, output, error) = CliRunner.RunProcess(
            "bench", "--input-size", "3", "--hidden-size", "8", "--num-layers", "1", "--batch", "2", "--seq-len", "4", "--threads", "1",
            "--warmup", "1", "--warmup-seconds", "0", "--iterations", "1", "--soak-steps", "50", "--json");
        Assert.Equal((0, ""), (code, error));
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        var root = json.RootElement;

        // the process holds at least the runtime: more than 10 MB, less than the machine
        double peak = root.GetProperty("peak_working_set_mb").GetDouble();
        Assert.InRange(peak, 10, Environment.WorkingSet / 1048576.0 + 1024);
        Assert.Equal(50, root.GetProperty("soak_steps").GetInt32());
        // a tiny stack keeps nothing step after step: about 2 KB of 50 steps in a process of its own, where 1.5 MB went in the test process
        Assert.InRange(root.GetProperty("managed_growth_mb").GetDouble(), -0.1, 0.1);
        Assert.True(root.TryGetProperty("working_set_growth_mb", out _));
        Assert.True(root.GetProperty("forward_unfrozen_ms").GetDouble() > 0);
        Assert.Contains("over 50 more steps the working set peak grew", output);
    }
}
