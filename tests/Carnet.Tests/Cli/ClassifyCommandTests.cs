using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet classify</c> and <c>carnet predict</c> end to end on small generated data, and every kind of bad input.</summary>
public sealed class ClassifyCommandTests
{
    /// <summary>Wide format, 2 features per step, 3 steps: class "up" rises, "down" falls, "flat" stays (with seeded noise).</summary>
    internal static string WideCsv(int count, bool withLabel = true)
    {
        var random = new RandomSource(7);
        var text = new StringBuilder("a0,b0,a1,b1,a2,b2" + (withLabel ? ",shape" : "") + "\n");
        string[] names = ["up", "down", "flat"];
        for (int n = 0; n < count; n++)
        {
            int c = n % 3;
            var cells = new List<string>();
            for (int t = 0; t < 3; t++)
            {
                double level = c == 0 ? t : c == 1 ? -t : 0;
                cells.Add((level + 0.2 * random.NextGaussian()).ToString("F3", CultureInfo.InvariantCulture));
                cells.Add((0.2 * random.NextGaussian()).ToString("F3", CultureInfo.InvariantCulture));
            }

            text.AppendLine(string.Join(',', cells) + (withLabel ? "," + names[c] : ""));
        }

        return text.ToString();
    }

    [Fact]
    public void ClassifyWritesModelMetricsAndReport()
    {
        using var cli = new CliRunner();
        string data = cli.Write("shapes.csv", WideCsv(150));
        string folder = cli.PathOf("out");
        var (code, output, error) = CliRunner.Run("classify", "--data", data, "--label", "shape", "--features-per-step", "2", "--hidden-size", "8",
            "--epochs", "40", "--learning-rate", "0.02", "--out", folder, "--quiet");
        Assert.Equal((0, "", ""), (code, output, error));
        Assert.Equal(["checkpoint.safetensors", "metrics.json", "model.safetensors", "report.html"],
            Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        var root = metrics.RootElement;
        Assert.True(root.GetProperty("accuracy").GetDouble() >= 0.9, root.GetProperty("accuracy").ToString());
        Assert.Equal(["down", "flat", "up"], root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        int testSize = root.GetProperty("test_size").GetInt32();
        Assert.Equal(24, testSize); // 15 % of each class of 50, rounded: 8 × 3
        var matrix = root.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        Assert.Equal(testSize, matrix.Sum(r => r.Sum()));
        Assert.All(matrix, row => Assert.Equal(8, row.Sum()));
        double diagonal = Enumerable.Range(0, 3).Sum(i => matrix[i][i]);
        Assert.Equal(diagonal / testSize, root.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(8, root.GetProperty("per_class").GetProperty("up").GetProperty("support").GetInt32());

        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("Confusion matrix (test)", html);
        Assert.Equal(3, html.Split("<svg ").Length - 1); // confusion matrix, F1 per class, losses
    }

    [Fact]
    public void PredictLabelsNewSequencesWithProbabilities()
    {
        using var cli = new CliRunner();
        string data = cli.Write("shapes.csv", WideCsv(90));
        string folder = cli.PathOf("out");
        Assert.Equal(0, CliRunner.Run("classify", "--data", data, "--label", "shape", "--features-per-step", "2", "--hidden-size", "6", "--epochs", "3",
            "--out", folder, "--quiet").Code);
        string unlabelled = cli.Write("new.csv", WideCsv(5, withLabel: false));
        var (code, output, error) = CliRunner.Run("predict", "--model", Path.Combine(folder, "model.safetensors"), "--data", unlabelled);
        Assert.Equal((0, ""), (code, error));
        string[] rows = output.TrimEnd('\n').Split('\n');
        Assert.Equal("id,predicted,p_down,p_flat,p_up", rows[0]);
        Assert.Equal(6, rows.Length);
        Assert.Equal(["2", "3", "4", "5", "6"], rows.Skip(1).Select(r => r.Split(',')[0])); // wide format: the file line is the id
        foreach (string row in rows.Skip(1))
        {
            string[] cells = row.Split(',');
            double[] p = cells[2..].Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1.0, p.Sum(), 5);
            Assert.Equal(cells[1], new[] { "down", "flat", "up" }[Array.IndexOf(p, p.Max())]);
        }
    }

    [Fact]
    public void LongFormatTokensAndAttentionPoolingTrain()
    {
        using var cli = new CliRunner();
        var text = new StringBuilder("seq,step,base,kind\n");
        var random = new RandomSource(3);
        for (int n = 0; n < 60; n++)
        {
            int length = 4 + random.NextInt(4);
            for (int t = length - 1; t >= 0; t--) // steps written backwards: --time must order them
            {
                string token = t == 1 ? (n % 2 == 0 ? "G" : "T") : "ACGT"[random.NextInt(4)].ToString();
                text.Append(CultureInfo.InvariantCulture, $"s{n},{t},{token},{(n % 2 == 0 ? "donor" : "other")}\n");
            }
        }

        string data = cli.Write("long.csv", text.ToString());
        var (code, output, error) = CliRunner.Run("classify", "--data", data, "--id", "seq", "--time", "step", "--label", "kind", "--pooling", "attention",
            "--bidirectional", "--hidden-size", "6", "--epochs", "2", "--out", cli.PathOf("out"));
        Assert.Equal((0, ""), (code, error));
        Assert.Contains("60 sequences of up to 7 steps (tokens), label 'kind'.", output);
        Assert.Contains("test accuracy", output);
    }

    [Theory]
    [InlineData("one-class", "x0,x1,y\n1,2,a\n3,4,a\n5,6,a\n", "--label,y", "{0}: the label column 'y' has one class ('a'); a classifier needs at least two.")]
    [InlineData("no-label", "x0,x1,y\n1,2,a\n3,4,b\n", "--label,kind", "{0}:1: no column 'kind'; the columns are x0, x1, y")]
    [InlineData("non-numeric", "x0,x1,y\n1,2,a\n3,four,b\n", "--label,y", "{0}:3:2: 'four' in column 'x1' is not a finite number")]
    [InlineData("empty", "", "--label,y", "{0}: empty file: expected a header row")]
    [InlineData("header-only", "x0,x1,y\n", "--label,y", "{0}:1: the file has a header but no data rows")]
    [InlineData("label-changes", "id,x,y\n1,0.5,a\n1,0.7,b\n2,0.1,b\n", "--label,y,--id,id", "{0}:3:3: label 'b' differs from 'a' earlier in the same sequence")]
    [InlineData("ragged", "x0,x1,y\n1,2,a\n3,4\n", "--label,y", "{0}:3:3: row has 2 fields, the header has 3")]
    [InlineData("semicolons", "x0;x1;y\n1;2;a\n3;4;b\n", "--label,y",
        "{0}:1: no column 'y'; the columns are x0;x1;y (one column: is the separator ';'? Carnet reads comma-separated files)")]
    [InlineData("rare-class", "x0,x1,y\n1,2,a\n3,4,a\n5,6,a\n7,8,b\n9,1,b\n2,3,b\n4,5,c\n", "--label,y",
        "{0}:8: class 'c' has 1 sequence(s); each class needs at least 3 so that the training, validation and test parts all have one")]
    [InlineData("open-quote", "x0,x1,y\n\"1,2,a\n", "--label,y", "{0}:2:1: a quoted field is not closed")]
    [InlineData("step-split", "x0,x1,x2,y\n1,2,3,a\n", "--label,y,--features-per-step,2",
        "{0}:1: 3 feature columns cannot be read 2 per step; --features-per-step must divide the number of feature columns")]
    public void BadInputGetsOneLineExitCodeTwoAndNoOutputFolder(string name, string content, string arguments, string expected)
    {
        using var cli = new CliRunner();
        string path = cli.Write(name + ".csv", content);
        string folder = cli.PathOf("out");
        CliRunner.AssertBadInput(["classify", "--data", path, "--out", folder, "--quiet", .. arguments.Split(',')],
            string.Format(CultureInfo.InvariantCulture, expected, path), folder);
    }

    [Fact]
    public void InvalidUtf8IsReportedAtItsLineAndColumn()
    {
        using var cli = new CliRunner();
        string path = cli.PathOf("latin1.csv");
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("x0,x1,y\n1,2,a\n3,"), 0xFF, .. Encoding.ASCII.GetBytes(",b\n")]);
        CliRunner.AssertBadInput(["classify", "--data", path, "--label", "y", "--out", cli.PathOf("out"), "--quiet"],
            $"{path}:3:3: not valid UTF-8 text (byte 0xFF at byte offset 16); save the file as UTF-8", cli.PathOf("out"));
    }

