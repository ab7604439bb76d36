using System.Text.Json;
using Carnet.IO;
using Carnet.Tests.Cli;

namespace Carnet.Tests.Distributed;

/// <summary>
/// <c>mpiexec -n 2 carnet … --distributed</c> end to end: two ranks with global batch B train the model one process trains
/// with batch B (the same weights up to float rounding: the ranks' gradient shares are added in another order), reruns
/// are bit-identical, a killed job resumes to the uninterrupted result, and a job started wrongly ends on every rank with
/// one line.
/// </summary>
[Collection("MPI jobs")]
public sealed class DistributedTrainingTests
{
    private static readonly string[] Classifier =
        ["--label", "shape", "--features-per-step", "2", "--hidden-size", "8", "--epochs", "12", "--batch-size", "16", "--learning-rate", "0.02", "--quiet"];

    private static readonly string[] CharacterModel =
        ["--embedding-size", "8", "--hidden-size", "24", "--num-layers", "1", "--seq-length", "16", "--batch-size", "8", "--learning-rate", "0.01",
         "--epochs", "3", "--sample-length", "30", "--quiet"];

    [Fact]
    public void TwoRanksTrainTheClassifierOneProcessTrainsBitForBitOnRerun()
    {
        using var cli = new CliRunner();
        string data = cli.Write("shapes.csv", ClassifyCommandTests.WideCsv(150));
        string[] arguments = ["classify", "--data", data, .. Classifier];
        Assert.Equal(0, CliRunner.Run([.. arguments, "--out", cli.PathOf("one")]).Code);
        AssertSucceeds(MpiJob.Run(2, [.. arguments, "--out", cli.PathOf("two"), "--distributed"]));
        AssertSucceeds(MpiJob.Run(2, [.. arguments, "--out", cli.PathOf("again"), "--distributed"]));
        AssertSucceeds(MpiJob.Run(1, [.. arguments, "--out", cli.PathOf("alone"), "--distributed"]));

        // observed on 2026-12-05: at most 4e-7 apart after 12 epochs of 8 steps
        Assert.InRange(LargestDifference(cli.PathOf("one"), cli.PathOf("two")), 0, 1e-5);
        Assert.Equal(Model(cli.PathOf("two")), Model(cli.PathOf("again")));
        Assert.Equal(Model(cli.PathOf("one")), Model(cli.PathOf("alone"))); // one rank: nothing is summed, so nothing is rounded otherwise
        var (single, pair) = (Metrics(cli.PathOf("one")), Metrics(cli.PathOf("two")));
        Assert.Equal(1, single.GetProperty("world_size").GetInt32());
        Assert.Equal(2, pair.GetProperty("world_size").GetInt32());
        var singleLosses = History(single, "val_loss");
        var pairLosses = History(pair, "val_loss"); // the validation batches shared between the ranks and summed
        Assert.Equal(12, pairLosses.Length);
        Assert.All(singleLosses.Zip(pairLosses), p => Assert.Equal(p.First, p.Second, 1e-5));
        Assert.Equal(["checkpoint.safetensors", "metrics.json", "model.safetensors", "report.html"], Entries(cli.PathOf("two"))); // rank 1 wrote nothing beside
    }

    [Fact]
    public void TwoRanksTrainTheCharacterModelOneProcessTrains()
    {
        using var cli = new CliRunner();
        string data = cli.Write("sentences.txt", TextCommandTests.Sentences());
        string[] arguments = ["text", "train", "--data", data, .. CharacterModel];
        Assert.Equal(0, CliRunner.Run([.. arguments, "--out", cli.PathOf("one")]).Code);
        AssertSucceeds(MpiJob.Run(2, [.. arguments, "--out", cli.PathOf("two"), "--distributed"]));
        AssertSucceeds(MpiJob.Run(2, [.. arguments, "--out", cli.PathOf("again"), "--distributed"]));

        // observed on 2026-12-05: at most 2e-6 apart after 3 epochs of the 8 streams' truncated back-propagation
        Assert.InRange(LargestDifference(cli.PathOf("one"), cli.PathOf("two")), 0, 2e-5);
        Assert.Equal(Model(cli.PathOf("two")), Model(cli.PathOf("again")));
        var (single, pair) = (Metrics(cli.PathOf("one")), Metrics(cli.PathOf("two")));
        Assert.Equal(2, pair.GetProperty("world_size").GetInt32());
        double[] heldOut = [.. single.GetProperty("val_bpc").EnumerateArray().Select(e => e.GetDouble())];
        double[] shared = [.. pair.GetProperty("val_bpc").EnumerateArray().Select(e => e.GetDouble())]; // each rank read half the held-out streams
        Assert.Equal(3, shared.Length);
        Assert.All(heldOut.Zip(shared), p => Assert.Equal(p.First, p.Second, 1e-5));
    }

