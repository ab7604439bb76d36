using Carnet.IO;
using Carnet.Kernels;
using Carnet.Onnx;
using Carnet.Onnx.Protocol;

namespace Carnet.Tests.Onnx;

/// <summary>
/// Every ONNX reference case runs in Carnet's runtime within 1e-5 of its expected outputs: ONNX's own node tests
/// (inputs and outputs as TensorProto files) and models exported by PyTorch with the outputs PyTorch computed.
/// Recurrent nodes run both on Carnet's layers and on the scalar ONNX reference (<see cref="KernelMode.Reference"/>).
/// </summary>
public sealed class OnnxReferenceCaseTests
{
    public static TheoryData<string> NodeTests => OnnxCaseFiles.NodeTests();

    public static TheoryData<string> TorchModels => OnnxCaseFiles.ModelsWithTensors();

    [Theory]
    [MemberData(nameof(NodeTests))]
    public void OnnxNodeTestMatchesItsExpectedOutputs(string name)
    {
        string folder = Path.Combine(OnnxCaseFiles.Root, "node", name);
        var model = OnnxModel.Load(Path.Combine(folder, "model.onnx"));
        Assert.True(model.CanRun, string.Join("\n", model.Problems));
        var sets = Directory.GetDirectories(folder, "test_data_set_*");
        Assert.NotEmpty(sets);
        foreach (string set in sets)
        {
            var inputs = model.Inputs.Select((info, i) => (info.Name, Tensor: ReadProto(Path.Combine(set, $"input_{i}.pb")))).ToDictionary(p => p.Name, p => p.Tensor);
            var expected = model.Outputs.Select((info, i) => (info.Name, Tensor: ReadProto(Path.Combine(set, $"output_{i}.pb")))).ToList();
            foreach (var mode in Modes)
            {
                using var scope = KernelSettings.Use(mode);
                var outputs = model.Run(inputs);
                foreach (var (outputName, tensor) in expected)
                {
                    AssertClose(tensor, outputs[outputName], $"{name}/{Path.GetFileName(set)} {outputName} ({mode})");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(TorchModels))]
    public void ExportedModelMatchesItsExpectedOutputs(string path)
    {
        var model = OnnxModel.Load(path);
        Assert.True(model.CanRun, string.Join("\n", model.Problems));
        var file = SafeTensorsFile.Read(Path.ChangeExtension(path, ".io.safetensors"));
        var inputs = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        for (int i = 0; i < model.Inputs.Count; i++)
        {
            var info = model.Inputs[i];
            var tensor = file.TryGetTensor(info.Name, out var named) ? named : i == 0 ? file["x"] : throw new KeyNotFoundException($"{path}: no tensor for input '{info.Name}'");
            inputs[info.Name] = OnnxSafeTensors.ToOnnx(tensor, info.ElementType, file.Source);
        }

        int compared = 0;
        foreach (var mode in Modes)
        {
            using var scope = KernelSettings.Use(mode);
            var outputs = model.Run(inputs);
            for (int i = 0; i < model.Outputs.Count; i++)
            {
                string name = model.Outputs[i].Name;
                if (file.TryGetTensor(name, out var expected) || (i == 0 && file.TryGetTensor("y", out expected)))
                {
                    AssertClose(OnnxSafeTensors.ToOnnx(expected, null, file.Source), outputs[name], $"{Path.GetFileName(path)} {name} ({mode})");
                    compared++;
                }
            }
        }

        Assert.True(compared > 0, $"{path}: the io file holds no expected output");
    }

    private static KernelMode[] Modes => [KernelMode.Fast, KernelMode.Reference];

    private static OnnxTensor ReadProto(string path) => OnnxTensorCodec.Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)), path);

    private static void AssertClose(OnnxTensor expected, OnnxTensor actual, string what)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape {actual}, expected {expected}");
        if (!expected.IsFloat)
        {
            Assert.True(expected.Integers.SequenceEqual(actual.Integers), $"{what}: integer values differ");
            return;
        }

        OnnxAssert.Close(expected.Floats, actual.Floats, what);
    }
}
