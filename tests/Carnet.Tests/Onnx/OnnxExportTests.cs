using Carnet.Layers;
using Carnet.Models;
using Carnet.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Carnet.Tests.Onnx;

/// <summary>
/// Every exported model runs in ONNX Runtime within 1e-5 of Carnet's own prediction: each cell, one or two directions,
/// one or two layers, with and without lengths, every pooling, with and without an embedding. The same file also runs in
/// Carnet's ONNX runtime, and imports back as the model it came from.
/// </summary>
public sealed class OnnxExportTests
{
    private const int Batch = 3, Steps = 5, InputSize = 4, Hidden = 3, Vocabulary = 9, Outputs = 2;
    private static readonly int[] UnequalLengths = [5, 2, 4];

    public static TheoryData<string, bool, int, bool, Pooling, bool> Cases()
    {
        var data = new TheoryData<string, bool, int, bool, Pooling, bool>();
        foreach (string cell in new[] { "LSTM", "GRU", "RNN", "RNN-relu", "PeepholeLSTM" })
        {
            foreach (bool bidirectional in new[] { false, true })
            {
                foreach (int layers in new[] { 1, 2 })
                {
                    foreach (var pooling in Enum.GetValues<Pooling>())
                    {
                        foreach (bool embedding in new[] { false, true })
                        {
                            data.Add(cell, bidirectional, layers, false, pooling, embedding);
                            if (pooling != Pooling.Flatten)
                            {
                                data.Add(cell, bidirectional, layers, true, pooling, embedding);
                            }
                        }
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntimeAndCarnetAgree(string cell, bool bidirectional, int layers, bool lengths, Pooling pooling, bool embedding)
    {
        var model = Model(cell, bidirectional, layers, pooling, embedding, seed: cell.Length * 7 + layers + (int)pooling);
        var batch = MakeBatch(model, lengths, new RandomSource(11));
        byte[] bytes = OnnxExport.Serialize(model, new OnnxExportOptions { VariableLengths = lengths });
        using var result = model.Forward(batch);
        float[] expected = result.Prediction.Span.ToArray();

        OnnxAssert.Close(expected, RunOnnxRuntime(bytes, batch, lengths), "ONNX Runtime");
        var feeds = new Dictionary<string, OnnxTensor> { ["input"] = GraphInput(batch) };
        if (lengths)
        {
            feeds["lengths"] = OnnxTensor.FromInt64([.. batch.Lengths!.Select(l => (long)l)], Batch);
        }

        var onnx = OnnxModel.Parse(bytes, "exported.onnx");
        OnnxAssert.Close(expected, onnx.Run(feeds)["prediction"].Floats, "Carnet's ONNX runtime");
        var imported = OnnxImport.Import(onnx);
        Assert.Equal(model.Options with { Recurrent = imported.Model.Options.Recurrent }, imported.Model.Options);
        Assert.False(imported.GraphIsTimeMajor);
    }

    [Fact]
    public void AnLstmWithAProjectionIsRefusedWithTheReason()
    {
        var model = new SequenceModel<float>(new SequenceModelOptions
        {
            Recurrent = new RecurrentOptions { InputSize = InputSize, HiddenSize = 6, ProjectionSize = 2 }, OutputSize = Outputs,
        }, new RandomSource(1));
        var error = Assert.Throws<OnnxExportException>(() => OnnxExport.Serialize(model));
        Assert.Equal("an LSTM with a projection (proj_size 2) cannot be exported: ONNX's LSTM operator has no projection, so h would be 6 wide instead of 2", error.Message);
    }

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, false)]
    [InlineData(RecurrentCellKind.Gru, true)]
    [InlineData(RecurrentCellKind.Rnn, false)]
    public void ABareStackMatchesItsLayerInOnnxRuntime(RecurrentCellKind kind, bool batchFirst)
    {
        var layer = RecurrentCells.CreateLayer<float>(kind, new RecurrentOptions
        {
            InputSize = InputSize, HiddenSize = Hidden, NumLayers = 2, Bidirectional = true, BatchFirst = batchFirst,
        }, new RandomSource(5));
        var input = Tensor<float>.Zeros(batchFirst ? [Batch, Steps, InputSize] : [Steps, Batch, InputSize]);
        new RandomSource(6).FillUniform(input.Span, -1, 1);
        using var result = layer.ForwardCore(input, null, null, null, training: false, random: null);
        using var session = new InferenceSession(OnnxExport.Serialize(layer));
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input.Span.ToArray(), [.. input.Shape]))]);
        OnnxAssert.Close(result.Output.Span.ToArray(), outputs.First().AsEnumerable<float>().ToArray(), "ONNX Runtime");
    }

    internal static SequenceModel<float> Model(string cell, bool bidirectional, int layers, Pooling pooling, bool embedding, int seed, bool bias = true)
    {
        var kind = cell.StartsWith("RNN", StringComparison.Ordinal) ? RecurrentCellKind.Rnn : RecurrentCells.Parse(cell)!.Value;
        var options = new SequenceModelOptions
        {
            Cell = kind,
            Recurrent = new RecurrentOptions
            {
                InputSize = InputSize, HiddenSize = Hidden, NumLayers = layers, Bidirectional = bidirectional, Bias = bias,
                Nonlinearity = cell == "RNN-relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
            },
            VocabularySize = embedding ? Vocabulary : 0,
            Pooling = pooling,
            Steps = pooling == Pooling.Flatten ? Steps : 0,
            OutputSize = Outputs,
        };
        var model = new SequenceModel<float>(options, new RandomSource((ulong)seed));
        foreach (var (_, module) in model.Modules)
        {
            foreach (var parameter in module.Parameters)
            {
                Carnet.Kernels.Elementwise.Scale(2f, parameter.Value.Span); // PyTorch's initial weights are small: use the gates' range
            }
        }

        return model;
    }

    internal static SequenceBatch<float> MakeBatch(SequenceModel<float> model, bool lengths, RandomSource random, int[]? validSteps = null)
    {
        int[]? valid = lengths ? validSteps ?? UnequalLengths : null;
        if (model.Options.VocabularySize > 0)
        {
            return SequenceBatch<float>.FromTokens([.. Enumerable.Range(0, Batch * Steps).Select(_ => random.NextInt(Vocabulary))], Batch, Steps, valid);
        }

        var features = Tensor<float>.Zeros(Batch, Steps, InputSize);
        random.FillUniform(features.Span, -1, 1);
        return SequenceBatch<float>.FromFeatures(features, valid);
    }

    internal static OnnxTensor GraphInput(SequenceBatch<float> batch)
        => batch.Tokens is { } tokens
            ? OnnxTensor.FromInt64([.. tokens.Select(t => (long)t)], batch.Batch, batch.Steps)
            : OnnxTensor.FromTensor(batch.Features!);

    internal static float[] RunOnnxRuntime(byte[] bytes, SequenceBatch<float> batch, bool lengths)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        var input = GraphInput(batch);
        var feeds = new List<NamedOnnxValue>
        {
            input.IsFloat
                ? NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input.Floats.ToArray(), [.. input.Shape]))
                : NamedOnnxValue.CreateFromTensor("input", new DenseTensor<long>(input.Integers.ToArray(), [.. input.Shape])),
        };
        if (lengths)
        {
            feeds.Add(NamedOnnxValue.CreateFromTensor("lengths", new DenseTensor<long>(batch.Lengths!.Select(l => (long)l).ToArray(), [batch.Batch])));
        }

        using var results = session.Run(feeds);
        return results.First().AsEnumerable<float>().ToArray();
    }
}
