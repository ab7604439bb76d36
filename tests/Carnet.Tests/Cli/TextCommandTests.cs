using System.Text;
using System.Text.Json;
using Carnet.Cli;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet text train</c> and <c>carnet text generate</c> end to end on a small generated text, and every kind of bad input.</summary>
public sealed class TextCommandTests
{
    /// <summary>Seeded sentences over a few words, with non-ASCII characters, about 6000 characters.</summary>
    internal static string Sentences()
    {
        string[] words = ["the", "whale", "sea", "café", "naïve", "—", "🐳", "ship"];
        var random = new RandomSource(21);
        var text = new StringBuilder();
        while (text.Length < 6000)
        {
            text.Append(words[random.NextInt(words.Length)]).Append(random.NextInt(6) == 0 ? ".\n" : " ");
        }

        return text.ToString();
    }

    private static readonly string[] Small =
        ["--embedding-size", "8", "--hidden-size", "24", "--num-layers", "1", "--seq-length", "16", "--batch-size", "8", "--learning-rate", "0.01",
         "--sample-length", "30", "--threads", "1"];

    [Fact]
    public void TrainWritesModelMetricsAndReportThenGenerateContinuesAPrompt()
    {
        using var cli = new CliRunner();
        string data = cli.Write("sentences.txt", Sentences());
        string folder = cli.PathOf("out");
        var (code, output, error) = CliRunner.Run(["text", "train", "--data", data, "--out", folder, "--epochs", "3", .. Small]);
        Assert.Equal((0, ""), (code, error));
        string[] lines = output.ReplaceLineEndings("\n").Split('\n');
        Assert.StartsWith($"{data}: ", lines[0]);
        Assert.Equal(3, lines.Count(l => l.StartsWith("epoch ", StringComparison.Ordinal) && l.Contains(" bpc · held out ", StringComparison.Ordinal)));
        Assert.Equal(3, lines.Count(l => l.StartsWith("  sample: ", StringComparison.Ordinal)));
        Assert.Equal(["checkpoint.safetensors", "metrics.json", "model.safetensors", "report.html"],
            Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        var root = metrics.RootElement;
        double[] bpc = root.GetProperty("val_bpc").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(3, bpc.Length);
        Assert.Equal(bpc.Min(), root.GetProperty("best_val_bpc").GetDouble());
        Assert.True(bpc[^1] < bpc[0] && bpc.Min() < 2.5, string.Join(", ", bpc)); // 20 characters: 4.3 bits if uniform
        Assert.Equal(3, root.GetProperty("samples").GetArrayLength());
        Assert.Equal(30, root.GetProperty("samples")[2].GetProperty("text").GetString()!.EnumerateRunes().Count());
        Assert.Equal(20, root.GetProperty("vocabulary_size").GetInt32());
        Assert.False(root.GetProperty("stopped_by_time_limit").GetBoolean());
        string report = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("Bits per character per epoch", report);
        Assert.Contains("<svg", report);

        string model = Path.Combine(folder, "model.safetensors");
        string[] generate = ["text", "generate", "--model", model, "--prompt", "the 🐳", "--length", "80",
            "--temperature", "0.7", "--top-k", "5", "--top-p", "0.95", "--seed", "3"];
        var first = CliRunner.Run(generate);
        Assert.Equal((0, ""), (first.Code, first.Error));
        Assert.StartsWith("the 🐳", first.Output);
        Assert.Equal(5 + 80 + 1, first.Output.EnumerateRunes().Count()); // the prompt, 80 characters and a line break
        Assert.Equal(first.Output, CliRunner.Run(generate).Output);
        Assert.NotEqual(first.Output, CliRunner.Run([.. generate[..^1], "4"]).Output);
    }

    [Fact]
    public void GenerateWritesEachCharacterAsItIsDrawn()
    {
        using var cli = new CliRunner();
        string folder = cli.PathOf("out");
        Assert.Equal(0, CliRunner.Run(["text", "train", "--data", cli.Write("sentences.txt", Sentences()), "--out", folder, "--epochs", "1", "--quiet", .. Small]).Code);
        var output = new FlushRecorder();
        int code = CarnetApplication.Run(["text", "generate", "--model", Path.Combine(folder, "model.safetensors"),
            "--prompt", "sea", "--length", "25"], output, new StringWriter());
        Assert.Equal(0, code);
        Assert.Equal(1 + 25, output.Flushes.Count); // the prompt, then each character
        Assert.Equal("sea", output.Flushes[0]);
        Assert.All(output.Flushes.Skip(1), chunk => Assert.Single(chunk.EnumerateRunes()));
    }

    [Fact]
    public void ResumingFromTheCheckpointEndsWithTheUninterruptedModel()
    {
        using var cli = new CliRunner();
        string data = cli.Write("sentences.txt", Sentences());
        string whole = cli.PathOf("whole"), resumed = cli.PathOf("resumed");
        string[] twoLayers = [.. Small[..4], "--num-layers", "2", .. Small[6..]]; // dropout between the layers draws from the saved random state
        string[] arguments = ["text", "train", "--data", data, "--dropout", "0.2", "--quiet", .. twoLayers];
        Assert.Equal(0, CliRunner.Run([.. arguments, "--out", whole, "--epochs", "3"]).Code);
        Assert.Equal(0, CliRunner.Run([.. arguments, "--out", resumed, "--epochs", "2"]).Code);
        Assert.Equal(0, CliRunner.Run([.. arguments, "--out", resumed, "--epochs", "3", "--resume"]).Code);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(resumed, "model.safetensors")));
        using var a = JsonDocument.Parse(File.ReadAllText(Path.Combine(whole, "metrics.json")));
        using var b = JsonDocument.Parse(File.ReadAllText(Path.Combine(resumed, "metrics.json")));
        Assert.Equal(a.RootElement.GetProperty("val_bpc").ToString(), b.RootElement.GetProperty("val_bpc").ToString());
        Assert.Equal(a.RootElement.GetProperty("samples").ToString(), b.RootElement.GetProperty("samples").ToString());
    }

    [Fact]
    public void TheTimeLimitStopsTrainingAndIsRecorded()
    {
        using var cli = new CliRunner();
        string folder = cli.PathOf("out");
        var (code, _, error) = CliRunner.Run(["text", "train", "--data", cli.Write("sentences.txt", Sentences()), "--out", folder, "--epochs", "50",
            "--time-limit", "0.00001", "--quiet", .. Small]);
        Assert.Equal((0, ""), (code, error));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        Assert.True(metrics.RootElement.GetProperty("stopped_by_time_limit").GetBoolean());
        Assert.Equal(1, metrics.RootElement.GetProperty("epochs_trained").GetInt32());
        // the limit is checked after every step: the run stops inside its first epoch, after at least one step (how many
        // fit in 0.6 ms depends on the machine's load)
        int steps = metrics.RootElement.GetProperty("history")[0].GetProperty("steps").GetInt32();
        Assert.InRange(steps, 1, metrics.RootElement.GetProperty("steps_per_epoch").GetInt32() - 1);
    }

    [Fact]
    public void BadInputGetsOneLineAndExitCode2()
    {
        using var cli = new CliRunner();
        string folder = cli.PathOf("out");
        string Train(string name, byte[] bytes)
        {
            string path = cli.PathOf(name);
            File.WriteAllBytes(path, bytes);
            return path;
        }

        string invalid = Train("invalid.txt", [.. Encoding.UTF8.GetBytes("whale\nsea é"), 0xFF, (byte)'\n']);
        CliRunner.AssertBadInput(["text", "train", "--data", invalid, "--out", folder],
            $"{invalid}:2:6: not valid UTF-8 text (byte 0xFF at byte offset 12); save the file as UTF-8", folder);
        string empty = Train("empty.txt", []);
        CliRunner.AssertBadInput(["text", "train", "--data", empty, "--out", folder], $"{empty}: empty file: there is no text to learn from", folder);
        string missing = cli.PathOf("missing.txt");
        CliRunner.AssertBadInput(["text", "train", "--data", missing, "--out", folder], $"{missing}: file not found", folder);
        string tiny = Train("tiny.txt", Encoding.UTF8.GetBytes("a short text"));
        CliRunner.AssertBadInput(["text", "train", "--data", tiny, "--out", folder],
            $"{tiny}: 12 characters are too few: training needs at least 2049, with 2 more held out for validation; " +
            "give a longer text, or a smaller --batch-size, --seq-length or --validation", folder);
        string text = cli.Write("sentences.txt", Sentences());
        CliRunner.AssertBadInput(["text", "train", "--data", text, "--out", folder, "--threads", "0"], "--threads is 0; it must be at least 1", folder);
        CliRunner.AssertBadInput(["text", "train", "--data", text, "--out", folder, "--time-limit", "-1"], "--clip must not be negative and --time-limit must be positive", folder);
        CliRunner.AssertBadInput(["text", "train", "--data", text, "--out", folder, "--dropout", "1"], "the dropout (1) must be at least 0 and below 1", folder);

        string trained = cli.PathOf("trained");
        Assert.Equal(0, CliRunner.Run(["text", "train", "--data", text, "--out", trained, "--epochs", "1", "--quiet", .. Small]).Code);
        string model = Path.Combine(trained, "model.safetensors");
        CliRunner.AssertBadInput(["text", "generate", "--model", model, "--prompt", "the Жx"],
            "the prompt's character 5 is 'Ж' (U+0416), which is not in the model's vocabulary of 20 characters", folder);
        CliRunner.AssertBadInput(["text", "generate", "--model", model, "--prompt", ""],
            "the prompt is empty; generation needs at least one character to start from", folder);
        CliRunner.AssertBadInput(["text", "generate", "--model", model, "--temperature", "-0.5"], "the temperature is -0.5; it must be a finite number, at least 0", folder);
        CliRunner.AssertBadInput(["text", "generate", "--model", model, "--length", "-3"], "--length is -3; it must be at least 0", folder);
        CliRunner.AssertBadInput(["text", "generate", "--model", Path.Combine(trained, "checkpoint.safetensors")],
            $"{Path.Combine(trained, "checkpoint.safetensors")}: not a Carnet model file (metadata 'format' is 'carnet-checkpoint', expected 'carnet-sequence-model')", folder);
    }

    /// <summary>Records what was written between flushes.</summary>
    private sealed class FlushRecorder : StringWriter
    {
        private int flushed;

        public List<string> Flushes { get; } = [];

        public override void Flush()
        {
            string all = ToString();
            Flushes.Add(all[flushed..]);
            flushed = all.Length;
        }
    }
}
