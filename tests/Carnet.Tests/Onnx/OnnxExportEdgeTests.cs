using Carnet.Layers;
using Carnet.Models;
using Carnet.Onnx;
using Carnet.Tasks.Tagging;
using Carnet.Tests.Architecture;
using Carnet.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Carnet.Tests.Onnx;

/// <summary>
/// The corners of the export beside the main matrix: bias-free stacks with every sequence shorter than the batch, bare stacks
/// of every cell in both layouts written through <see cref="OnnxExport.Save(string, RecurrentLayer{float})"/>, the lengths
/// rule, the tagger's padded positions and CRF outputs, and the operators the graphs use against docs/INTEROP.md and the
/// issue's list. Every number is compared with ONNX Runtime on one thread within 1e-5.
/// </summary>
public sealed class OnnxExportEdgeTests
{
    private const int Batch = 3, Steps = 5, InputSize = 4, Hidden = 3;
    private static readonly int[] ShortLengths = [3, 1, 2]; // every sequence ends before the batch's 5 steps
    private static readonly string[] Cells = ["LSTM", "GRU", "RNN", "RNN-relu", "PeepholeLSTM"];

    // The operators issue 17 lists for import (the lead's runtime runs them), and the extras the export may use.
    private static readonly string[] ImportOperators =
    [
        "LSTM", "GRU", "RNN", "Add", "Sub", "Mul", "Div", "MatMul", "Gemm", "Gather", "Concat", "Slice", "Split", "Squeeze", "Unsqueeze", "Reshape", "Flatten",
        "Transpose", "Shape", "Expand", "Constant", "ConstantOfShape", "Identity", "Cast", "Where", "Sigmoid", "Tanh", "Relu", "Softmax", "LogSoftmax",
        "ReduceMean", "ReduceMax", "Dropout",
    ];

    private static readonly string[] ExtraOperators = ["Range", "Less", "Greater", "Equal", "Not", "ReduceSum", "GatherElements", "Max", "Min", "Neg", "Exp"];

