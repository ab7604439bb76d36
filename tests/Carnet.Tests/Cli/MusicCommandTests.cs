using System.Globalization;
using System.Text.Json;
using Carnet.Tests.Music;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet music train|generate|evaluate</c> end to end on the test tunes, and the bad inputs the issue names.</summary>
public sealed class MusicCommandTests
{
    private static readonly string[] Small =
        ["--embedding-size", "8", "--hidden-size", "24", "--num-layers", "1", "--seq-length", "16", "--batch-size", "4", "--learning-rate", "0.01",
         "--validation", "0.25", "--sample-length", "20", "--threads", "1"];

    [Fact]
    public void TrainWritesModelMetricsReportAndTunesThenEvaluateAndGenerateUseTheModel()
    {
        using var cli = new CliRunner();
        string data = cli.Write("jigs.abc", TestTunes.Book());
        string folder = cli.PathOf("out");
        var (code, output, error) = CliRunner.Run(["music", "train", "--data", data, "--out", folder, "--epochs", "2", "--sample-tunes", "3", .. Small]);
        Assert.Equal((0, ""), (code, error));
        Assert.StartsWith($"{data}: 8 tunes (8 with a rhythm); 25 % held out.", output);
        Assert.Equal(["checkpoint.safetensors", "generated.abc", "heldout.abc", "metrics.json", "model.safetensors", "report.html"],
            Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        var root = metrics.RootElement;
        double bits = root.GetProperty("bpc").GetDouble();
        Assert.Equal(bits, root.GetProperty("best_val_bpc").GetDouble());
        Assert.True(root.GetProperty("bigram_bpc").GetDouble() > 0);
        Assert.InRange(root.GetProperty("valid_fraction").GetDouble(), 0, 1);
        Assert.Equal((6, 2, 3), (root.GetProperty("tunes_trained").GetInt32(), root.GetProperty("tunes_held_out").GetInt32(), root.GetProperty("generated").GetInt32()));
        Assert.Equal(3, File.ReadAllText(Path.Combine(folder, "generated.abc")).Split("X:").Length - 1);
        string report = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("Generated tunes", report);
        Assert.Contains("as played", report); // a piano roll per tune

        string model = Path.Combine(folder, "model.safetensors");
        string evaluated = cli.PathOf("evaluated");
        var evaluate = CliRunner.Run("music", "evaluate", "--model", model, "--data", Path.Combine(folder, "heldout.abc"), "--out", evaluated,
            "--batch-size", "4", "--seq-length", "16");
        Assert.Equal((0, ""), (evaluate.Code, evaluate.Error));
        int characters = root.GetProperty("validation_characters").GetInt32();
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $": 2 tunes, {characters:N0} characters: {bits:F4} bits per character\n"),
            evaluate.Output.ReplaceLineEndings("\n"));
        using var evaluation = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluated, "metrics.json")));
        Assert.Equal(bits, evaluation.RootElement.GetProperty("bpc").GetDouble()); // the held-out tunes read back give the very same number

        string midi = cli.PathOf("midi");
        var generate = CliRunner.Run("music", "generate", "--model", model, "--meter", "6/8", "--key", "G", "--rhythm", "jig", "--count", "2", "--max-length", "200",
            "--midi", midi);
        Assert.Equal(0, generate.Code);
        string[] tunes = generate.Output.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, tunes.Length);
        Assert.StartsWith("X:1\nR:jig\nM:6/8\nL:", tunes[0]);
        Assert.Contains("\nK:G\n", tunes[1]);
        Assert.Contains(generate.Error.ReplaceLineEndings("\n").Split('\n'), l => l.StartsWith("X:2", StringComparison.Ordinal));
        Assert.Equal(["tune-1.mid", "tune-2.mid"], Directory.GetFiles(midi).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("MThd"u8.ToArray(), File.ReadAllBytes(Path.Combine(midi, "tune-1.mid"))[..4]);
        Assert.Equal(generate.Output, CliRunner.Run("music", "generate", "--model", model, "--meter", "6/8", "--key", "G", "--rhythm", "jig", "--count", "2",
            "--max-length", "200").Output); // the same seed writes the same tunes

        var inspect = CliRunner.Run("inspect", model);
        Assert.Equal(0, inspect.Code);
        Assert.Contains($"writes ABC tunes over {root.GetProperty("vocabulary_size").GetInt32()} characters", inspect.Output);
        var fuzz = CliRunner.Run("fuzz", "--model", model, "--iterations", "300");
        Assert.Equal((0, ""), (fuzz.Code, fuzz.Error));
    }

    [Fact]
    public void AResumedRunEndsWithTheModelOfAnUninterruptedOne()
    {
        using var cli = new CliRunner();
        string data = cli.Write("jigs.abc", TestTunes.Book());
        string whole = cli.PathOf("whole"), resumed = cli.PathOf("resumed");
        string[] arguments = ["music", "train", "--data", data, "--sample-tunes", "2", .. Small];
        Assert.Equal(0, CliRunner.Run([.. arguments, "--out", whole, "--epochs", "3"]).Code);
        Assert.Equal(0, CliRunner.Run([.. arguments, "--out", resumed, "--epochs", "2"]).Code);
        Assert.Equal(0, CliRunner.Run([.. arguments, "--out", resumed, "--epochs", "3", "--resume"]).Code);
        foreach (string file in new[] { "model.safetensors", "generated.abc", "heldout.abc" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(whole, file)), File.ReadAllBytes(Path.Combine(resumed, file)));
        }
    }

    [Fact]
    public void BadBooksAreOneLineWithFileAndLineAndExitCode2()
    {
        using var cli = new CliRunner();
        string folder = cli.PathOf("out");
        string empty = cli.Write("empty.abc", "% nothing but a comment\n");
        CliRunner.AssertBadInput(["music", "train", "--data", empty, "--out", folder], $"{empty}: no tune: expected an 'X:' line starting each tune", folder);
        string keyless = cli.Write("keyless.abc", "\nX:4\nT:No key\nM:6/8\nGAB dBG|\n");
        CliRunner.AssertBadInput(["music", "train", "--data", keyless, "--out", folder],
            $"{keyless}:2: tune X:4 has no 'K:' field; the key ends a tune's header, before its music", folder);
        string latin1 = Path.Combine(cli.Folder, "latin1.abc");
        File.WriteAllBytes(latin1, [.. "X:1\nT:Caf"u8, 0xE9, .. "\nK:G\nGAB|\n"u8]);
        CliRunner.AssertBadInput(["music", "train", "--data", latin1, "--out", folder],
            $"{latin1}:2:6: not valid UTF-8 text (byte 0xE9 at byte offset 9); save the file as UTF-8", folder);
        string few = cli.Write("few.abc", TestTunes.Jig);
        CliRunner.AssertBadInput(["music", "train", "--data", few, "--out", folder], "1 tune(s) are too few: 1 would be held out and none left to train on", folder);
        CliRunner.AssertBadInput(["music", "evaluate", "--model", cli.PathOf("missing.safetensors"), "--data", few], $"{cli.PathOf("missing.safetensors")}: file not found",
            cli.PathOf("none"));
    }
}
