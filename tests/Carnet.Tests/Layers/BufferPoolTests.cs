// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, O = model outputs.
using System.Runtime.InteropServices;
using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Models;

namespace Carnet.Tests.Layers;

/// <summary>
/// Layers lend their large buffers to a pass and take them back when its result is disposed: passes of different
/// shapes interleaved on one layer, each disposed, give bit for bit what a fresh layer gives; the tensors handed out
/// stay valid and unchanged after their result is disposed and after later passes; a disposed result refuses
/// <c>Backward</c>; a result kept undisposed still back-propagates correctly after other passes reused the pool. Every
/// lent buffer starts on a cache line and stays where it is through a compacting collection (the pinned heap).
/// </summary>
public sealed class BufferPoolTests
{
    internal const ulong LayerSeed = 5, DataSeed = 6;

    public static TheoryData<string> Stacks() => ["lstm", "lstm-projection", "gru", "gru-no-bias", "rnn-relu", "gru-sliced"];

    [Theory]
    [MemberData(nameof(Stacks))]
    public void DisposedPassesOfEveryShapeGiveTheBitsOfAFreshLayer(string stack)
    {
        StackCase[] shapes = Shapes(stack);
        var expected = FreshPasses(shapes);
        var layer = shapes[0].Build(LayerSeed);
        var kept = new List<(Tensor<float>[] Tensors, float[][] Values)>();
        foreach (int k in new[] { 0, 1, 2, 0, 3, 1, 1, 2, 0, 3 })
        {
            layer.ZeroGradients();
            var (result, gradients) = shapes[k].Run(layer, DataSeed);
            StackCase.AssertBits(expected[k], StackCase.Capture(layer, result, gradients), $"{stack}, pass of shape {k} ({shapes[k]})");
            Tensor<float>[] handedOut = new[] { result.Output, result.HiddenState, result.CellState, gradients.Input,
                gradients.InitialHidden, gradients.InitialCell, gradients.States }
                .OfType<Tensor<float>>().ToArray();
            kept.Add((handedOut, handedOut.Select(t => t.Span.ToArray()).ToArray()));
            result.Dispose();
            result.Dispose(); // twice is harmless
            Assert.Throws<ObjectDisposedException>(() => Backward(layer, result));
        }

        // what every pass handed out is as it was, after its own Dispose and every later pass
        for (int pass = 0; pass < kept.Count; pass++)
        {
            for (int t = 0; t < kept[pass].Tensors.Length; t++)
            {
                StackCase.AssertBits(kept[pass].Values[t], kept[pass].Tensors[t].Span, $"{stack}, pass {pass}, tensor {t} at the end");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void AnUndisposedResultBackPropagatesAfterOtherPassesReusedThePool(string stack)
    {
        StackCase[] shapes = Shapes(stack);
        var fresh = shapes[1].Build(LayerSeed);
        var (freshResult, freshGradients) = shapes[1].Run(fresh, DataSeed);
        var expected = StackCase.Capture(fresh, freshResult, freshGradients);

        var layer = shapes[1].Build(LayerSeed);
        var data = shapes[1].Draw(layer, DataSeed);
        var kept = shapes[1].Forward(layer, data, DataSeed);
        float[] output = kept.Output.Span.ToArray();

        // other passes, one of the same shape, disposed (one without its backward pass), in between
        foreach (int k in new[] { 0, 1, 2, 1 })
        {
            var (result, _) = shapes[k].Run(layer, DataSeed + 10);
            result.Dispose();
            shapes[k].Forward(layer, shapes[k].Draw(layer, DataSeed + 20), DataSeed + 20).Dispose();
        }

        layer.ZeroGradients();
        var gradients = StackCase.Backward(layer, kept, data);
        StackCase.AssertBits(output, kept.Output.Span, $"{stack}: the kept output");
        StackCase.AssertBits(expected, StackCase.Capture(layer, kept, gradients), $"{stack}: the kept result's backward pass");
        kept.Dispose();
    }

    [Fact]
    public void LentBuffersStartOnACacheLineAndNeverMove()
    {
        var pool = new BufferPool<float>();
        foreach (int length in new[] { 1, 7, 16, 17, 1000, 300_001 })
        {
            var buffer = pool.Rent(length, clear: false);
            Assert.Equal(length, buffer.Length);
            Assert.True(MemoryMarshal.TryGetArray<float>(buffer, out var segment));
            nint address = Marshal.UnsafeAddrOfPinnedArrayElement(segment.Array!, segment.Offset);
            Assert.Equal(0, address % CacheLines.Size);
            buffer.Span.Fill(3f);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            Assert.Equal(address, Marshal.UnsafeAddrOfPinnedArrayElement(segment.Array!, segment.Offset));

            pool.Return(buffer);
            var again = pool.Rent(length, clear: true);
            Assert.True(again.Equals(buffer), $"length {length}: the returned buffer is lent again");
            Assert.Equal(-1, again.Span.IndexOfAnyExcept(0f));
        }
    }

    [Fact]
    public void AResultFromAnotherLayerIsRefusedAndDisposingChangesNoGradient()
    {
        var shape = new StackCase("lstm", Hidden: 9, Batch: 3, Steps: 4);
        var layer = shape.Build(LayerSeed);
        var other = shape.Build(LayerSeed);
        var (result, _) = shape.Run(layer, DataSeed);
        float[] gradients = layer.ParameterGradients.ToArray();
        Assert.Throws<ArgumentException>(() => Backward(other, result));
        result.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Backward(layer, result));
        Assert.Equal(gradients, layer.ParameterGradients.ToArray());
        Assert.Contains(gradients, g => g != 0);
    }

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, Pooling.Mean)]
    [InlineData(RecurrentCellKind.Gru, Pooling.None)]
    [InlineData(RecurrentCellKind.Rnn, Pooling.Attention)]
    public void SequenceModelPassesDisposedInTurnGiveTheBitsOfAFreshModel(RecurrentCellKind cell, Pooling pooling)
    {
        var batches = new[] { (Batch: 5, Steps: 7, Lengths: (int[]?)[7, 2, 5, 7, 1]), (3, 4, null), (5, 7, [1, 7, 7, 3, 6]), (8, 2, null) };
        var expected = batches.Select(b => Pass(NewModel(cell, pooling), b.Batch, b.Steps, b.Lengths, dispose: false)).ToArray();
        var model = NewModel(cell, pooling);
        var kept = new List<(Tensor<float> Prediction, float[] Values)>();
        foreach (int k in new[] { 0, 1, 2, 0, 3, 1 })
        {
            var (values, prediction) = Pass(model, batches[k].Batch, batches[k].Steps, batches[k].Lengths, dispose: true);
            StackCase.AssertBits(expected[k].Values, values, $"{cell} {pooling}, batch {k}");
            kept.Add((prediction, prediction.Span.ToArray()));
        }

        foreach (var (prediction, values) in kept)
        {
            StackCase.AssertBits(values, prediction.Span, $"{cell} {pooling}: a prediction at the end");
        }
    }