    public static TheoryData<string, bool, Pooling> BiasFreeCases()
    {
        var data = new TheoryData<string, bool, Pooling>();
        foreach (string cell in Cells)
        {
            foreach (bool bidirectional in new[] { false, true })
            {
                foreach (var pooling in Enum.GetValues<Pooling>().Where(p => p != Pooling.Flatten))
                {
                    data.Add(cell, bidirectional, pooling);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BiasFreeCases))]
    public void ABiasFreeStackHasNoBAndMatchesOnnxRuntimeWhenEverySequenceIsShort(string cell, bool bidirectional, Pooling pooling)
    {
        var model = OnnxExportTests.Model(cell, bidirectional, layers: 2, pooling, embedding: bidirectional, seed: 40 + (int)pooling, bias: false);
        var batch = OnnxExportTests.MakeBatch(model, lengths: true, new RandomSource(12), ShortLengths);
        byte[] bytes = OnnxExport.Serialize(model, new OnnxExportOptions { VariableLengths = true });
        using var result = model.Forward(batch);

        OnnxAssert.Close(result.Prediction.Span, OnnxExportTests.RunOnnxRuntime(bytes, batch, lengths: true), "ONNX Runtime");
        var recurrentNodes = Carnet.Onnx.Protocol.ModelProto.Parser.ParseFrom(bytes).Graph.Node.Where(n => n.OpType is "LSTM" or "GRU" or "RNN").ToList();
        Assert.Equal(2, recurrentNodes.Count);
        Assert.All(recurrentNodes, node => Assert.Equal("", node.Input[3])); // no B
        Assert.All(recurrentNodes, node => Assert.False(node.Input[1].Length == 0 || node.Input[4].Length == 0)); // W and sequence_lens
    }

    public static TheoryData<string, bool, bool> BareCases()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (string cell in Cells)
        {
            foreach (bool batchFirst in new[] { false, true })
            {
                data.Add(cell, batchFirst, false);
                data.Add(cell, batchFirst, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BareCases))]
    public void ABareStackSavedToAFileGivesTheLayersOutputSequenceInOnnxRuntime(string cell, bool batchFirst, bool deep)
    {
        var kind = cell.StartsWith("RNN", StringComparison.Ordinal) ? RecurrentCellKind.Rnn : RecurrentCells.Parse(cell)!.Value;
        var layer = RecurrentCells.CreateLayer<float>(kind, new RecurrentOptions
        {
            InputSize = InputSize, HiddenSize = Hidden, NumLayers = deep ? 2 : 1, Bidirectional = deep, BatchFirst = batchFirst,
            Nonlinearity = cell == "RNN-relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
        }, new RandomSource(21));
        Carnet.Kernels.Elementwise.Scale(2f, layer.ParameterValues.Span); // PyTorch's initial weights are small: use the gates' range
        var input = Tensor<float>.Zeros(batchFirst ? [Batch, Steps, InputSize] : [Steps, Batch, InputSize]);
        new RandomSource(22).FillUniform(input.Span, -1, 1);
        using var expected = layer.ForwardCore(input, null, null, null, training: false, random: null);
        using var folder = new TemporaryFolder();
        string path = folder.PathOf("stack.onnx");

        OnnxExport.Save(path, layer);
        Assert.Equal([path], Directory.GetFiles(folder.Path)); // written through a temporary file, nothing else left
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(OnnxExport.Serialize(layer), bytes);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input.Span.ToArray(), [.. input.Shape]))]);
        var prediction = outputs.Single(o => o.Name == "prediction").AsTensor<float>();
        Assert.Equal(expected.Output.Shape.ToArray(), prediction.Dimensions.ToArray());
        OnnxAssert.Close(expected.Output.Span, prediction.ToArray(), "ONNX Runtime");
    }

    [Fact]
    public void AProjectedBareStackIsRefusedBeforeAnyFileIsWritten()
    {
        var layer = new Lstm<float>(new RecurrentOptions { InputSize = InputSize, HiddenSize = 5, ProjectionSize = 2 });
        using var folder = new TemporaryFolder();
        var error = Assert.Throws<OnnxExportException>(() => OnnxExport.Save(folder.PathOf("stack.onnx"), layer));
        Assert.Equal("an LSTM with a projection (proj_size 2) cannot be exported: ONNX's LSTM operator has no projection, so h would be 5 wide instead of 2", error.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Theory]
    [InlineData(Pooling.Last, false, null, false)]
    [InlineData(Pooling.Last, true, null, true)]
    [InlineData(Pooling.Flatten, true, null, false)]
    [InlineData(Pooling.Mean, false, true, true)]
    [InlineData(Pooling.Attention, true, false, false)]
    public void TheGraphTakesLengthsForTokenModelsThatAreNotFlattenedUnlessTold(Pooling pooling, bool embedding, bool? asked, bool takesLengths)
    {
        var model = OnnxExportTests.Model("GRU", bidirectional: false, layers: 1, pooling, embedding, seed: 3);
        var graph = OnnxModel.Parse(OnnxExport.Serialize(model, new OnnxExportOptions { VariableLengths = asked }), "model.onnx");
        Assert.Equal(takesLengths ? ["input", "lengths"] : ["input"], graph.Inputs.Select(i => i.Name).ToArray());
        Assert.Equal(embedding ? OnnxElementType.Int64 : OnnxElementType.Float, graph.Inputs[0].ElementType);
    }

    [Fact]
    public void LengthsForAFlattenedModelAreRefusedWithTheReason()
    {
        var model = OnnxExportTests.Model("LSTM", bidirectional: false, layers: 1, Pooling.Flatten, embedding: false, seed: 4);
        var error = Assert.Throws<OnnxExportException>(() => OnnxExport.Serialize(model, new OnnxExportOptions { VariableLengths = true }));
        Assert.Equal($"a flatten-pooled model reads exactly {Steps} steps; it takes no lengths", error.Message);
    }

    [Theory]
    [InlineData(2, TagDecoder.Crf)]
    [InlineData(0, TagDecoder.Crf)]
    [InlineData(2, TagDecoder.Softmax)]
    public void TheTaggersPaddedPositionsHoldTheHeadsBiasAsCarnetsDoAndEveryCrfTensorIsAnOutput(int characterHidden, TagDecoder decoder)
    {
        var (network, batch) = TaggerOnnxTests.TinyTagger(characterHidden, decoder, layers: 1, seed: 17);
        float[] emissions = network.Forward(batch).Emissions.Span.ToArray(); // (T, B, K)
        var feeds = TaggerOnnxTests.Feeds(batch, characterHidden > 0);
        Assert.Contains(batch.Lengths, l => l < batch.Steps);

        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(TaggerOnnx.Serialize(network), options);
        using var results = session.Run([.. feeds.Select(f => NamedOnnxValue.CreateFromTensor(f.Key, new DenseTensor<long>(f.Value.Integers.ToArray(), [.. f.Value.Shape])))]);
        float[] prediction = results.Single(r => r.Name == "prediction").AsEnumerable<float>().ToArray(); // (B, T, K)
        int b = batch.Batch, t = batch.Steps, k = network.Options.TagCount;
        var batchFirst = new float[emissions.Length]; // (B, T, K)
        Carnet.Kernels.Elementwise.TransposeLeadingAxes<float>(emissions, t, b, k, batchFirst);
        OnnxAssert.Close(batchFirst, prediction, "ONNX Runtime at every position, padded ones included");
        float[] bias = network.Head.GetParameter("bias").Value.Span.ToArray();
        for (int row = 0; row < b; row++)
        {
            for (int step = batch.Lengths[row]; step < t; step++)
            {
                OnnxAssert.Close(bias, prediction.AsSpan((row * t + step) * k, k), $"sentence {row} step {step} (padding)");
            }
        }

        string[] crfOutputs = [.. results.Select(r => r.Name).Where(n => n.StartsWith("crf.", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        if (network.Crf is not { } crf)
        {
            Assert.Empty(crfOutputs);
            return;
        }

        Assert.Equal(["crf.end_transitions", "crf.start_transitions", "crf.transitions"], crfOutputs);
        foreach (var parameter in crf.Parameters)
        {
            var output = results.Single(r => r.Name == "crf." + parameter.Name).AsTensor<float>();
            Assert.Equal(parameter.Shape.ToArray(), output.Dimensions.ToArray());
            Assert.Equal(parameter.Value.Span.ToArray(), output.ToArray());
        }
    }

    [Fact]
    public void TheOperatorsOfEveryExportedGraphAreTheOnesInteropListsAndTheIssueAllows()
    {
        var used = new SortedSet<string>(StringComparer.Ordinal);
        void Count(byte[] bytes) => used.UnionWith(OnnxModel.Parse(bytes, "exported.onnx").OperatorCounts.Keys);
        foreach (object[] row in OnnxExportTests.Cases())
        {
            var model = OnnxExportTests.Model((string)row[0], (bool)row[1], (int)row[2], (Pooling)row[4], (bool)row[5], seed: 1);
            Count(OnnxExport.Serialize(model, new OnnxExportOptions { VariableLengths = (bool)row[3] }));
        }

        foreach (var (characterHidden, decoder) in new[] { (2, TagDecoder.Crf), (0, TagDecoder.Softmax) })
        {
            Count(TaggerOnnx.Serialize(TaggerOnnxTests.TinyTagger(characterHidden, decoder, layers: 1, seed: 17).Network));
        }

        foreach (bool batchFirst in new[] { false, true })
        {
            Count(OnnxExport.Serialize(new Gru<float>(new RecurrentOptions { InputSize = InputSize, HiddenSize = Hidden, BatchFirst = batchFirst })));
        }

        Assert.Empty(used.Except(ImportOperators.Concat(ExtraOperators)));
        Assert.Equal(DocumentedOperators(), used.ToArray());
    }

    // The list after "Operators used by exported graphs:" in docs/INTEROP.md, up to its full stop.
    private static string[] DocumentedOperators()
    {
        const string Lead = "Operators used by exported graphs:";
        string text = File.ReadAllText(Path.Combine(SourceTree.Root, "docs", "INTEROP.md")).ReplaceLineEndings(" ");
        int start = text.IndexOf(Lead, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/INTEROP.md has no '{Lead}'");
        start += Lead.Length;
        string list = text[start..text.IndexOf('.', start)];
        return [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }
}