    [Fact]
    public void AByteOrderMarkIsAccepted()
    {
        using var cli = new CliRunner();
        string path = cli.PathOf("bom.csv");
        File.WriteAllText(path, WideCsv(60), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(0xEF, File.ReadAllBytes(path)[0]);
        var (code, _, error) = CliRunner.Run("classify", "--data", path, "--label", "shape", "--features-per-step", "2", "--hidden-size", "4", "--epochs", "1",
            "--out", cli.PathOf("out"), "--quiet");
        Assert.Equal((0, ""), (code, error));
    }

    [Fact]
    public void HugeLinesGetOneShortLine()
    {
        using var cli = new CliRunner();
        string wide = cli.Write("wide.csv", "x0,x1,y\n1,2,a\n" + string.Join(',', Enumerable.Repeat("7", 300_000)) + "\n");
        var (code, _, error) = CliRunner.Run("classify", "--data", wide, "--label", "y", "--out", cli.PathOf("out"), "--quiet");
        Assert.Equal(2, code);
        Assert.Equal($"carnet classify: {wide}:3:4: row has 300000 fields, the header has 3\n", error.ReplaceLineEndings("\n"));

        string cell = new string('9', 2_000_000);
        string huge = cli.Write("huge.csv", $"x0,x1,y\n1,2,a\n3,{cell},b\n");
        (code, _, error) = CliRunner.Run("classify", "--data", huge, "--label", "y", "--out", cli.PathOf("out"), "--quiet");
        Assert.Equal(2, code);
        Assert.Equal($"carnet classify: {huge}:3:2: '{new string('9', 40)}… (2000000 characters)' in column 'x1' is not a finite number\n", error.ReplaceLineEndings("\n"));
        Assert.False(Directory.Exists(cli.PathOf("out")));
    }
}
