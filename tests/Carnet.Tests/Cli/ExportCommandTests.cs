using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Tagging;
using Carnet.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Carnet.Tests.Cli;

/// <summary><c>carnet export</c>: the ONNX file of a model file runs in ONNX Runtime and gives <c>carnet run</c>'s prediction from the same input file.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly CliRunner runner = new();

    [Theory]
    [InlineData("auto", false)]
    [InlineData("yes", true)]
    public void TheExportedGraphPredictsWhatCarnetRunPredicts(string lengthsOption, bool takesLengths)
    {
        var model = OnnxExportTests.Model("GRU", bidirectional: true, layers: 2, Pooling.Mean, embedding: false, seed: 8);
        string modelPath = runner.PathOf("model.safetensors");
        ModelFile.Save(modelPath, model);
        string onnx = runner.PathOf("model.onnx");
        var (code, output, error) = CliRunner.Run("export", "--model", modelPath, "--format", "onnx", "--out", onnx, "--lengths", lengthsOption);
        Assert.True(code == 0, error);
        Assert.StartsWith($"{onnx}: opset 14; inputs input: FLOAT [batch, steps, 4]{(takesLengths ? ", lengths: INT64 [batch]" : "")}; outputs prediction", output);

        var batch = OnnxExportTests.MakeBatch(model, takesLengths, new RandomSource(2));
        string input = runner.PathOf("input.safetensors");
        var tensors = new List<SafeTensor> { SafeTensor.FromSingle("input", batch.Features!.Span, [.. batch.Features.Shape]) };
        if (takesLengths)
        {
            tensors.Add(SafeTensor.FromInt64("lengths", [.. batch.Lengths!.Select(l => (long)l)], batch.Batch));
        }

        SafeTensorsWriter.Write(input, tensors);
        string native = runner.PathOf("native.safetensors");
        Assert.Equal(0, CliRunner.Run("run", "--model", modelPath, "--input", input, "--output", native).Code);
        float[] expected = SafeTensorsFile.Read(native)["prediction"].ToSingleArray();
        float[] runtime = OnnxExportTests.RunOnnxRuntime(File.ReadAllBytes(onnx), batch, takesLengths);
        OnnxAssert.Close(expected, runtime, "ONNX Runtime against carnet run");
        string viaOnnx = runner.PathOf("onnx.safetensors");
        Assert.Equal(0, CliRunner.Run("run", "--model", onnx, "--input", input, "--output", viaOnnx).Code);
        OnnxAssert.Close(expected, SafeTensorsFile.Read(viaOnnx)["prediction"].ToSingleArray(), "carnet run on the ONNX file against the native model");
    }

    [Fact]
    public void AProjectedLstmIsRefusedInOneLine()
    {
        var model = new SequenceModel<float>(new SequenceModelOptions
        {
            Recurrent = new RecurrentOptions { InputSize = 2, HiddenSize = 5, ProjectionSize = 3 }, OutputSize = 1,
        }, new RandomSource(1));
        string modelPath = runner.PathOf("model.safetensors");
        ModelFile.Save(modelPath, model);
        CliRunner.AssertBadInput(["export", "--model", modelPath, "--out", runner.PathOf("model.onnx")],
            "an LSTM with a projection (proj_size 3) cannot be exported: ONNX's LSTM operator has no projection, so h would be 5 wide instead of 3",
            runner.PathOf("none"));
        Assert.False(File.Exists(runner.PathOf("model.onnx")));
    }

    [Fact]
    public void AFileOfAnotherKindIsRefusedInOneLine()
    {
        string path = runner.PathOf("other.safetensors");
        SafeTensorsWriter.Write(path, [SafeTensor.FromSingle("x", [1f], 1)], new Dictionary<string, string> { ["format"] = "carnet-translation" });
        CliRunner.AssertBadInput(["export", "--model", path, "--out", runner.PathOf("model.onnx")],
            $"{path}: is a 'carnet-translation' file; carnet export writes sequence models (carnet-sequence-model) and taggers (carnet-tagger)", runner.PathOf("none"));
    }

    [Fact]
    public void ATaggerFileExportsItsEmissionNetworkWithTheCrfAsOutputs()
    {
        var sentences = Tagging.TaggerNetworkTests.Tiny;
        var vocabulary = TaggerVocabulary.Build(sentences[..2], sentences, lowercase: true);
        var network = new TaggerNetwork<float>(new TaggerNetworkOptions
        {
            WordVocabularySize = vocabulary.Words.Count, WordEmbeddingSize = 3, CharacterVocabularySize = vocabulary.Characters.Count,
            CharacterEmbeddingSize = 2, CharacterHiddenSize = 2, HiddenSize = 3, TagCount = vocabulary.Tags.Count,
        }, new RandomSource(6));
        string modelPath = runner.PathOf("tagger.safetensors"), onnx = runner.PathOf("tagger.onnx");
        new SequenceTagger(network, vocabulary).Save(modelPath);
        var (code, output, error) = CliRunner.Run("export", "--model", modelPath, "--out", onnx);
        Assert.True(code == 0, error);
        int tags = vocabulary.Tags.Count;
        Assert.Equal(
            $"{onnx}: opset 14; inputs input: INT64 [batch, steps], lengths: INT64 [batch], characters: INT64 [batch, steps, characters], " +
                $"character_lengths: INT64 [batch, steps]; outputs prediction: FLOAT [batch, steps, {tags}], crf.start_transitions: FLOAT [{tags}], " +
                $"crf.end_transitions: FLOAT [{tags}], crf.transitions: FLOAT [{tags}, {tags}]\n",
            output.ReplaceLineEndings("\n"));

        var batch = vocabulary.Encode(sentences, withTags: false);
        float[] emissions = network.Forward(batch).Emissions.Span.ToArray(); // (T, B, K)
        var expected = new float[emissions.Length]; // (B, T, K)
        Carnet.Kernels.Elementwise.TransposeLeadingAxes<float>(emissions, batch.Steps, batch.Batch, tags, expected);
        var feeds = TaggerOnnxTests.Feeds(batch, characters: true);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        using var results = session.Run([.. feeds.Select(f => NamedOnnxValue.CreateFromTensor(f.Key, new DenseTensor<long>(f.Value.Integers.ToArray(), [.. f.Value.Shape])))]);
        OnnxAssert.Close(expected, results.Single(r => r.Name == "prediction").AsEnumerable<float>().ToArray(), "ONNX Runtime against the tagger's emissions");
        Assert.Equal(network.Crf!.Transitions.Value.Span.ToArray(), results.Single(r => r.Name == "crf.transitions").AsEnumerable<float>().ToArray());
    }

    [Fact]
    public void AFileThatIsNotSafetensorsIsRefusedInOneLine()
    {
        string path = runner.Write("broken.safetensors", "not a model");
        var (code, output, error) = CliRunner.Run("export", "--model", path, "--out", runner.PathOf("model.onnx"));
        Assert.Equal(2, code);
        Assert.Equal("", output);
        string line = Assert.Single(error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"carnet export: {path}: ", line);
        Assert.False(File.Exists(runner.PathOf("model.onnx")));
    }

    [Fact]
    public void LengthsForAFlattenedModelAreRefusedInOneLine()
    {
        var model = OnnxExportTests.Model("RNN", bidirectional: false, layers: 1, Pooling.Flatten, embedding: true, seed: 2);
        string modelPath = runner.PathOf("model.safetensors");
        ModelFile.Save(modelPath, model);
        CliRunner.AssertBadInput(["export", "--model", modelPath, "--out", runner.PathOf("model.onnx"), "--lengths", "yes"],
            "a flatten-pooled model reads exactly 5 steps; it takes no lengths", runner.PathOf("none"));
        Assert.False(File.Exists(runner.PathOf("model.onnx")));
    }

    public void Dispose() => runner.Dispose();
}
