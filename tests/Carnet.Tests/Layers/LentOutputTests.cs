// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, L = layers, D = directions.
using Carnet;
using Carnet.Layers;

namespace Carnet.Tests.Layers;

/// <summary>
/// A layer that lends its outputs (<see cref="RecurrentLayer{T}.LendsOutputs"/>) gives the bits of one that does not,
/// through every shape, stack and pass order of the pool's tests (forward and backward), and a training step after a
/// disposed one allocates no new output, gradient or (B, H) work buffer of its time loops; zero initial states and zero
/// final-state gradients, which the layer now lends itself, are zeros whatever the pool held before.
/// </summary>
public sealed class LentOutputTests
{
    private const ulong LayerSeed = BufferPoolTests.LayerSeed, DataSeed = BufferPoolTests.DataSeed;

    [Theory]
    [MemberData(nameof(BufferPoolTests.Stacks), MemberType = typeof(BufferPoolTests))]
    public void LentOutputsGiveTheBitsOfAFreshLayer(string stack)
    {
        StackCase[] shapes = BufferPoolTests.Shapes(stack);
        var expected = BufferPoolTests.FreshPasses(shapes);
        var layer = shapes[0].Build(LayerSeed);
        layer.LendsOutputs = true;
        foreach (int k in new[] { 0, 1, 2, 0, 3, 1, 1, 2, 0, 3 })
        {
            layer.ZeroGradients();
            var (result, gradients) = shapes[k].Run(layer, DataSeed);
            StackCase.AssertBits(expected[k], StackCase.Capture(layer, result, gradients), $"{stack}, lent, pass of shape {k} ({shapes[k]})");
            result.Dispose();
        }
    }

    [Theory]
    [InlineData("lstm", false)]
    [InlineData("gru", true)]
    public void AStepAfterADisposedOneAllocatesNoNewOutputOrGradient(string cell, bool batchFirst)
    {
        var shape = new StackCase(cell, Hidden: 64, Batch: 16, Steps: 200, InputSize: 32, Layers: 2, Bidirectional: true, BatchFirst: batchFirst);
        long outputBytes = (long)shape.Steps * shape.Batch * 2 * shape.Hidden * sizeof(float); // (T, B, D·H)
        long inputGradientBytes = (long)shape.Steps * shape.Batch * shape.InputSize * sizeof(float); // (T, B, I)
        // T large enough that the (T, B, ·) tensors dwarf whatever else a step allocates
        using var oneThread = KernelSettings.Use(maximumThreads: 1); // directions in turn: on two threads they may rent at once, and the pool grows to that
        foreach (bool lends in new[] { true, false })
        {
            var layer = shape.Build(LayerSeed);
            layer.LendsOutputs = lends;
            var data = shape.Draw(layer, DataSeed);
            var first = shape.Forward(layer, data, DataSeed);
            StackCase.Backward(layer, first, data);
            first.Dispose();
            long before = GC.GetAllocatedBytesForCurrentThread();
            var second = shape.Forward(layer, data, DataSeed);
            StackCase.Backward(layer, second, data);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (lends)
            {
                Assert.True(allocated < outputBytes / 4, $"{shape}, lent: the second step allocated {allocated} bytes; the output alone is {outputBytes}.");
            }
            else
            {
                Assert.True(
                    allocated >= outputBytes + inputGradientBytes,
                    $"{shape}, not lent: the second step allocated {allocated} bytes, less than its new output and input gradient ({outputBytes} + {inputGradientBytes}).");
            }

            second.Dispose();
        }
    }

