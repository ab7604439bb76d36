using Carnet.IO;
using Carnet.Models;
using Carnet.Onnx;
using Carnet.Training;

namespace Carnet.Tests.Onnx;

/// <summary>
/// PyTorch's exported sequence models (embedding or features → recurrent stack → pooling → linear) become native Carnet
/// models that predict what PyTorch computed within 1e-5 and train further; graphs of another shape are refused with
/// one line saying why.
/// </summary>
public sealed class OnnxImportTests
{
    public static TheoryData<string> TorchModels => OnnxCaseFiles.ModelsWithTensors();

    [Theory]
    [MemberData(nameof(TorchModels))]
    public void ASequenceModelImportsAndPredictsWhatPyTorchComputed(string path)
    {
        var model = OnnxModel.Load(path);
        bool hasHead = model.OperatorCounts.ContainsKey("Gemm") || model.OperatorCounts.ContainsKey("MatMul");
        if (!hasHead || model.Inputs.Count > 2)
        {
            var error = Assert.Throws<OnnxFormatException>(() => OnnxImport.Import(model));
            Assert.StartsWith($"{path}: not importable as a Carnet sequence model: ", error.Message);
            Assert.DoesNotContain('\n', error.Message);
            return;
        }

        var imported = OnnxImport.Import(model);
        var file = SafeTensorsFile.Read(Path.ChangeExtension(path, ".io.safetensors"));
        var x = file.TryGetTensor(model.Inputs[0].Name, out var named) ? named : file["x"];
        var expected = file.TryGetTensor(model.Outputs[0].Name, out var output) ? output : file["y"];
        var batch = NativeBatch(imported, x);
        using var result = imported.Model.Forward(batch);
        Assert.Equal(expected.Shape, result.Prediction.Shape);
        OnnxAssert.Close(expected.ToSingleArray(), result.Prediction.Span, $"{Path.GetFileName(path)}: the native prediction");
    }

    [Fact]
    public void AnImportedModelTrainsFurther()
    {
        string path = OnnxCaseFiles.ModelPaths()
            .First(p => OnnxModel.Load(p).OperatorCounts.ContainsKey("Gemm") && OnnxModel.Load(p).Inputs[0].ElementType == OnnxElementType.Float);
        var imported = OnnxImport.Import(OnnxModel.Load(path));
        var native = imported.Model;
        var random = new RandomSource(4);
        int inputSize = native.Options.Recurrent.InputSize, outputs = native.Options.OutputSize;
        var features = Tensor<float>.Zeros(8, 5, inputSize);
        random.FillUniform(features.Span, -1, 1);
        var targets = Tensor<float>.Zeros(8, outputs);
        random.FillUniform(targets.Span, -1, 1);
        var batch = SequenceBatch<float>.FromFeatures(features);
        double Loss()
        {
            using var result = native.Forward(batch);
            return result.Prediction.Span.ToArray().Select((p, i) => Math.Pow(p - targets.Span[i], 2)).Average();
        }

        double before = Loss();
        var optimizer = new Adam<float>(native.Modules.Select(m => m.Module).ToList(), learningRate: 0.01);
        for (int step = 0; step < 30; step++)
        {
            native.ZeroGradients();
            using var result = native.Forward(batch, training: true);
            var gradient = Tensor<float>.Zeros(8, outputs);
            for (int i = 0; i < gradient.Length; i++)
            {
                gradient.Span[i] = 2 * (result.Prediction.Span[i] - targets.Span[i]) / gradient.Length;
            }

            native.Backward(result, gradient);
            optimizer.Step();
        }

        Assert.True(Loss() < 0.5 * before, $"the imported model did not learn: loss {before:F4} → {Loss():F4}");
    }

    private static SequenceBatch<float> NativeBatch(OnnxImportResult imported, SafeTensor x)
    {
        int[] shape = [.. x.Shape];
        if (imported.Model.Options.VocabularySize > 0)
        {
            int[] ids = x.ToInt32Array();
            int b = imported.GraphIsTimeMajor ? shape[1] : shape[0], t = imported.GraphIsTimeMajor ? shape[0] : shape[1];
            int[] rows = imported.GraphIsTimeMajor ? [.. Enumerable.Range(0, b * t).Select(i => ids[(i % t) * b + i / t])] : ids;
            return SequenceBatch<float>.FromTokens(rows, b, t);
        }

        float[] values = x.ToSingleArray();
        if (!imported.GraphIsTimeMajor)
        {
            return SequenceBatch<float>.FromFeatures(Tensor<float>.FromValues(values, shape));
        }

        var features = Tensor<float>.Zeros(shape[1], shape[0], shape[2]); // (B, T, I) from (T, B, I)
        Carnet.Kernels.Elementwise.TransposeLeadingAxes<float>(values, shape[0], shape[1], shape[2], features.Span);
        return SequenceBatch<float>.FromFeatures(features);
    }
}
