using Carnet.Layers;
using Carnet.Tests.Golden;
using Carnet.Tests.Support;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Layers;

/// <summary>The same answer through every code path: batched vs one sequence at a time, cell vs stack, and PyTorch's output conventions.</summary>
public sealed class ConsistencyTests
{
    public static TheoryData<string, bool> Cells => new()
    {
        { "lstm", false }, { "lstm", true }, { "gru", false }, { "gru", true }, { "rnn_tanh", false }, { "rnn_relu", true }, { "peephole", true },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void PaddedBatchEqualsEachSequenceAlone(string cell, bool bidirectional)
    {
        int[] lengths = [4, 7, 1, 5];
        const int steps = 7, batch = 4, inputSize = 3;
        var random = new RandomSource(5);
        var options = new RecurrentOptions
        {
            InputSize = inputSize, HiddenSize = 6, NumLayers = 2, Bidirectional = bidirectional, ProjectionSize = cell == "lstm" ? 4 : 0,
            Nonlinearity = cell == "rnn_relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
        };
        var layer = FiniteDifferenceTests.Build(cell, options, random);
        var input = Normal(random, steps, batch, inputSize);
        var gradOutput = Normal(random, steps, batch, layer.OutputSize);
        var (batched, batchedGradients) = GoldenLayerTests.RunStack(layer, input, null, null, lengths, gradOutput, null, null);
        double[] batchedParameterGradients = layer.ParameterGradients.ToArray();

        layer.ZeroGradients();
        int size = layer.OutputSize, states = options.NumLayers * layer.Directions;
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            var alone = Slice(input, b, length, steps, batch);
            var (single, singleGradients) = GoldenLayerTests.RunStack(layer, alone, null, null, null, Slice(gradOutput, b, length, steps, batch), null, null);
            for (int t = 0; t < steps; t++)
            {
                for (int j = 0; j < size; j++)
                {
                    double expected = t < length ? single.Output[t, 0, j] : 0.0;
                    Assert.Equal(expected, batched.Output[t, b, j], 12);
                }

                for (int j = 0; j < inputSize; j++)
                {
                    double expected = t < length ? singleGradients.Input[t, 0, j] : 0.0;
                    Assert.Equal(expected, batchedGradients.Input[t, b, j], 12);
                }
            }

            for (int s = 0; s < states; s++)
            {
                for (int j = 0; j < layer.StateSize; j++)
                {
                    Assert.Equal(single.HiddenState[s, 0, j], batched.HiddenState[s, b, j], 12);
                }
            }
        }

        // the parameter gradients of the four single runs add up to the batched ones
        Close.Assert("parameter gradients", batchedParameterGradients, layer.ParameterGradients.ToArray(), 1e-12);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_tanh")]
    public void BidirectionalFinalStatesAreEachDirectionsLastStep(string cell)
    {
        var random = new RandomSource(8);
        var layer = FiniteDifferenceTests.Build(cell, new RecurrentOptions { InputSize = 2, HiddenSize = 3, Bidirectional = true }, random);
        var (result, _) = GoldenLayerTests.RunStack(layer, Normal(random, 5, 2, 2), null, null, null, null, null, null);
        for (int b = 0; b < 2; b++)
        {
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(result.Output[4, b, j], result.HiddenState[0, b, j]); // forward: output at t = T − 1
                Assert.Equal(result.Output[0, b, 3 + j], result.HiddenState[1, b, j]); // reverse: output at t = 0
            }
        }

        Assert.NotEqual(result.Output[4, 0, 3], result.HiddenState[1, 0, 0]);
    }