    [Theory]
    [InlineData("lstm", 1, 0, 1)]
    [InlineData("lstm", 2, 0, 1)]
    [InlineData("lstm", 1, 0, 2)] // the time loop on two threads, by rows (one direction: this thread runs it, and it is this thread's bytes that count)
    [InlineData("lstm", 1, 48, 1)] // with a projection: dL/d(unprojected h) too
    [InlineData("gru", 2, 0, 2)]
    [InlineData("rnn", 1, 0, 1)]
    public void AStepAfterADisposedOneAllocatesNoStateSizedBuffer(string cell, int layers, int projection, int threads)
    {
        // few steps, a wide state: the (B, H) work buffers of the time loops (h_n, c_n, dL/dh and dL/dc by turns, …)
        // are what a step would allocate, and each of them is larger than the bound
        var shape = new StackCase(cell, Hidden: 256, Batch: 64, Steps: 3, InputSize: 8, Layers: layers, Bidirectional: threads == 1, Projection: projection,
            Lengths: [3, 2, .. Enumerable.Repeat(3, 62)]);
        long bufferBytes = (long)shape.Batch * shape.Hidden * sizeof(float); // (B, H)
        using var scope = KernelSettings.Use(maximumThreads: threads);
        var layer = shape.Build(LayerSeed);
        layer.LendsOutputs = true;
        var data = shape.Draw(layer, DataSeed);
        long allocated = 0;
        for (int step = 0; step < 4; step++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            layer.ZeroGradients();
            var result = shape.Forward(layer, data, DataSeed);
            StackCase.Backward(layer, result, data);
            result.Dispose();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before; // the last step's, once the pool holds what a step uses
        }

        Assert.True(allocated < bufferBytes / 4, $"{shape}, {threads} thread(s): a step allocated {allocated} bytes; one (B, H) buffer is {bufferBytes}.");
    }

    [Theory]
    [InlineData("lstm", 1, false)] // one layer, one direction: a lent h_n has the length of a zero state, and comes back written
    [InlineData("gru", 1, false)]
    [InlineData("lstm", 2, true)]
    [InlineData("gru", 2, true)]
    public void ZeroStatesTheLayerLendsAreZerosAfterThePoolHeldOthers(string cell, int layers, bool bidirectional)
    {
        var shape = new StackCase(cell, Hidden: 9, Batch: 4, Steps: 6, InputSize: 5, Layers: layers, Bidirectional: bidirectional);
        var layer = shape.Build(LayerSeed);
        var fresh = shape.Build(LayerSeed);
        var data = shape.Draw(layer, DataSeed);
        var zeros = new StackData(
            data.Input, Tensor<float>.Zeros([.. data.H0.Shape]), data.C0 is null ? null : Tensor<float>.Zeros([.. data.C0.Shape]),
            data.GradOutput, Tensor<float>.Zeros([.. data.GradHidden.Shape]), data.GradCell is null ? null : Tensor<float>.Zeros([.. data.GradCell.Shape]));
        var expectedResult = shape.Forward(fresh, zeros, DataSeed);
        var expected = StackCase.Capture(fresh, expectedResult, StackCase.Backward(fresh, expectedResult, zeros));

        foreach (bool lends in new[] { true, false })
        {
            layer.LendsOutputs = lends;
            var (other, _) = shape.Run(layer, DataSeed + 1); // non-zero states and state gradients through the pool
            other.Dispose();
            layer.ZeroGradients();
            var result = Forward(layer, data.Input);
            var gradients = layer switch
            {
                Lstm<float> lstm => lstm.Backward(result, data.GradOutput, recordStates: true),
                Gru<float> gru => gru.Backward(result, data.GradOutput, recordStates: true),
                _ => throw new InvalidOperationException(),
            };
            StackCase.AssertBits(expected, StackCase.Capture(layer, result, gradients), $"{cell}, lent {lends}: no initial state, no state gradient");
            result.Dispose();
        }
    }

    private static RecurrentResult<float> Forward(RecurrentLayer<float> layer, Tensor<float> input) => layer switch
    {
        Lstm<float> lstm => lstm.Forward(input),
        Gru<float> gru => gru.Forward(input),
        Rnn<float> rnn => rnn.Forward(input),
        _ => throw new ArgumentException("Unknown layer type.", nameof(layer)),
    };
}
