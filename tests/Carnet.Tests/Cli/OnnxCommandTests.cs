using Carnet.IO;
using Carnet.Models;
using Carnet.Tests.Onnx;

namespace Carnet.Tests.Cli;

/// <summary>
/// <c>carnet inspect</c>, <c>carnet run</c> and <c>carnet import</c> on ONNX files exported by PyTorch: the same input
/// file drives the ONNX graph and the native model imported from it, and both give what PyTorch computed.
/// </summary>
public sealed class OnnxCommandTests : IDisposable
{
    private readonly CliRunner runner = new();

    [Fact]
    public void InspectRunAndImportAgreeWithPyTorch()
    {
        string onnx = SequenceCase();
        var (code, output, error) = CliRunner.Run("inspect", onnx);
        Assert.True(code == 0, error);
        Assert.Contains("opset ", output);
        Assert.Contains("import: yes, as a native ", output);
        Assert.EndsWith("ok: Carnet runs this graph (carnet run --model " + Path.GetFileName(onnx) + " …)\n", output.ReplaceLineEndings("\n"));

        // carnet run on the graph: the io file holds the input under the graph's name, and the expected output
        string io = Path.ChangeExtension(onnx, ".io.safetensors");
        var ioFile = SafeTensorsFile.Read(io);
        string graphOutput = runner.PathOf("graph.safetensors");
        (code, _, error) = CliRunner.Run("run", "--model", onnx, "--input", io, "--output", graphOutput);
        Assert.True(code == 0, error);
        var expected = ioFile["y"].ToSingleArray();
        OnnxAssert.Close(expected, SafeTensorsFile.Read(graphOutput)["y"].ToSingleArray(), "carnet run on the graph");

        // carnet import, then carnet run on the native model with the same input named 'input'
        string native = runner.PathOf("model.safetensors");
        (code, output, error) = CliRunner.Run("import", "--onnx", onnx, "--out", native);
        Assert.True(code == 0, error);
        Assert.Contains("matches the graph within", output);
        Assert.Equal(Pooling.Last, ModelFile.Load<float>(native).Model.Pooling);
        string nativeInput = runner.PathOf("input.safetensors");
        var x = ioFile["x"];
        SafeTensorsWriter.Write(nativeInput, [new SafeTensor("input", x.DType, [.. x.Shape], x.Data.ToArray())]);
        string nativeOutput = runner.PathOf("native.safetensors");
        (code, _, error) = CliRunner.Run("run", "--model", native, "--input", nativeInput, "--output", nativeOutput);
        Assert.True(code == 0, error);
        OnnxAssert.Close(expected, SafeTensorsFile.Read(nativeOutput)["prediction"].ToSingleArray(), "carnet run on the imported model");
    }

    [Fact]
    public void AFileThatIsNotOnnxGetsOneLine()
    {
        string path = runner.Write("broken.onnx", "this is not protobuf at all, not even close");
        var (code, output, error) = CliRunner.Run("inspect", path);
        Assert.Equal(2, code);
        Assert.StartsWith($"carnet inspect: {path}: not an ONNX model (", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Equal("", output);
    }

    [Fact]
    public void RunNamesTheMissingGraphInput()
    {
        string onnx = SequenceCase();
        string input = runner.PathOf("other.safetensors");
        SafeTensorsWriter.Write(input, [SafeTensor.FromSingle("something_else", [1f, 2f], 2)]);
        CliRunner.AssertBadInput(["run", "--model", onnx, "--input", input, "--output", runner.PathOf("y.safetensors")],
            $"{input}: tensor 'x': missing; the ONNX graph needs input {Carnet.Onnx.OnnxModel.Load(onnx).Inputs[0]}", runner.PathOf("none"));
        Assert.False(File.Exists(runner.PathOf("y.safetensors")));
    }

    [Fact]
    public void ImportRefusesAGraphWithoutAHead()
    {
        string onnx = OnnxCaseFiles.ModelPaths()
            .First(p => !Carnet.Onnx.OnnxModel.Load(p).OperatorCounts.ContainsKey("Gemm") && !Carnet.Onnx.OnnxModel.Load(p).OperatorCounts.ContainsKey("MatMul"));
        string output = runner.PathOf("model.safetensors");
        var (code, text, error) = CliRunner.Run("import", "--onnx", onnx, "--out", output);
        Assert.Equal(2, code);
        Assert.Equal("", text);
        Assert.StartsWith($"carnet import: {onnx}: not importable as a Carnet sequence model: ", error);
        Assert.False(File.Exists(output));
    }

    public void Dispose() => runner.Dispose();

    // A PyTorch sequence model with numeric input, last-step pooling and a linear head.
    private static string SequenceCase()
        => OnnxCaseFiles.ModelPaths().First(p => Path.GetFileName(p).StartsWith("seq_lstm_last", StringComparison.Ordinal));
}
