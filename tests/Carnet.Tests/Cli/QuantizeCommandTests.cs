using System.Globalization;
using System.Text;
using System.Text.Json;
using Carnet.IO;
using Carnet.Tasks.Tagging;
using Carnet.Tasks.Translation;
using Carnet.Tests.Tagging;
using Carnet.Tests.Training;
using Carnet.Tests.Translation;

namespace Carnet.Tests.Cli;

/// <summary>
/// <c>carnet quantize</c>: the int8 file of each kind of model, read by the commands that read the float one, and the
/// check that scores both on the same data (the float score equal to what training reported).
/// </summary>
public sealed class QuantizeCommandTests : IDisposable
{
    private readonly CliRunner cli = new();

    /// <summary>The float and int8 values of a metric line of the check.</summary>
    private static (double Float, double Int8) Metric(string output, string name)
    {
        string line = output.Split('\n').Single(l => l.TrimStart().StartsWith(name, StringComparison.Ordinal));
        string[] fields = line[(line.IndexOf(name, StringComparison.Ordinal) + name.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (double.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AForecasterScoresItsTestHorizonAsTrainingDidAndForecastsInInt8()
    {
        string folder = cli.PathOf("run");
        Assert.Equal(0, CliRunner.Run("forecast", "--data", SeriesDemoTests.AirPassengers, "--epochs", "3", "--hidden-size", "16", "--quiet", "--out", folder).Code);
        string model = Path.Combine(folder, "model.safetensors"), quantized = cli.PathOf("int8.safetensors");
        var (code, output, error) = CliRunner.Run("quantize", "--model", model, "--out", quantized, "--check", SeriesDemoTests.AirPassengers);
        Assert.True(code == 0, error);

        double trained = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json"))).RootElement.GetProperty("model").GetProperty("mase").GetDouble();
        var (exact, int8) = Metric(output, "MASE (last horizon)");
        Assert.Equal(Math.Round(trained, 4), exact);
        Assert.InRange(Math.Abs(int8 - exact), 0, 0.05 * exact);
        Assert.Contains("3 weight matrices to int8 (rnn.weight_ih_l0, rnn.weight_hh_l0, head.weight)", output);

        var file = SafeTensorsFile.Read(quantized);
        Assert.Equal((SafeTensorDType.I8, SafeTensorDType.F32), (file["rnn.weight_hh_l0"].DType, file["rnn.weight_hh_l0_scale"].DType));
        var (predictCode, forecast, _) = CliRunner.Run("predict", "--model", quantized, "--data", SeriesDemoTests.AirPassengers);
        Assert.Equal(0, predictCode);
        Assert.Equal(13, forecast.Trim().Split('\n').Length); // a header and one horizon of 12 months
        Assert.Contains("quantization = int8-symmetric-per-row", CliRunner.Run("inspect", quantized).Output);
    }

    [Fact]
    public void ATextModelWithAnInt8EmbeddingScoresCloseToFloatAndGenerates()
    {
        var random = new RandomSource(3);
        string[] words = ["the", "whale", "sea", "ship", "ahab", "white"];
        var text = new StringBuilder();
        while (text.Length < 5000)
        {
            text.Append(words[random.NextInt(words.Length)]).Append(random.NextInt(6) == 0 ? ".\n" : " ");
        }

        string data = cli.Write("text.txt", text.ToString()), folder = cli.PathOf("text");
        Assert.Equal(0, CliRunner.Run("text", "train", "--data", data, "--out", folder, "--epochs", "2", "--hidden-size", "32", "--quiet").Code);
        string quantized = cli.PathOf("int8.safetensors");
        var (code, output, error) = CliRunner.Run("quantize", "--model", Path.Combine(folder, "model.safetensors"), "--out", quantized, "--embedding", "--check", data);
        Assert.True(code == 0, error);
        Assert.Contains("embedding.weight", output);
        var (exact, int8) = Metric(output, "bits per character");
        Assert.InRange(exact, 0.5, 4);
        Assert.InRange(Math.Abs(int8 - exact), 0, 0.05);

        var (generateCode, generated, _) = CliRunner.Run("text", "generate", "--model", quantized, "--length", "40", "--prompt", "the ");
        Assert.Equal(0, generateCode);
        Assert.True(generated.Length >= 40, generated);
    }

    [Fact]
    public void TaggersAndTranslatorsRunFromTheirInt8Files()
    {
        string conll = cli.Write("toy.conll", ToyCorpus.Conll(60, 2));
        var tagger = Tagger.Fit(TaggedCorpus.ParseConll(ToyCorpus.Conll(120, 1), "toy.conll"), null, new TaggerOptions
        {
            WordEmbeddingSize = 8, CharacterEmbeddingSize = 6, CharacterHiddenSize = 6, HiddenSize = 12, Epochs = 3, BatchSize = 8, LearningRate = 0.02,
        }).Model;
        string taggerPath = cli.PathOf("tagger.safetensors"), taggerInt8 = cli.PathOf("tagger-int8.safetensors");
        tagger.Save(taggerPath);
        var (code, output, error) = CliRunner.Run("quantize", "--model", taggerPath, "--out", taggerInt8, "--check", conll);
        Assert.True(code == 0, error);
        var (exact, int8) = Metric(output, "token accuracy");
        Assert.InRange(Math.Abs(int8 - exact), 0, 0.02);
        string sentences = cli.Write("raw.txt", string.Join('\n', TaggedCorpus.ParseConll(ToyCorpus.Conll(5, 3), "x").Sentences.Select(s => string.Join(' ', s.Tokens))));
        var (tagCode, tagged, _) = CliRunner.Run("tag", "predict", "--model", taggerInt8, "--input", sentences);
        Assert.Equal(0, tagCode);
        Assert.Equal(5, tagged.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Length);

        var pairs = ToyTranslation.Pairs(120, 4);
        var translator = TranslationTrainer.Fit(pairs, ToyTranslation.Pairs(20, 5), ToyTranslation.Options(2)).Translator;
        string translatorPath = cli.PathOf("fra.safetensors"), translatorInt8 = cli.PathOf("fra-int8.safetensors");
        translator.Save(translatorPath);
        (code, output, error) = CliRunner.Run("quantize", "--model", translatorPath, "--out", translatorInt8, "--check", cli.Write("pairs.tsv", ToyTranslation.Tsv(pairs[..20])));
        Assert.True(code == 0, error);
        Assert.Contains("decoder", output);
        Assert.Equal("int8-symmetric-per-row", Quantization(translatorInt8));
        var (translateCode, translated, _) = CliRunner.Run("translate", "--model", translatorInt8, "--input", cli.Write("in.txt", "ka lo mi\nsu te\n"));
        Assert.Equal(0, translateCode);
        Assert.Equal(2, translated.Trim().Split('\n').Length);
    }

    private static string Quantization(string path) => SafeTensorsFile.Read(path).Metadata["quantization"];

    [Fact]
    public void AModelAlreadyInt8OrAFileThatIsNoModelIsRefusedInOneLine()
    {
        string folder = cli.PathOf("run");
        Assert.Equal(0, CliRunner.Run("forecast", "--data", SeriesDemoTests.AirPassengers, "--epochs", "1", "--hidden-size", "4", "--quiet", "--out", folder).Code);
        string model = Path.Combine(folder, "model.safetensors"), quantized = cli.PathOf("int8.safetensors"), again = cli.PathOf("again.safetensors");
        Assert.Equal(0, CliRunner.Run("quantize", "--model", model, "--out", quantized).Code);
        CliRunner.AssertBadInput(["quantize", "--model", quantized, "--out", again],
            $"{quantized}: is already quantised (int8-symmetric-per-row); quantise the float model", cli.PathOf("none"));
        Assert.False(File.Exists(again));

        string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
        CliRunner.AssertBadInput(["quantize", "--model", checkpoint, "--out", again],
            $"{checkpoint}: is a 'carnet-checkpoint' file; carnet quantize reads model files (carnet-sequence-model, carnet-tagger, carnet-translation)",
            cli.PathOf("none"));
        Assert.False(File.Exists(again));
    }

    public void Dispose() => cli.Dispose();
}
