using Carnet.Layers;
using Carnet.Tests.Golden;
using Carnet.Tests.Support;
using Xunit.Abstractions;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Layers;

/// <summary>
/// Every element of every parameter, of the input and of the initial states, checked by central finite
/// differences in double precision, for every option combination, on small odd sizes
/// (T = 3, B = 3, I = 4, H = 5, P = 3). The loss is L = Σ output ⊙ R₁ + Σ h_n ⊙ R₂ + Σ c_n ⊙ R₃.
/// </summary>
public sealed class FiniteDifferenceTests(ITestOutputHelper output)
{
    private const int Steps = 3, Batch = 3, InputSize = 4, HiddenSize = 5, ProjectionSize = 3;
    private static readonly int[] Lengths = [2, 3, 1];

    public static TheoryData<string, int, bool, bool, bool, bool, bool> StackCases()
    {
        var data = new TheoryData<string, int, bool, bool, bool, bool, bool>();
        foreach (string cell in new[] { "lstm", "gru", "rnn_tanh", "rnn_relu", "peephole" })
        {
            foreach (int layers in new[] { 1, 2, 3 })
            {
                foreach (bool bias in new[] { true, false })
                {
                    foreach (bool batchFirst in new[] { false, true })
                    {
                        foreach (bool bidirectional in new[] { false, true })
                        {
                            foreach (bool lengths in new[] { false, true })
                            {
                                foreach (bool projection in cell == "lstm" ? new[] { false, true } : new[] { false })
                                {
                                    data.Add(cell, layers, bias, batchFirst, bidirectional, projection, lengths);
                                }
                            }
                        }
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StackCases))]
    public void StackGradientsMatchFiniteDifferences(string cell, int layers, bool bias, bool batchFirst, bool bidirectional, bool projection, bool lengths)
    {
        var options = new RecurrentOptions
        {
            InputSize = InputSize, HiddenSize = HiddenSize, NumLayers = layers, Bias = bias, BatchFirst = batchFirst,
            Bidirectional = bidirectional, ProjectionSize = projection ? ProjectionSize : 0,
            Nonlinearity = cell == "rnn_relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
        };
        int checkedCount = CheckStack(cell, options, lengths ? Lengths : null, dropout: false);
        output.WriteLine($"{checkedCount} elements checked");
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_tanh")]
    [InlineData("peephole")]
    public void DropoutBetweenLayersIsDifferentiatedWithItsMask(string cell)
    {
        var options = new RecurrentOptions
        {
            InputSize = InputSize, HiddenSize = HiddenSize, NumLayers = 3, Dropout = 0.4, Bidirectional = true,
        };
        CheckStack(cell, options, Lengths, dropout: true);
    }

    internal static RecurrentLayer<double> Build(string cell, RecurrentOptions options, RandomSource random) => cell switch
    {
        "lstm" => new Lstm<double>(options, random),
        "peephole" => new PeepholeLstm<double>(options, random),
        "gru" => new Gru<double>(options, random),
        _ => new Rnn<double>(options, random),
    };

    private static int CheckStack(string cell, RecurrentOptions options, int[]? lengths, bool dropout)
    {
        var random = new RandomSource(1234);
        var layer = Build(cell, options, random);
        int states = options.NumLayers * layer.Directions;
        int[] inputShape = options.BatchFirst ? [Batch, Steps, InputSize] : [Steps, Batch, InputSize];
        int[] outputShape = options.BatchFirst ? [Batch, Steps, layer.OutputSize] : [Steps, Batch, layer.OutputSize];
        var input = Normal(random, inputShape);
        var h0 = Normal(random, states, Batch, layer.StateSize);
        var c0 = cell is "lstm" or "peephole" ? Normal(random, states, Batch, HiddenSize) : null;
        var weightOutput = Normal(random, outputShape);
        var weightHidden = Normal(random, states, Batch, layer.StateSize);
        var weightCell = c0 is null ? null : Normal(random, states, Batch, HiddenSize);

        // the same dropout mask on every evaluation: a fresh generator with the same seed each time
        RandomSource? Masks() => dropout ? new RandomSource(77) : null;

        double Loss()
        {
            var (result, _) = Run(layer, input, h0, c0, lengths, null, null, null, dropout, Masks(), backward: false);
            return Dot(result.Output, weightOutput) + Dot(result.HiddenState, weightHidden)
                + (c0 is null ? 0 : Dot(result.CellState!, weightCell!));
        }

        layer.ZeroGradients();
        var (_, gradients) = Run(layer, input, h0, c0, lengths, weightOutput, weightHidden, weightCell, dropout, Masks(), backward: true);
        int count = Check("input", input, gradients!.Input.Span, Loss);
        count += Check("h0", h0, gradients.InitialHidden.Span, Loss);
        if (c0 is not null)
        {
            count += Check("c0", c0, gradients.InitialCell!.Span, Loss);
        }

        foreach (var parameter in layer.Parameters)
        {
            count += Check(parameter.Name, parameter.Value, parameter.Gradient.Span.ToArray(), Loss);
        }

        return count;
    }

    private static (RecurrentResult<double> Result, RecurrentGradients<double>? Gradients) Run(
        RecurrentLayer<double> layer, Tensor<double> input, Tensor<double> h0, Tensor<double>? c0, int[]? lengths,
        Tensor<double>? gradOutput, Tensor<double>? gradHidden, Tensor<double>? gradCell, bool training, RandomSource? random, bool backward)
    {
        if (backward)
        {
            return GoldenLayerTests.RunStack(layer, input, h0, c0, lengths, gradOutput, gradHidden, gradCell, training, random);
        }

        var result = layer switch
        {
            Lstm<double> lstm => lstm.Forward(input, h0, c0, lengths, training, random),
            PeepholeLstm<double> peephole => peephole.Forward(input, h0, c0, lengths, training, random),
            Gru<double> gru => gru.Forward(input, h0, lengths, training, random),
            Rnn<double> rnn => rnn.Forward(input, h0, lengths, training, random),
            _ => throw new ArgumentException("Unknown layer type.", nameof(layer)),
        };
        return (result, null);
    }
}
