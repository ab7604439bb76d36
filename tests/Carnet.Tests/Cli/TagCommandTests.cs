using System.Globalization;
using System.Text;
using System.Text.Json;
using Carnet.Tests.Tagging;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet tag train</c> and <c>carnet tag predict</c> end to end on a toy language, and every kind of bad input.</summary>
public sealed class TagCommandTests
{
    private static readonly string[] SmallModel =
    [
        "--word-embedding-size", "16", "--char-embedding-size", "8", "--char-hidden-size", "8", "--hidden-size", "16", "--batch-size", "8",
        "--learning-rate", "0.02", "--dropout", "0.2", "--epochs", "10", "--quiet",
    ];

    [Fact]
    public void TrainReachesHighAccuracyAndWritesMetricsReportAndModel()
    {
        using var cli = new CliRunner();
        string data = cli.Write("toy.conll", ToyCorpus.Conll(300, 1));
        string folder = cli.PathOf("out");
        var (code, output, error) = CliRunner.Run(["tag", "train", "--data", data, "--out", folder, .. SmallModel]);
        Assert.Equal((0, "", ""), (code, output, error));
        Assert.Equal(["checkpoint.safetensors", "metrics.json", "model.safetensors", "report.html"],
            Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        var root = metrics.RootElement;
        Assert.True(root.GetProperty("accuracy").GetDouble() >= 0.95, root.GetProperty("accuracy").ToString());
        Assert.Equal(30, root.GetProperty("test_sentences").GetInt32());
        Assert.Equal((243, 27), (root.GetProperty("training_sentences").GetInt32(), root.GetProperty("validation_sentences").GetInt32()));
        var perTag = root.GetProperty("per_tag");
        Assert.Equal(["B-LOC", "B-PER", "I-LOC", "I-PER", "O"], perTag.EnumerateObject().Select(p => p.Name));
        Assert.Equal(root.GetProperty("test_tokens").GetInt32(), perTag.EnumerateObject().Sum(p => p.Value.GetProperty("support").GetInt32()));
        Assert.Equal(30, perTag.GetProperty("B-PER").GetProperty("support").GetInt32()); // one person per sentence
        var entities = root.GetProperty("entities");
        Assert.Equal(60, entities.GetProperty("gold").GetInt32()); // a person and a place per sentence
        Assert.True(entities.GetProperty("f1").GetDouble() >= 0.9, entities.ToString());
        Assert.Equal(["LOC", "PER"], entities.GetProperty("per_type").EnumerateObject().Select(p => p.Name));
        Assert.Equal(10, root.GetProperty("history").GetArrayLength());

        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("Entities by type", html);
        Assert.Equal(2, html.Split("<svg ").Length - 1); // F1 per tag, losses

        string text = cli.Write("sentences.txt", "Alice Smith said it was nice in Paris City .\n\n  Bob   wrote to Oslo .\r\n");
        (code, output, error) = CliRunner.Run("tag", "predict", "--model", Path.Combine(folder, "model.safetensors"), "--input", text);
        Assert.Equal((0, ""), (code, error));
        Assert.Equal(
            "Alice\tB-PER\nSmith\tI-PER\nsaid\tO\nit\tO\nwas\tO\nnice\tO\nin\tO\nParis\tB-LOC\nCity\tI-LOC\n.\tO\n\n" +
            "Bob\tB-PER\nwrote\tO\nto\tO\nOslo\tB-LOC\n.\tO\n\n", output);

        string tagged = cli.PathOf("tagged.conll");
        (code, output, error) = CliRunner.Run("tag", "predict", "--model", Path.Combine(folder, "model.safetensors"), "--input", text, "--output", tagged);
        Assert.Equal((0, $"written: {tagged}\n", ""), (code, output.ReplaceLineEndings("\n"), error));
        Assert.Equal(15, File.ReadAllLines(tagged).Count(l => l.Length > 0));
    }

    [Fact]
    public void ATestFileReplacesTheHeldOutPartAndSoftmaxDecodingTrains()
    {
        using var cli = new CliRunner();
        string data = cli.Write("train.conll", ToyCorpus.Conll(120, 2));
        string test = cli.Write("test.conll", ToyCorpus.Conll(25, 3));
        string folder = cli.PathOf("out");
        var (code, output, error) = CliRunner.Run(["tag", "train", "--data", data, "--test", test, "--decoder", "softmax", "--out", folder,
            .. SmallModel[..^3], "--epochs", "3"]);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains($"{data}: 120 sentences, ", output);
        Assert.Contains($"; testing on {test}: 25 sentences, ", output);
        Assert.Contains("held-out token accuracy ", output);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal((25, 108, 12), (root.GetProperty("test_sentences").GetInt32(), root.GetProperty("training_sentences").GetInt32(),
            root.GetProperty("validation_sentences").GetInt32()));
        Assert.Equal("softmax", root.GetProperty("decoder").GetString());
        Assert.InRange(root.GetProperty("accuracy").GetDouble(), 0.5, 1.0);
    }

    [Theory]
    [InlineData("empty", "", "{0}: empty file: expected lines of a token and its tag, with a blank line between sentences")]
    [InlineData("blank", "\n  \n\t\n", "{0}: empty file: expected lines of a token and its tag, with a blank line between sentences")]
    [InlineData("no-tag", "The\tat\ndog\n\n", "{0}:2: 'dog' has no tag; each line holds a token and its tag separated by whitespace, and a blank line ends a sentence")]
    [InlineData("few", "a\tX\n\nb\tY\n\nc\tZ\n", "{0}: 3 sentence(s) are too few to hold out a test part, a validation part and train on the rest.")]
    public void BadTrainingDataGetsOneLineExitCodeTwoAndNoOutputFolder(string name, string content, string expected)
    {
        using var cli = new CliRunner();
        string path = cli.Write(name + ".conll", content);
        string folder = cli.PathOf("out");
        CliRunner.AssertBadInput(["tag", "train", "--data", path, "--out", folder, "--quiet"], string.Format(CultureInfo.InvariantCulture, expected, path), folder);
    }

    [Fact]
    public void InvalidUtf8IsReportedAtItsLineAndColumn()
    {
        using var cli = new CliRunner();
        string path = cli.PathOf("latin1.conll");
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("The\tat\ncaf"), 0xE9, .. Encoding.ASCII.GetBytes("\tnn\n")]);
        CliRunner.AssertBadInput(["tag", "train", "--data", path, "--out", cli.PathOf("out"), "--quiet"],
            $"{path}:2:4: not valid UTF-8 text (byte 0xE9 at byte offset 10); save the file as UTF-8", cli.PathOf("out"));
    }

    [Fact]
    public void BadTestFilesAndSettingsAreNamed()
    {
        using var cli = new CliRunner();
        string data = cli.Write("train.conll", ToyCorpus.Conll(40, 2));
        string test = cli.Write("test.conll", "x\ty\nz\n");
        string folder = cli.PathOf("out");
        CliRunner.AssertBadInput(["tag", "train", "--data", data, "--test", test, "--out", folder, "--quiet"],
            $"{test}:2: 'z' has no tag; each line holds a token and its tag separated by whitespace, and a blank line ends a sentence", folder);
        CliRunner.AssertBadInput(["tag", "train", "--data", cli.PathOf("missing.conll"), "--out", folder, "--quiet"], $"{cli.PathOf("missing.conll")}: file not found", folder);
        CliRunner.AssertBadInput(["tag", "train", "--data", data, "--held-out", "1.5", "--out", folder, "--quiet"],
            "the held-out and validation shares must be in (0, 1), the unknown-word replacement in [0, 1]" +
                ", and the epochs, batch size, learning rate, patience and time limit positive", folder);
    }

    [Fact]
    public void PredictNamesBadModelsAndInputs()
    {
        using var cli = new CliRunner();
        string empty = cli.Write("empty.txt", "\n\n");
        string notAModel = cli.Write("model.safetensors", "not a model");
        var (code, output, error) = CliRunner.Run("tag", "predict", "--model", notAModel, "--input", empty);
        Assert.Equal((2, ""), (code, output));
        Assert.StartsWith($"carnet tag: {notAModel}: ", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));

        string data = cli.Write("train.conll", ToyCorpus.Conll(40, 2));
        string folder = cli.PathOf("out");
        Assert.Equal(0, CliRunner.Run(["tag", "train", "--data", data, "--out", folder, .. SmallModel[..^3], "--epochs", "1"]).Code);
        (code, output, error) = CliRunner.Run("tag", "predict", "--model", Path.Combine(folder, "model.safetensors"), "--input", empty);
        Assert.Equal((2, "", $"carnet tag: {empty}: empty file: expected one sentence per line, tokens separated by spaces\n"), (code, output, error.ReplaceLineEndings("\n")));
    }
}
