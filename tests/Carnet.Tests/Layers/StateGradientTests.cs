using Carnet.Layers;
using Carnet.Tests.Golden;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Layers;

/// <summary>
/// The recorded dL/dh_t (the gradient-flow view): at every step it equals the gradient that a run started from the
/// state h_t (and c_t) computes for its initial state, plus the output's own gradient at t.
/// </summary>
public sealed class StateGradientTests
{
    private const int Steps = 7, Batch = 3, InputSize = 3;

    [Theory]
    [InlineData("lstm", 0)]
    [InlineData("lstm", 4)]
    [InlineData("gru", 0)]
    [InlineData("rnn_tanh", 0)]
    public void EachStepsGradientEqualsTheInitialStateGradientOfTheRestOfTheSequence(string cell, int projection)
    {
        var random = new RandomSource(21);
        var options = new RecurrentOptions { InputSize = InputSize, HiddenSize = 5, ProjectionSize = projection };
        var layer = FiniteDifferenceTests.Build(cell, options, random);
        int size = layer.StateSize, hidden = options.HiddenSize;
        bool isLstm = cell == "lstm";
        var input = Normal(random, Steps, Batch, InputSize);
        var h0 = Normal(random, 1, Batch, size);
        var c0 = isLstm ? Normal(random, 1, Batch, hidden) : null;
        var gradOutput = Normal(random, Steps, Batch, size);
        var gradHidden = Normal(random, 1, Batch, size);
        var gradCell = isLstm ? Normal(random, 1, Batch, hidden) : null;
        var (_, gradients) = GoldenLayerTests.RunStack(layer, input, h0, c0, null, gradOutput, gradHidden, gradCell, recordStates: true);
        var states = gradients.States!; // (1, T, B, P)
        Assert.Equal([1, Steps, Batch, size], states.Shape.ToArray());

        for (int t = 0; t < Steps; t++)
        {
            var expected = new double[Batch * size]; // (B, P) dL/dh_t
            if (t == Steps - 1)
            {
                gradHidden.Span.CopyTo(expected);
            }
            else
            {
                var (prefix, _) = GoldenLayerTests.RunStack(layer, StepRange(input, 0, t + 1), h0, c0, null, null, null, null);
                var (_, rest) = GoldenLayerTests.RunStack(
                    layer, StepRange(input, t + 1, Steps), prefix.HiddenState, prefix.CellState, null, StepRange(gradOutput, t + 1, Steps), gradHidden, gradCell);
                rest.InitialHidden.Span.CopyTo(expected);
            }

            for (int i = 0; i < expected.Length; i++)
            {
                expected[i] += gradOutput.Span[t * Batch * size + i];
                Assert.Equal(expected[i], states.Span[t * Batch * size + i], 12);
            }
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_relu")]
    public void RecordingChangesNoGradientAndFollowsTheLayout(string cell)
    {
        int[] lengths = [7, 4, 6];
        var options = new RecurrentOptions
        {
            InputSize = InputSize, HiddenSize = 4, NumLayers = 2, Bidirectional = true,
            Nonlinearity = cell == "rnn_relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
        };
        var random = new RandomSource(22);
        var layer = FiniteDifferenceTests.Build(cell, options, random);
        var input = Normal(random, Steps, Batch, InputSize);
        var gradOutput = Normal(random, Steps, Batch, layer.OutputSize);
        var gradHidden = Normal(random, 4, Batch, layer.StateSize);
        var (_, plain) = GoldenLayerTests.RunStack(layer, input, null, null, lengths, gradOutput, gradHidden, null);
        double[] plainParameters = layer.ParameterGradients.ToArray();
        layer.ZeroGradients();
        var (_, recorded) = GoldenLayerTests.RunStack(layer, input, null, null, lengths, gradOutput, gradHidden, null, recordStates: true);
        Assert.Null(plain.States);
        Assert.Equal(plainParameters, layer.ParameterGradients.ToArray());
        Assert.Equal(plain.Input.Span.ToArray(), recorded.Input.Span.ToArray());

        var states = recorded.States!; // (L·D, T, B, P)
        int size = layer.StateSize;
        for (int b = 0; b < Batch; b++)
        {
            for (int index = 0; index < 4; index++)
            {
                for (int t = lengths[b]; t < Steps; t++)
                {
                    Assert.All(Enumerable.Range(0, size), j => Assert.Equal(0.0, states[index, t, b, j]));
                }
            }

            // the top layer's reverse direction ends at t = 0: its gradient there is output's and h_n's
            for (int j = 0; j < size; j++)
            {
                Assert.Equal(gradOutput[0, b, size + j] + gradHidden[3, b, j], states[3, 0, b, j], 12);
                Assert.Equal(gradOutput[lengths[b] - 1, b, j] + gradHidden[2, b, j], states[2, lengths[b] - 1, b, j], 12);
            }
        }

        var batchFirstLayer = FiniteDifferenceTests.Build(cell, options with { BatchFirst = true }, new RandomSource(22));
        var (_, batchFirst) = GoldenLayerTests.RunStack(
            batchFirstLayer, Swap(input), null, null, lengths, Swap(gradOutput), gradHidden, null, recordStates: true);
        for (int index = 0; index < 4; index++)
        {
            for (int t = 0; t < Steps; t++)
            {
                for (int b = 0; b < Batch; b++)
                {
                    Assert.All(Enumerable.Range(0, size), j => Assert.Equal(states[index, t, b, j], batchFirst.States![index, b, t, j]));
                }
            }
        }
    }

    /// <summary>Steps [from, to) of a time-major tensor (T, B, X).</summary>
    private static Tensor<double> StepRange(Tensor<double> tensor, int from, int to)
    {
        int row = tensor.Shape[1] * tensor.Shape[2];
        return new Tensor<double>(tensor.Span.Slice(from * row, (to - from) * row).ToArray(), to - from, tensor.Shape[1], tensor.Shape[2]);
    }

    /// <summary>(T, B, X) → (B, T, X).</summary>
    private static Tensor<double> Swap(Tensor<double> tensor)
    {
        int steps = tensor.Shape[0], batch = tensor.Shape[1], width = tensor.Shape[2];
        var result = Tensor<double>.Zeros(batch, steps, width);
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                for (int j = 0; j < width; j++)
                {
                    result[b, t, j] = tensor[t, b, j];
                }
            }
        }

        return result;
    }
}