    [Fact]
    public void ADisposedSequenceModelResultRefusesBackward()
    {
        var model = NewModel(RecurrentCellKind.Lstm, Pooling.Last);
        var (input, gradPrediction) = ModelData(model, 4, 6);
        var result = model.Forward(input, [6, 1, 4, 6]);
        result.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Backward(result, gradPrediction));
        Assert.All(model.Recurrent.ParameterGradients.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void ARefusedSequenceModelBackwardChangesNoGradient()
    {
        var model = NewModel(RecurrentCellKind.Lstm, Pooling.Last);
        var (input, gradPrediction) = ModelData(model, 4, 6);
        var result = model.Forward(input, [6, 1, 4, 6]);
        result.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Backward(result, gradPrediction));
        Assert.All(model.Head.ParameterGradients.ToArray(), g => Assert.Equal(0f, g));
    }

    /// <summary>What each shape's pass gives on a fresh layer: every number, by name.</summary>
    internal static Dictionary<string, float[]>[] FreshPasses(StackCase[] shapes) => shapes.Select(shape =>
    {
        var fresh = shape.Build(LayerSeed);
        var (result, gradients) = shape.Run(fresh, DataSeed);
        return StackCase.Capture(fresh, result, gradients);
    }).ToArray();

    /// <summary>Four shapes for one stack: two batch sizes, lengths or none, two step counts (shapes 0 and 2 share every buffer length).</summary>
    internal static StackCase[] Shapes(string stack)
    {
        StackCase basic = stack switch
        {
            "lstm" => new("lstm", Hidden: 13, Batch: 3, Steps: 5, InputSize: 6, Layers: 2, Bidirectional: true, Dropout: 0.25),
            "lstm-projection" => new("lstm", Hidden: 13, Batch: 3, Steps: 5, InputSize: 6, Layers: 2, Projection: 5, BatchFirst: true),
            "gru" => new("gru", Hidden: 11, Batch: 3, Steps: 5, InputSize: 6, Layers: 2, Bidirectional: true, BatchFirst: true),
            "gru-no-bias" => new("gru", Hidden: 11, Batch: 3, Steps: 5, InputSize: 6, Bias: false, Layers: 2, Dropout: 0.4),
            "rnn-relu" => new("rnn_relu", Hidden: 10, Batch: 3, Steps: 5, InputSize: 6, Bidirectional: true),
            _ => new("gru", Hidden: 64, Batch: 16, Steps: 4, InputSize: 6, Bidirectional: true), // cut into unit slices
        };
        return
        [
            basic,
            basic with { Batch = basic.Batch + 4, Steps = 9, Lengths = [.. Enumerable.Range(0, basic.Batch + 4).Select(b => 1 + b * 5 % 9)] },
            basic with { Lengths = [.. Enumerable.Range(0, basic.Batch).Select(b => basic.Steps - b % basic.Steps)], GradOutput = false },
            basic with { Batch = 1, Steps = 2 },
        ];
    }