    [Fact]
    public void EveryRankStopsAtTheStepRankZerosTimeLimitEnds()
    {
        using var cli = new CliRunner();
        string data = cli.Write("sentences.txt", TextCommandTests.Sentences());
        string[] arguments = ["text", "train", "--data", data, .. CharacterModel.Select(a => a == "3" ? "100000" : a), "--time-limit", "0.03"]; // 1.8 s of 100,000 epochs
        var (code, _, error) = MpiJob.Run(2, [.. arguments, "--out", cli.PathOf("limited"), "--distributed"]);
        Assert.True(code == 0, error); // a rank that stopped alone would leave the other waiting in its next all-reduce: a hang, not an exit
        var metrics = Metrics(cli.PathOf("limited"));
        Assert.True(metrics.GetProperty("stopped_by_time_limit").GetBoolean());
        Assert.Equal(2, metrics.GetProperty("world_size").GetInt32());
        Assert.InRange(metrics.GetProperty("epochs_trained").GetInt32(), 1, 99_999);
    }

    [Fact]
    public void AKilledRankEndsTheJobAndTheResumedJobEndsWithTheUninterruptedModel()
    {
        using var cli = new CliRunner();
        string data = cli.Write("shapes.csv", ClassifyCommandTests.WideCsv(150));
        string[] arguments = ["classify", "--data", data, .. Classifier.Select(a => a == "12" ? "300" : a), "--patience", "1000"]; // 300 epochs
        string whole = cli.PathOf("whole"), killed = cli.PathOf("killed");
        AssertSucceeds(MpiJob.Run(2, [.. arguments, "--out", whole, "--distributed"]));

        using (var job = MpiJob.Start(["-n", "2", .. MpiJob.Carnet, .. arguments, "--out", killed, "--distributed"]))
        {
            string checkpoint = Path.Combine(killed, "checkpoint.safetensors");
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && !job.HasExited && waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.Sleep(20);
            }

            Assert.False(job.HasExited, "training ended before a rank could be killed");
            int[] rankOne = [.. MpiJob.Ranks(killed, rank: 1)];
            Assert.Single(rankOne);
            System.Diagnostics.Process.GetProcessById(rankOne[0]).Kill(); // SIGKILL
            Assert.True(job.WaitForExit(60_000), "the job hung after one rank died");
            Assert.NotEqual(0, job.ExitCode);
            Assert.Equal("carnet-checkpoint", SafeTensorsFile.Read(checkpoint).Metadata["format"]); // intact
        }

