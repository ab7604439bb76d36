using System.Text;
using System.Text.Json;
using Carnet.Tests.Translation;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet translate</c> train, translate, evaluate and score end to end, and every kind of bad input.</summary>
public sealed class TranslateCommandTests
{
    private static readonly string[] SmallModel =
    [
        "--embedding-size", "16", "--hidden-size", "24", "--num-layers", "1", "--decoder-hidden-size", "32", "--batch-size", "16",
        "--learning-rate", "0.01", "--epochs", "12", "--beam", "3", "--select", "loss", "--quiet",
    ];

    [Fact]
    public void TrainWritesModelMetricsPredictionsAndReportThenTheModelTranslatesAndEvaluates()
    {
        using var cli = new CliRunner();
        string data = cli.Write("toy.tsv", ToyTranslation.Tsv(ToyTranslation.Pairs(540, 1)));
        string folder = cli.PathOf("out");
        var (code, output, error) = CliRunner.Run(["translate", "train", "--data", data, "--out", folder, .. SmallModel]);
        Assert.Equal((0, "", ""), (code, output, error));
        Assert.Equal(["checkpoint.safetensors", "metrics.json", "model.safetensors", "predictions.tsv", "report.html"],
            Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json"))))
        {
            var root = metrics.RootElement;
            Assert.True(root.GetProperty("bleu").GetDouble() >= 90, root.ToString());
            Assert.True(root.GetProperty("chrf").GetDouble() >= 90, root.ToString());
            Assert.True(root.GetProperty("exact_match").GetDouble() >= 0.9, root.ToString());
            Assert.True(root.GetProperty("token_error_rate").GetDouble() <= 0.05, root.ToString());
            Assert.True(root.GetProperty("greedy").GetProperty("exact_match").GetDouble() >= 0.9, root.ToString());
            Assert.Equal(3, root.GetProperty("beam").GetInt32());
            var history = root.GetProperty("history");
            Assert.Equal(12, history.GetArrayLength());
            Assert.Equal(
                ["epoch", "loss", "held_out_loss", "bleu", "exact_match", "token_error_rate", "training_seconds", "learning_rate"],
                history[0].EnumerateObject().Select(p => p.Name));
            Assert.True(root.GetProperty("held_out_sources").GetInt32() is > 40 and <= 54, root.ToString());
        }

        var predictions = File.ReadAllLines(Path.Combine(folder, "predictions.tsv"));
        Assert.Equal("source\treference\tprediction", predictions[0]);
        Assert.Equal(55, predictions.Length);
        Assert.True(predictions.Skip(1).Count(l => l.Split('\t')[1] == l.Split('\t')[2]) >= 48);
        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("Sample translations", html);
        Assert.Equal(2 + 6, html.Split("<svg ").Length - 1); // loss and BLEU curves, six attention maps

        string model = Path.Combine(folder, "model.safetensors");
        string input = cli.Write("in.txt", "ka lo mi\nsu te\n");
        (code, output, error) = CliRunner.Run("translate", "--model", model, "--input", input);
        Assert.Equal((0, ""), (code, error));
        Assert.Equal("MI! LO! KA!\nTE! SU!\n", output.ReplaceLineEndings("\n"));

        string test = cli.Write("test.tsv", ToyTranslation.Tsv(ToyTranslation.Pairs(40, 3)));
        string evaluation = cli.PathOf("evaluation");
        (code, output, error) = CliRunner.Run("translate", "evaluate", "--model", model, "--data", test, "--out", evaluation);
        Assert.Equal((0, ""), (code, error));
        Assert.StartsWith("BLEU ", output);
        using var evaluated = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluation, "metrics.json")));
        Assert.True(evaluated.RootElement.GetProperty("sources").GetInt32() is > 30 and <= 40, evaluated.RootElement.ToString());
        Assert.True(evaluated.RootElement.GetProperty("exact_match").GetDouble() >= 0.9, evaluated.RootElement.ToString());
        Assert.Equal(41, File.ReadAllLines(Path.Combine(evaluation, "predictions.tsv")).Length);
    }

    [Fact]
    public void ScoreReproducesSacreBleusReadmeExample()
    {
        using var cli = new CliRunner();
        string hypotheses = cli.Write("sys.txt", "The dog bit the man.\nIt wasn't surprising.\nThe man had just bitten him.\n");
        string first = cli.Write("ref1.txt", "The dog bit the man.\nIt was not unexpected.\nThe man bit him first.\n");
        string second = cli.Write("ref2.txt", "The dog had bit the man.\nNo one was surprised.\nThe man had bitten the dog.\n");
        var (code, output, error) = CliRunner.Run("translate", "score", "--hypotheses", hypotheses, "--references", first, "--references", second);
        Assert.Equal((0, ""), (code, error));
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("BLEU = 48.530827 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", lines[0]);
        Assert.StartsWith("chrF2 = ", lines[1]);
        Assert.Equal(59.73, Math.Round(double.Parse(lines[1]["chrF2 = ".Length..], System.Globalization.CultureInfo.InvariantCulture), 2)); // the README prints 2 decimals
    }

    [Theory]
    [InlineData("", "{0}: empty file: expected a header row")]
    [InlineData("english\tfrench\n", "{0}:2: the file has a header but no sentence pairs; expected one pair per line after it")]
    [InlineData("english\tfrench\nGo.\tVa !\nHi.\n", "{0}:3:2: row has 1 fields, the header has 2")]
    [InlineData("english\tfrench\nGo.\t\n", "{0}:2:2: the 'french' cell is empty; expected a sentence")]
    [InlineData("english\tfrench\n\tVa !\n", "{0}:2:1: the 'english' cell is empty; expected a sentence")]
    public void BadTrainingDataIsOneLineWithExitCodeTwo(string text, string expected)
    {
        using var cli = new CliRunner();
        string data = cli.Write("pairs.tsv", text);
        string folder = cli.PathOf("out");
        CliRunner.AssertBadInput(["translate", "train", "--data", data, "--out", folder, "--quiet"], string.Format(expected, data), folder);
    }

    [Fact]
    public void UnknownColumnsInvalidUtf8AndImpossibleNetworksAreOneLineEach()
    {
        using var cli = new CliRunner();
        string data = cli.Write("pairs.tsv", "english\tfrench\nGo.\tVa !\n");
        string folder = cli.PathOf("out");
        CliRunner.AssertBadInput(["translate", "train", "--data", data, "--target", "german", "--out", folder],
            $"{data}:1: no column 'german'; the columns are english, french", folder);
        string broken = cli.PathOf("broken.tsv");
        File.WriteAllBytes(broken, [.. Encoding.UTF8.GetBytes("english\tfrench\nGo.\tVa "), 0xC3, 0x28, (byte)'\n']);
        var (code, output, error) = CliRunner.Run("translate", "train", "--data", broken, "--out", folder);
        Assert.Equal((2, ""), (code, output));
        Assert.StartsWith($"carnet translate: {broken}:2:", error);
        Assert.Contains("UTF-8", error);
        CliRunner.AssertBadInput(["translate", "train", "--data", data, "--attention", "none", "--bridge", "none", "--out", folder],
            "Without attention and without a bridge the decoder would never see the source.", folder);
        CliRunner.AssertBadInput(["translate", "train", "--data", data, "--attention", "dot", "--hidden-size", "100", "--out", folder],
            "The dot score needs the encoder's output width (200) to equal the decoder's hidden size (256).", folder);
    }

    [Fact]
    public void TranslatingASentenceLongerThanTheModelWasBuiltForNamesTheLineAndTheLimit()
    {
        using var cli = new CliRunner();
        string data = cli.Write("toy.tsv", ToyTranslation.Tsv(ToyTranslation.Pairs(60, 1)));
        string folder = cli.PathOf("out");
        string[] oneEpoch = ["--embedding-size", "8", "--hidden-size", "8", "--num-layers", "1", "--decoder-hidden-size", "8", "--epochs", "1", "--quiet"];
        Assert.Equal((0, "", ""), CliRunner.Run(["translate", "train", "--data", data, "--out", folder, .. oneEpoch]));
        string input = cli.Write("in.txt", "ka lo\n" + string.Join(' ', Enumerable.Repeat("mi", 13)) + "\n");
        var (code, output, error) = CliRunner.Run("translate", "--model", Path.Combine(folder, "model.safetensors"), "--input", input);
        Assert.Equal(2, code);
        Assert.Equal(1, output.ReplaceLineEndings("\n").Count(c => c == '\n')); // the first line was translated (maybe to nothing after one epoch)
        Assert.Equal($"carnet translate: {input}:2:1: the sentence has 13 tokens; this model was built for at most 12 (twice its longest training sentence)\n",
            error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ScoreRefusesReferenceFilesOfAnotherLength()
    {
        using var cli = new CliRunner();
        string hypotheses = cli.Write("sys.txt", "a b\nc d\n");
        string references = cli.Write("ref.txt", "a b\n");
        var (code, output, error) = CliRunner.Run("translate", "score", "--hypotheses", hypotheses, "--references", references);
        Assert.Equal((2, ""), (code, output));
        Assert.Equal($"carnet translate: {references}: 1 lines, but {hypotheses} has 2; every reference file needs one line per hypothesis\n", error.ReplaceLineEndings("\n"));
    }
}