    private static void Backward(RecurrentLayer<float> layer, RecurrentResult<float> result)
    {
        switch (layer)
        {
            case Lstm<float> lstm: lstm.Backward(result, null); break;
            case Gru<float> gru: gru.Backward(result, null); break;
            case Rnn<float> rnn: rnn.Backward(result, null); break;
        }
    }

    private static SequenceModel<float> NewModel(RecurrentCellKind cell, Pooling pooling)
        => new(cell, new RecurrentOptions { InputSize = 5, HiddenSize = 12, NumLayers = 2, Bidirectional = cell != RecurrentCellKind.Rnn }
            , 3, pooling, new RandomSource(LayerSeed));

    private static (Tensor<float> Input, Tensor<float> GradPrediction) ModelData(SequenceModel<float> model, int batch, int steps)
    {
        var random = new RandomSource(DataSeed + (ulong)(batch * 100 + steps));
        var input = Tensor<float>.Zeros(batch, steps, 5);
        random.FillGaussian(input.Span, 0, 1);
        var gradPrediction = Tensor<float>.Zeros(model.Pooling == Pooling.None ? [batch, steps, 3] : [batch, 3]);
        random.FillGaussian(gradPrediction.Span, 0, 1);
        return (input, gradPrediction);
    }

    /// <summary>One forward and backward pass (gradients zeroed first): the prediction, the input gradient and every parameter gradient.</summary>
    private static (float[] Values, Tensor<float> Prediction) Pass(SequenceModel<float> model, int batch, int steps, int[]? lengths, bool dispose)
    {
        var (input, gradPrediction) = ModelData(model, batch, steps);
        model.ZeroGradients();
        var result = model.Forward(input, lengths);
        var gradients = model.Backward(result, gradPrediction);
        float[] values = [.. result.Prediction.Span, .. result.Recurrent.HiddenState.Span, .. gradients.Input.Span,
            .. model.Modules.SelectMany(m => m.Module.ParameterGradients.ToArray())];
        if (dispose)
        {
            result.Dispose();
        }

        return (values, result.Prediction);
    }
}
