using Carnet.Layers;

namespace Carnet.Tests.Layers;

/// <summary>Streaming inference: the same numbers as the layer's forward pass, one step at a time, with no allocation.</summary>
public sealed class RecurrentStreamTests
{
    // 24 units run as one slice; 64 are split between threads at every step (see UnitSlices)
    public static TheoryData<string, int> Cells => new()
    {
        { "lstm", 24 }, { "lstm_projection", 24 }, { "gru", 24 }, { "rnn_relu", 24 }, { "lstm", 64 }, { "gru", 64 }, { "rnn_relu", 64 },
        { "peephole", 24 }, { "peephole", 64 },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void StepsEqualTheLayersForwardPass(string cell, int hidden)
    {
        var options = new RecurrentOptions
        {
            InputSize = 5, HiddenSize = hidden, NumLayers = 2, ProjectionSize = cell == "lstm_projection" ? 7 : 0,
            Nonlinearity = cell == "rnn_relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
        };
        var random = new RandomSource(9);
        RecurrentLayer<float> layer = cell.StartsWith("lstm", StringComparison.Ordinal) ? new Lstm<float>(options, random)
            : cell == "peephole" ? new PeepholeLstm<float>(options, random)
            : cell == "gru" ? new Gru<float>(options, random) : new Rnn<float>(options, random);
        const int steps = 12, batch = 2;
        var input = Tensor<float>.Zeros(steps, batch, 5);
        random.FillGaussian(input.Span, 0, 1);
        var expected = layer switch
        {
            Lstm<float> lstm => lstm.Forward(input),
            PeepholeLstm<float> peephole => peephole.Forward(input),
            Gru<float> gru => gru.Forward(input),
            Rnn<float> rnn => rnn.Forward(input),
            _ => throw new InvalidOperationException(),
        };

        using var stream = new RecurrentStream<float>(layer, batch);
        var output = new float[batch * layer.StateSize];
        for (int round = 0; round < 2; round++)
        {
            stream.Reset();
            for (int t = 0; t < steps; t++)
            {
                stream.Step(input.Span.Slice(t * batch * 5, batch * 5), output);
                var want = expected.Output.Span.Slice(t * batch * layer.StateSize, batch * layer.StateSize).ToArray();
                Assert.Equal(want, output, (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1, Math.Abs(a)));
            }
        }

        var lastHidden = expected.HiddenState.Span.Slice(batch * layer.StateSize, batch * layer.StateSize).ToArray();
        Assert.Equal(lastHidden, stream.Hidden(1).ToArray(), (a, b) => Math.Abs(a - b) <= 1e-6f);
    }

    [Fact]
    public void AStepAllocatesNothing()
    {
        var lstm = new Lstm<float>(16, 64, numLayers: 2);
        using var stream = new RecurrentStream<float>(lstm);
        var x = new float[16];
        var y = new float[64];
        // steady state: after a warm-up, one of three rounds of 100 steps allocates nothing at all (a one-off allocation
        // of the runtime, such as a method being recompiled by tiered JIT mid-round, cannot repeat in every round;
        // an allocation per step would)
        for (int t = 0; t < 300; t++)
        {
            stream.Step(x, y);
        }

        var rounds = new long[3];
        for (int round = 0; round < rounds.Length; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int t = 0; t < 100; t++)
            {
                x[t % 16] = t;
                stream.Step(x, y);
            }

            rounds[round] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, rounds.Min());
        Assert.Contains(y, v => v != 0);
    }

    [Fact]
    public void BidirectionalLayersCannotStream()
    {
        var error = Assert.Throws<ArgumentException>(() => new RecurrentStream<float>(new Gru<float>(2, 3, bidirectional: true)));
        Assert.Contains("bidirectional", error.Message);
    }
}
