using System.Diagnostics;
using Carnet.IO;
using Carnet.Tests.Training;

namespace Carnet.Tests.Cli;

/// <summary>
/// A training command killed with SIGKILL at random moments leaves a complete checkpoint (or none), never a torn one,
/// and running it again with --resume ends with the same model file, byte for byte, as an uninterrupted run.
/// </summary>
public sealed class KillAndResumeTests
{
    private static readonly string[] Arguments =
        ["forecast", "--data", SeriesDemoTests.AirPassengers, "--epochs", "600", "--hidden-size", "16", "--patience", "1000", "--quiet"];

    [Fact]
    public void KilledFiveTimesAndResumedEndsWithTheUninterruptedModel()
    {
        using var cli = new CliRunner();
        string whole = cli.PathOf("whole"), killed = cli.PathOf("killed");
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, CliRunner.Run([.. Arguments, "--out", whole]).Code);
        double training = clock.Elapsed.TotalMilliseconds; // in process: training alone, whatever this machine's speed

        var random = new RandomSource(2026);
        string checkpoint = Path.Combine(killed, "checkpoint.safetensors");
        int kills = 0, attempts = 0;
        while (kills < 5 && attempts++ < 20)
        {
            using var process = CliRunner.Start([.. Arguments, "--out", killed, "--resume"]);
            // start-up takes about 250 ms; then 4–16% of the training time, so that five kills land before it ends on any machine
            Thread.Sleep(250 + (int)(training * (0.04 + 0.12 * random.NextDouble())));
            if (process.HasExited)
            {
                break; // training finished before this kill: the remaining kills would find nothing to interrupt
            }

            process.Kill(entireProcessTree: true); // SIGKILL on Linux
            process.WaitForExit();
            kills++;
            if (File.Exists(checkpoint))
            {
                var file = SafeTensorsFile.Read(checkpoint); // complete: parses, every tensor within the file
                Assert.Equal("carnet-checkpoint", file.Metadata["format"]);
            }
        }

        Assert.True(kills >= 3, $"only {kills} kills landed before training finished");
        using (var last = CliRunner.Start([.. Arguments, "--out", killed, "--resume"]))
        {
            Assert.True(last.WaitForExit(120_000), "the resumed run did not finish");
            Assert.Equal(0, last.ExitCode);
        }

        Assert.Equal(["checkpoint.safetensors", "forecast.csv", "metrics.json", "model.safetensors", "report.html"],
            Directory.GetFileSystemEntries(killed).Select(Path.GetFileName).Order(StringComparer.Ordinal)); // nothing left of the killed runs
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(killed, "model.safetensors")));
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "metrics.json")), File.ReadAllText(Path.Combine(killed, "metrics.json")));
    }
}
