// Dimension legend: T = time steps, B = batch, I = input features, H = hidden size, D = directions, G = gate blocks.
using System.Runtime.InteropServices;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Onnx;

/// <summary>
/// Runs an ONNX recurrent node on a Carnet <see cref="RecurrentLayer{T}"/>: the weights are converted once from ONNX's
/// gate order (LSTM i, o, f, c; GRU z, r, h) to PyTorch's (i, f, g, o; r, z, n) and the layer is kept on the node for
/// the next run, rebuilt only when the node reads other weight tensors.
/// </summary>
internal static class RecurrentLayerPath
{
    // For each PyTorch block, the ONNX block it comes from; peepholes p_i, p_f, p_o from ONNX's i, o, f.
    private static readonly int[] LstmBlocks = [0, 2, 3, 1];
    private static readonly int[] PeepholeBlocks = [0, 2, 1];
    private static readonly int[] GruBlocks = [1, 0, 2];
    private static readonly int[] RnnBlocks = [0];

    /// <summary>Whether the node computes what one of Carnet's cells does.</summary>
    public static bool Fits(RecurrentCall call)
    {
        var spec = call.Spec;
        bool defaultActivations = spec.Cell switch
        {
            OnnxCellKind.Lstm => Are(spec, RecurrentActivationKind.Sigmoid, RecurrentActivationKind.Tanh, RecurrentActivationKind.Tanh) && !spec.InputForget,
            OnnxCellKind.Gru => Are(spec, RecurrentActivationKind.Sigmoid, RecurrentActivationKind.Tanh) && spec.LinearBeforeReset,
            _ => Are(spec, RecurrentActivationKind.Tanh) || Are(spec, RecurrentActivationKind.Relu),
        };
        bool sameDirections = call.Directions == 1 || call.SpecOf(1).Activations.SequenceEqual(spec.Activations);
        return defaultActivations && sameDirections && spec.Clip == 0 && !call.ReverseOnly && !call.Lengths.Contains(0);
    }

    /// <summary>Y (T, D, B, H) time-major, Y_h and Y_c (D, B, H), as the reference path returns them.</summary>
    public static (float[] Y, float[] Hidden, float[]? Cell) Run(RecurrentCall call)
    {
        var layer = LayerFor(call);
        int t = call.Steps, b = call.Batch, d = call.Directions, h = call.Hidden;
        var input = new Tensor<float>(call.TimeMajorInput(), t, b, call.InputSize); // (T, B, I)
        using var result = layer.ForwardCore(
            input, State(call, call.H0), State(call, call.C0), call.Lengths.Length > 0 ? call.Lengths : null, training: false, random: null);
        float[] output = Owned(result.Output); // (T, B, D·H)
        float[] y = output;
        if (d == 2)
        {
            y = new float[output.Length]; // (T, D, B, H)
            for (int step = 0; step < t; step++)
            {
                Elementwise.TransposeLeadingAxes<float>(output.AsSpan(step * b * d * h, b * d * h), b, d, h, y.AsSpan(step * b * d * h, b * d * h));
            }
        }

        return (y, result.HiddenState.Span.ToArray(), result.CellState?.Span.ToArray());
    }

    // The array behind a time-major layer's output, which the layer hands over whole (no copy), or a copy of a view.
    private static float[] Owned(Tensor<float> output)
        => MemoryMarshal.TryGetArray<float>(output.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : output.Span.ToArray();

    private static bool Are(OnnxCellSpec spec, params RecurrentActivationKind[] kinds)
        => spec.Activations.Select(a => a.Kind).SequenceEqual(kinds);

    // initial_h or initial_c as Carnet wants it: (D, B, H), transposed from layout 1's (B, D, H).
    private static Tensor<float>? State(RecurrentCall call, OnnxTensor? state)
    {
        if (state is null)
        {
            return null;
        }

        int d = call.Directions, b = call.Batch, h = call.Hidden;
        if (call.Layout == 0)
        {
            return new Tensor<float>(state.FloatArray, d, b, h);
        }

        var values = new float[state.Length];
        Elementwise.TransposeLeadingAxes<float>(state.Floats, b, d, h, values);
        return new Tensor<float>(values, d, b, h);
    }

    private static RecurrentLayer<float> LayerFor(RecurrentCall call)
    {
        if (call.Node.State is CachedLayer cached && cached.Matches(call))
        {
            return cached.Layer;
        }

        var layer = RecurrentCells.CreateLayer<float>(call.CarnetKind, call.LayerOptions, new RandomSource(0));
        CopyWeights(call, layer, 0);
        layer.Freeze(); // the node's weights do not change while it reads the same tensors: packed once, for every run
        call.Node.State = new CachedLayer(call.W, call.R, call.B, call.P, layer);
        return layer;
    }

    /// <summary>Copies a node's weights, biases included, into layer <paramref name="layerIndex"/> of a Carnet stack.</summary>
    public static void CopyWeights(RecurrentCall call, RecurrentLayer<float> layer, int layerIndex)
    {
        int[] blocks = call.Cell switch { OnnxCellKind.Lstm => LstmBlocks, OnnxCellKind.Gru => GruBlocks, _ => RnnBlocks };
        int h = call.Hidden, gh = blocks.Length * h, input = call.InputSize;
        for (int d = 0; d < call.Directions; d++)
        {
            string suffix = $"_l{layerIndex}" + (d == 1 ? "_reverse" : string.Empty);
            Reorder(call.W.Floats.Slice(d * gh * input, gh * input), blocks, h * input, layer.GetParameter("weight_ih" + suffix));
            Reorder(call.R.Floats.Slice(d * gh * h, gh * h), blocks, h * h, layer.GetParameter("weight_hh" + suffix));
            if (call.B is not null)
            {
                Reorder(call.B.Floats.Slice(d * 2 * gh, gh), blocks, h, layer.GetParameter("bias_ih" + suffix));
                Reorder(call.B.Floats.Slice(d * 2 * gh + gh, gh), blocks, h, layer.GetParameter("bias_hh" + suffix));
            }

            if (call.HasPeepholes)
            {
                Reorder(call.P!.Floats.Slice(d * 3 * h, 3 * h), PeepholeBlocks, h, layer.GetParameter("weight_peephole" + suffix));
            }
        }
    }

    // Copies ONNX gate blocks of blockSize values into a PyTorch-ordered parameter.
    private static void Reorder(ReadOnlySpan<float> source, int[] blocks, int blockSize, Parameter<float> destination)
    {
        for (int k = 0; k < blocks.Length; k++)
        {
            source.Slice(blocks[k] * blockSize, blockSize).CopyTo(destination.Value.Span.Slice(k * blockSize, blockSize));
        }
    }

    /// <summary>A layer built from a node's weight tensors, valid while the node reads the same tensors.</summary>
    private sealed record CachedLayer(OnnxTensor W, OnnxTensor R, OnnxTensor? B, OnnxTensor? P, RecurrentLayer<float> Layer)
    {
        public bool Matches(RecurrentCall call)
            => ReferenceEquals(W, call.W) && ReferenceEquals(R, call.R) && ReferenceEquals(B, call.B) && ReferenceEquals(P, call.P);
    }
}