        Assert.DoesNotContain("model.safetensors", Entries(killed));
        AssertSucceeds(MpiJob.Run(2, [.. arguments, "--out", killed, "--distributed", "--resume"]));
        Assert.Equal(Model(whole), Model(killed));
    }

    [Fact]
    public void RanksStartedWithOtherSettingsOrDataEndWithOneLine()
    {
        using var cli = new CliRunner();
        Directory.CreateDirectory(cli.PathOf("a"));
        Directory.CreateDirectory(cli.PathOf("b"));
        File.WriteAllText(cli.PathOf("a/shapes.csv"), ClassifyCommandTests.WideCsv(150));
        File.WriteAllText(cli.PathOf("b/shapes.csv"), ClassifyCommandTests.WideCsv(151));
        string[] arguments = ["classify", "--data", "shapes.csv", .. Classifier, "--distributed"];
        string output = cli.PathOf("out");

        // the same arguments, a file of the same name with other contents in each rank's working folder
        var (code, printed, error) = MpiJob.Launch(
            ["-n", "1", "-wdir", cli.PathOf("a"), .. MpiJob.Carnet, .. arguments, "--out", output, ":", "-n", "1", "-wdir", cli.PathOf("b"), .. MpiJob.Carnet, .. arguments,
             "--out", output]);
        Assert.Equal(2, code);
        Assert.Equal("", printed);
        Assert.Matches(@"^carnet classify: rank 1 was started with other arguments or data than rank 0 \(fingerprint [0-9a-f]{12} against [0-9a-f]{12}\): " +
            "start every rank with the same command and the same data files\n$", error.ReplaceLineEndings("\n"));
        Assert.False(Directory.Exists(output));

        // other settings: a seed for each rank
        string data = cli.PathOf("a/shapes.csv");
        (code, printed, error) = MpiJob.Launch(
            ["-n", "1", .. MpiJob.Carnet, "classify", "--data", data, .. Classifier, "--seed", "1", "--distributed", "--out", output, ":",
             "-n", "1", .. MpiJob.Carnet, "classify", "--data", data, .. Classifier, "--seed", "2", "--distributed", "--out", output]);
        Assert.Equal((2, ""), (code, printed));
        Assert.Single(error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        Assert.StartsWith("carnet classify: rank 1 was started with other arguments or data than rank 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ARankThatFailsAloneEndsEveryRank()
    {
        using var cli = new CliRunner();
        string data = cli.Write("shapes.csv", ClassifyCommandTests.WideCsv(150));
        string taken = cli.Write("taken", "a file where rank 0 must create its output folder"); // the other ranks write nothing, so only rank 0 fails
        var (code, printed, error) = MpiJob.Run(2, ["classify", "--data", data, .. Classifier, "--out", taken, "--distributed"]);
        Assert.Equal((2, ""), (code, printed));
        // rank 0's one line; besides it only MPICH's note of the MPI_Abort, which mpiexec forwards when it comes before the
        // job is torn down: in any order, and sometimes not at all (CI runs of 2026-12-06 found an empty first line, then no note)
        string[] lines = error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, $"carnet classify: The file '{taken}' already exists.");
        Assert.All(lines, line => Assert.True(line.StartsWith("carnet classify: The file", StringComparison.Ordinal)
            || line.Contains("MPI_Abort(MPI_COMM_WORLD, 2)", StringComparison.Ordinal), $"a line neither rank 0's nor MPICH's: {line}"));
    }

    [Fact]
    public void DistributedWithoutALauncherIsOneLine()
    {
        using var cli = new CliRunner();
        string data = cli.Write("shapes.csv", ClassifyCommandTests.WideCsv(150));
        string folder = cli.PathOf("out");
        CliRunner.AssertBadInput(["classify", "--data", data, .. Classifier, "--out", folder, "--distributed"],
            "--distributed needs an MPI launcher: run it as mpiexec -n N carnet … --distributed (MPICH: apt-get install mpich)", folder);
    }

    private static void AssertSucceeds((int Code, string Output, string Error) run) => Assert.True(run.Code == 0, $"exit {run.Code}: {run.Error}");

    private static byte[] Model(string folder) => File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));

    private static JsonElement Metrics(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json"))).RootElement;

    private static double[] History(JsonElement metrics, string key)
        => [.. metrics.GetProperty("history").EnumerateArray().Select(e => e.GetProperty(key).GetDouble())];

    private static string[] Entries(string folder) => [.. Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    /// <summary>The largest absolute difference between the two folders' model weights, tensor by tensor (same names and shapes).</summary>
    private static double LargestDifference(string first, string second)
    {
        double largest = ModelWeights.Pairs(first, second).Max(p => Math.Abs(p.First - p.Second));
        Assert.NotEqual(Model(first), Model(second)); // the comparison means something only if the files are not the same
        return largest;
    }
}
