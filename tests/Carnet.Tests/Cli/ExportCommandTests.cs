using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tests.Onnx;

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

    public void Dispose() => runner.Dispose();
}