    [Fact]
    public void CellsStepLikeAOneLayerStack()
    {
        var random = new RandomSource(3);
        var lstm = new Lstm<double>(4, 5, random: random);
        var gru = new Gru<double>(4, 5, random: random);
        var rnn = new Rnn<double>(4, 5, nonlinearity: RnnNonlinearity.Relu, random: random);
        var lstmCell = new LstmCell<double>(4, 5);
        var gruCell = new GruCell<double>(4, 5);
        var rnnCell = new RnnCell<double>(4, 5, nonlinearity: RnnNonlinearity.Relu);
        CopyParameters(lstm, lstmCell);
        CopyParameters(gru, gruCell);
        CopyParameters(rnn, rnnCell);
        var input = Normal(random, 6, 2, 4);

        var lstmResult = lstm.Forward(input);
        var gruResult = gru.Forward(input);
        var rnnResult = rnn.Forward(input);
        Tensor<double>? h = null, c = null, hGru = null, hRnn = null;
        for (int t = 0; t < 6; t++)
        {
            var x = Slice(input, t);
            var step = lstmCell.Forward(x, h, c);
            (h, c) = (step.Hidden, step.Cell);
            hGru = gruCell.Forward(x, hGru).Hidden;
            hRnn = rnnCell.Forward(x, hRnn).Hidden;
            Close.Assert("lstm h", Slice(lstmResult.Output, t), h, 1e-15);
            Close.Assert("gru h", Slice(gruResult.Output, t), hGru, 1e-15);
            Close.Assert("rnn h", Slice(rnnResult.Output, t), hRnn, 1e-15);
        }

        Close.Assert("lstm c", lstmResult.CellState!.Reshape(2, 5), c!, 1e-15);
    }

    [Fact]
    public void BackwardAccumulatesIntoParameterGradients()
    {
        var random = new RandomSource(4);
        var lstm = new Lstm<double>(3, 4, numLayers: 2, random: random);
        var input = Normal(random, 5, 2, 3);
        var gradOutput = Normal(random, 5, 2, 4);
        lstm.Backward(lstm.Forward(input), gradOutput);
        double[] once = lstm.ParameterGradients.ToArray();
        Assert.Contains(once, g => g != 0);
        lstm.Backward(lstm.Forward(input), gradOutput);
        Close.Assert("twice", once.Select(g => 2 * g).ToArray(), lstm.ParameterGradients.ToArray(), 1e-14);
        lstm.ZeroGradients();
        Assert.All(lstm.ParameterGradients.ToArray(), g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void BadShapesAndLengthsAreNamedInTheError()
    {
        var lstm = new Lstm<float>(3, 4, numLayers: 2);
        var input = Tensor<float>.Zeros(5, 2, 3);
        Assert.Contains("input size 3", Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor<float>.Zeros(5, 2, 4))).Message);
        Assert.Contains("initialHidden has shape [1, 2, 4], expected [2, 2, 4]",
            Assert.Throws<ArgumentException>(() => lstm.Forward(input, Tensor<float>.Zeros(1, 2, 4))).Message);
        Assert.Contains("lengths[1] is 6", Assert.Throws<ArgumentException>(() => lstm.Forward(input, lengths: [5, 6])).Message);
        Assert.Contains("lengths[0] is 0", Assert.Throws<ArgumentException>(() => lstm.Forward(input, lengths: [0, 2])).Message);
        Assert.Contains("3 entries for a batch of 2", Assert.Throws<ArgumentException>(() => lstm.Forward(input, lengths: [1, 2, 3])).Message);
        Assert.Contains("ProjectionSize is only for an LSTM",
            Assert.Throws<ArgumentException>(() => new Gru<float>(new RecurrentOptions { InputSize = 2, HiddenSize = 3, ProjectionSize = 1 })).Message);
        var other = new Lstm<float>(3, 4, numLayers: 2);
        Assert.Contains("another layer", Assert.Throws<ArgumentException>(() => other.Backward(lstm.Forward(input), null)).Message);
    }

    internal static void CopyParameters<T>(Module<T> from, Module<T> to)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var parameter in to.Parameters)
        {
            string name = from.HasParameter(parameter.Name) ? parameter.Name : parameter.Name + "_l0";
            from.GetParameter(name).Value.Span.CopyTo(parameter.Value.Span);
        }
    }

    private static Tensor<double> Slice(Tensor<double> timeMajor, int t)
    {
        int batch = timeMajor.Shape[1], width = timeMajor.Shape[2];
        return Tensor<double>.FromValues(timeMajor.Span.Slice(t * batch * width, batch * width), batch, width);
    }

    private static Tensor<double> Slice(Tensor<double> timeMajor, int b, int length, int steps, int batch)
    {
        int width = timeMajor.Shape[2];
        var result = Tensor<double>.Zeros(length, 1, width);
        for (int t = 0; t < length && t < steps; t++)
        {
            timeMajor.Span.Slice((t * batch + b) * width, width).CopyTo(result.Span.Slice(t * width, width));
        }

        return result;
    }
}
