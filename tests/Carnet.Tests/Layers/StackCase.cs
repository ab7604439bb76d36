// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, P = size of h, L = layers,
// D = directions.
using Carnet.Layers;

namespace Carnet.Tests.Layers;

/// <summary>A recurrent stack's shape and data for one forward and backward pass, all drawn from one seed.</summary>
internal sealed record StackCase(
    string Cell, int Hidden, int Batch, int Steps, int InputSize = 11, int Layers = 1, bool Bidirectional = false,
    bool BatchFirst = false, int Projection = 0, bool Bias = true, int[]? Lengths = null, bool GradOutput = true, double Dropout = 0)
{
    public RecurrentOptions Options => new()
    {
        InputSize = InputSize, HiddenSize = Hidden, NumLayers = Layers, Bidirectional = Bidirectional, BatchFirst = BatchFirst,
        ProjectionSize = Projection, Bias = Bias, Dropout = Dropout,
        Nonlinearity = Cell == "rnn_relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
    };

    public override string ToString()
        => $"{Cell} H={Hidden} P={Projection} B={Batch} T={Steps} L={Layers}{(Bidirectional ? " bidirectional" : "")}" +
           $"{(BatchFirst ? " batch-first" : "")}{(Bias ? "" : " no bias")}{(Lengths is null ? "" : " lengths")}";

    /// <summary>A new stack with the parameters drawn from <paramref name="seed"/>.</summary>
    public RecurrentLayer<float> Build(ulong seed)
    {
        var random = new RandomSource(seed);
        return Cell switch
        {
            "lstm" => new Lstm<float>(Options, random),
            "gru" => new Gru<float>(Options, random),
            _ => new Rnn<float>(Options, random),
        };
    }

    /// <summary>
    /// Runs forward (training, with dropout masks from a generator seeded by <paramref name="seed"/> + 1) and backward with
    /// initial states and gradients drawn from <paramref name="seed"/>, recording dL/dh_t. The result is not disposed.
    /// </summary>
    public (RecurrentResult<float> Result, RecurrentGradients<float> Gradients) Run(RecurrentLayer<float> layer, ulong seed)
    {
        var data = Draw(layer, seed);
        var result = Forward(layer, data, seed);
        return (result, Backward(layer, result, data));
    }

    /// <summary>The input, initial states and gradients of a pass, drawn from <paramref name="seed"/>.</summary>
    public StackData Draw(RecurrentLayer<float> layer, ulong seed)
    {
        var random = new RandomSource(seed);
        int states = Layers * layer.Directions;
        var input = Gaussian(random, BatchFirst ? [Batch, Steps, InputSize] : [Steps, Batch, InputSize]);
        var h0 = Gaussian(random, states, Batch, layer.StateSize);
        var c0 = Cell == "lstm" ? Gaussian(random, states, Batch, Hidden) : null;
        var gradOutput = Gaussian(random, BatchFirst ? [Batch, Steps, layer.OutputSize] : [Steps, Batch, layer.OutputSize]);
        var gradHidden = Gaussian(random, states, Batch, layer.StateSize);
        var gradCell = Cell == "lstm" ? Gaussian(random, states, Batch, Hidden) : null;
        return new StackData(input, h0, c0, GradOutput ? gradOutput : null, gradHidden, gradCell);
    }

    /// <summary>The forward pass (training when there is dropout, the masks drawn from <paramref name="seed"/> + 1).</summary>
    public RecurrentResult<float> Forward(RecurrentLayer<float> layer, StackData data, ulong seed)
    {
        bool training = Dropout > 0;
        var masks = new RandomSource(seed + 1);
        return layer switch
        {
            Lstm<float> lstm => lstm.Forward(data.Input, data.H0, data.C0, Lengths, training, masks),
            Gru<float> gru => gru.Forward(data.Input, data.H0, Lengths, training, masks),
            Rnn<float> rnn => rnn.Forward(data.Input, data.H0, Lengths, training, masks),
            _ => throw new ArgumentException("Unknown layer type.", nameof(layer)),
        };
    }

    /// <summary>The backward pass, recording dL/dh_t.</summary>
    public static RecurrentGradients<float> Backward(RecurrentLayer<float> layer, RecurrentResult<float> result, StackData data) => layer switch
    {
        Lstm<float> lstm => lstm.Backward(result, data.GradOutput, data.GradHidden, data.GradCell, recordStates: true),
        Gru<float> gru => gru.Backward(result, data.GradOutput, data.GradHidden, recordStates: true),
        Rnn<float> rnn => rnn.Backward(result, data.GradOutput, data.GradHidden, recordStates: true),
        _ => throw new ArgumentException("Unknown layer type.", nameof(layer)),
    };

    /// <summary>Every number a pass produced, by name: the result, the gradients and every parameter's gradient.</summary>
    public static Dictionary<string, float[]> Capture(RecurrentLayer<float> layer, RecurrentResult<float> result, RecurrentGradients<float> gradients)
    {
        var values = new Dictionary<string, float[]>
        {
            ["output"] = result.Output.Span.ToArray(),
            ["h_n"] = result.HiddenState.Span.ToArray(),
            ["c_n"] = result.CellState?.Span.ToArray() ?? [],
            ["grad.input"] = gradients.Input.Span.ToArray(),
            ["grad.h0"] = gradients.InitialHidden.Span.ToArray(),
            ["grad.c0"] = gradients.InitialCell?.Span.ToArray() ?? [],
            ["grad.states"] = gradients.States?.Span.ToArray() ?? [],
        };
        foreach (var parameter in layer.Parameters)
        {
            values["grad." + parameter.Name] = parameter.Gradient.Span.ToArray();
        }

        return values;
    }

    /// <summary>Asserts the same names and the same bits in each.</summary>
    public static void AssertBits(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual, string what)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, values) in expected)
        {
            AssertBits(values, actual[name], $"{what}: {name}");
        }
    }

    public static void AssertBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}[{i}]: {actual[i]:R}, expected {expected[i]:R} (bit for bit).");
            }
        }
    }

    private static Tensor<float> Gaussian(RandomSource random, params int[] shape)
    {
        var tensor = Tensor<float>.Zeros(shape);
        random.FillGaussian(tensor.Span, 0, 1);
        return tensor;
    }
}

/// <summary>The tensors of one pass: input, h_0, c_0 (LSTM), dL/doutput (null when not given), dL/dh_n, dL/dc_n (LSTM).</summary>
internal sealed record StackData(
    Tensor<float> Input, Tensor<float> H0, Tensor<float>? C0, Tensor<float>? GradOutput, Tensor<float> GradHidden, Tensor<float>? GradCell);
