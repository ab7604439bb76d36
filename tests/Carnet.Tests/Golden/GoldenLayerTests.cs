using System.Globalization;
using System.Numerics;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Tests.Support;
using Xunit.Abstractions;

namespace Carnet.Tests.Golden;

/// <summary>
/// Parity with PyTorch: every layer reference file (tests/golden/*.safetensors, and CARNET_GOLDEN_DIR's when set)
/// is rebuilt from its metadata, loaded with its parameters, run forward and backward, and every output and
/// gradient compared. Float32 within the README's tolerances; float64 within the float32 rounding of the stored values.
/// </summary>
public sealed class GoldenLayerTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> LayerFiles => GoldenFiles.In(string.Empty);

    [Theory]
    [MemberData(nameof(LayerFiles))]
    public void Float32MatchesPyTorch(string source, string file) => Check<float>(source, file, forwardTolerance: 1e-5, gradientTolerance: 1e-4);

    [Theory]
    [MemberData(nameof(LayerFiles))]
    public void Float64MatchesPyTorch(string source, string file) => Check<double>(source, file, forwardTolerance: 2e-7, gradientTolerance: 2e-7);

    private void Check<T>(string source, string file, double forwardTolerance, double gradientTolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var golden = GoldenFiles.Read(source, string.Empty, file);
        var meta = golden.Metadata;
        Tensor<T> Load(string name) => Tensor<T>.FromDoubles(golden[name].ToDoubleArray(), golden[name].Shape.ToArray());
        Tensor<T>? LoadOptional(string name) => golden.Contains(name) ? Load(name) : null;
        double worstForward = 0, worstGradient = 0;

        Module<T> module;
        if (meta["module"].EndsWith("Cell", StringComparison.Ordinal))
        {
            var cell = BuildCell<T>(meta);
            module = cell;
            StateDictionary.Load(cell, golden);
            var (hidden, cellState, gradients) = RunCell(cell, Load("input"), Load("h0"), LoadOptional("c0"), Load("grad_h1"), LoadOptional("grad_c1"));
            worstForward = Math.Max(Close.Assert("h1", Load("h1"), hidden, forwardTolerance), CompareOptional("c1", LoadOptional("c1"), cellState, forwardTolerance));
            worstGradient = Math.Max(
                Close.Assert("grad.input", Load("grad.input"), gradients.Input, gradientTolerance),
                Close.Assert("grad.h0", Load("grad.h0"), gradients.Hidden, gradientTolerance));
            worstGradient = Math.Max(worstGradient, CompareOptional("grad.c0", LoadOptional("grad.c0"), gradients.Cell, gradientTolerance));
        }
        else
        {
            var layer = BuildStack<T>(meta);
            module = layer;
            StateDictionary.Load(layer, golden);
            int[]? lengths = golden.Contains("lengths") ? golden["lengths"].ToInt32Array() : null;
            var (result, gradients) = RunStack(layer, Load("input"), Load("h0"), LoadOptional("c0"), lengths, Load("grad_output"), Load("grad_h_n"), LoadOptional("grad_c_n"));
            worstForward = Math.Max(
                Close.Assert("output", Load("output"), result.Output, forwardTolerance),
                Close.Assert("h_n", Load("h_n"), result.HiddenState, forwardTolerance));
            worstForward = Math.Max(worstForward, CompareOptional("c_n", LoadOptional("c_n"), result.CellState, forwardTolerance));
            worstGradient = Math.Max(
                Close.Assert("grad.input", Load("grad.input"), gradients.Input, gradientTolerance),
                Close.Assert("grad.h0", Load("grad.h0"), gradients.InitialHidden, gradientTolerance));
            worstGradient = Math.Max(worstGradient, CompareOptional("grad.c0", LoadOptional("grad.c0"), gradients.InitialCell, gradientTolerance));
        }

        // the file's parameters are exactly the module's, and every parameter gradient matches
        var fileParameters = golden.Tensors.Select(t => t.Name).Where(n => n.StartsWith("weight_", StringComparison.Ordinal) || n.StartsWith("bias_", StringComparison.Ordinal));
        Assert.Equal(fileParameters.Order(StringComparer.Ordinal), module.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var parameter in module.Parameters)
        {
            worstGradient = Math.Max(worstGradient, Close.Assert("grad." + parameter.Name, Load("grad." + parameter.Name), parameter.Gradient, gradientTolerance));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(file)} {typeof(T).Name}: worst forward error {worstForward:E2}, worst gradient error {worstGradient:E2}"));
    }

    private static double CompareOptional<T>(string name, Tensor<T>? expected, Tensor<T>? actual, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected is null, actual is null);
        return expected is null ? 0 : Close.Assert(name, expected, actual!, tolerance);
    }

    private static RecurrentLayer<T> BuildStack<T>(IReadOnlyDictionary<string, string> meta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var options = new RecurrentOptions
        {
            InputSize = Int(meta, "input_size"),
            HiddenSize = Int(meta, "hidden_size"),
            NumLayers = Int(meta, "num_layers"),
            Bias = meta["bias"] == "true",
            BatchFirst = meta["batch_first"] == "true",
            Bidirectional = meta["bidirectional"] == "true",
            ProjectionSize = Int(meta, "proj_size"),
            Nonlinearity = meta["nonlinearity"] == "relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
        };
        return meta["module"] switch
        {
            "LSTM" => new Lstm<T>(options),
            "GRU" => new Gru<T>(options),
            "RNN" => new Rnn<T>(options),
            var other => throw new InvalidDataException($"Unknown module '{other}'."),
        };
    }

    private static RecurrentCell<T> BuildCell<T>(IReadOnlyDictionary<string, string> meta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int input = Int(meta, "input_size"), hidden = Int(meta, "hidden_size");
        bool bias = meta["bias"] == "true";
        return meta["module"] switch
        {
            "LSTMCell" => new LstmCell<T>(input, hidden, bias),
            "GRUCell" => new GruCell<T>(input, hidden, bias),
            "RNNCell" => new RnnCell<T>(input, hidden, bias, meta["nonlinearity"] == "relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh),
            var other => throw new InvalidDataException($"Unknown module '{other}'."),
        };
    }

    internal static (RecurrentResult<T> Result, RecurrentGradients<T> Gradients) RunStack<T>(
        RecurrentLayer<T> layer, Tensor<T> input, Tensor<T>? h0, Tensor<T>? c0, int[]? lengths,
        Tensor<T>? gradOutput, Tensor<T>? gradHidden, Tensor<T>? gradCell, bool training = false, RandomSource? random = null, bool recordStates = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (layer)
        {
            case Lstm<T> lstm:
            {
                var result = lstm.Forward(input, h0, c0, lengths, training, random);
                return (result, lstm.Backward(result, gradOutput, gradHidden, gradCell, recordStates));
            }

            case PeepholeLstm<T> peephole:
            {
                var result = peephole.Forward(input, h0, c0, lengths, training, random);
                return (result, peephole.Backward(result, gradOutput, gradHidden, gradCell, recordStates));
            }

            case Gru<T> gru:
            {
                var result = gru.Forward(input, h0, lengths, training, random);
                return (result, gru.Backward(result, gradOutput, gradHidden, recordStates));
            }

            case Rnn<T> rnn:
            {
                var result = rnn.Forward(input, h0, lengths, training, random);
                return (result, rnn.Backward(result, gradOutput, gradHidden, recordStates));
            }

            default:
                throw new ArgumentException("Unknown layer type.", nameof(layer));
        }
    }

    internal static (Tensor<T> Hidden, Tensor<T>? Cell, CellGradients<T> Gradients) RunCell<T>(
        RecurrentCell<T> cell, Tensor<T> input, Tensor<T>? h0, Tensor<T>? c0, Tensor<T>? gradHidden, Tensor<T>? gradCell)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (cell)
        {
            case LstmCell<T> lstm:
            {
                var result = lstm.Forward(input, h0, c0);
                return (result.Hidden, result.Cell, lstm.Backward(result, gradHidden, gradCell));
            }

            case GruCell<T> gru:
            {
                var result = gru.Forward(input, h0);
                return (result.Hidden, null, gru.Backward(result, gradHidden));
            }

            case RnnCell<T> rnn:
            {
                var result = rnn.Forward(input, h0);
                return (result.Hidden, null, rnn.Backward(result, gradHidden));
            }

            default:
                throw new ArgumentException("Unknown cell type.", nameof(cell));
        }
    }

    private static int Int(IReadOnlyDictionary<string, string> meta, string key) => int.Parse(meta[key], CultureInfo.InvariantCulture);
}
