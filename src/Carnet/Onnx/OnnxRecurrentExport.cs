// Dimension legend: T = time steps, B = batch, I = input features, H = hidden size, D = directions, G = gate blocks,
// F = D·H.
using Carnet.Layers;

namespace Carnet.Onnx;

/// <summary>A Carnet recurrent stack as ONNX nodes: one LSTM, GRU or RNN node per layer, weights in ONNX's gate order.</summary>
internal static class OnnxRecurrentExport
{
    // For each ONNX block, the PyTorch block it comes from: LSTM i, o, f, c ← i, f, g, o; GRU z, r, h ← r, z, n;
    // peepholes i, o, f ← Carnet's p_i, p_f, p_o.
    private static readonly int[] LstmBlocks = [0, 3, 1, 2];
    private static readonly int[] PeepholeBlocks = [0, 2, 1];
    private static readonly int[] GruBlocks = [1, 0, 2];
    private static readonly int[] RnnBlocks = [0];

    /// <summary>
    /// Adds the stack reading <paramref name="input"/> (T, B, I) with optional <paramref name="sequenceLengths"/>
    /// (int32 (B), "" for none); returns the name of the top layer's output sequence (T, B, F), zero at padded steps.
    /// </summary>
    /// <exception cref="OnnxExportException">The stack has a projection, which ONNX's LSTM lacks.</exception>
    public static string Stack(OnnxGraphBuilder graph, RecurrentLayer<float> layer, string prefix, string input, string sequenceLengths)
    {
        var o = layer.Options;
        if (o.ProjectionSize > 0)
        {
            throw new OnnxExportException(
                $"an LSTM with a projection (proj_size {o.ProjectionSize}) cannot be exported: ONNX's LSTM operator has no projection, " +
                    $"so h would be {o.HiddenSize} wide instead of {o.ProjectionSize}");
        }

        int d = layer.Directions;
        string x = input;
        for (int l = 0; l < o.NumLayers; l++)
        {
            string y = Layer(graph, layer, l, $"{prefix}l{l}", x, sequenceLengths)[0]; // (T, D, B, H)
            x = d == 1
                ? graph.Node("Squeeze", [y, graph.Integers($"{prefix}l{l}.squeeze_axes", 1)]) // (T, B, H)
                : graph.Node("Reshape", [graph.Node("Transpose", [y], ("perm", new long[] { 0, 2, 1, 3 })), graph.Integers($"{prefix}l{l}.shape", 0, 0, -1)]);
        }

        return x; // (T, B, D·H)
    }

    /// <summary>Adds layer <paramref name="l"/> as one ONNX node; returns its outputs Y (T, D, B, H) and Y_h (D, B, H).</summary>
    public static string[] Layer(OnnxGraphBuilder graph, RecurrentLayer<float> layer, int l, string name, string input, string sequenceLengths)
    {
        var o = layer.Options;
        int[] blocks = layer.Kind switch { RecurrentCellKind.Lstm or RecurrentCellKind.PeepholeLstm => LstmBlocks, RecurrentCellKind.Gru => GruBlocks, _ => RnnBlocks };
        int d = layer.Directions, h = o.HiddenSize, inputs = l == 0 ? o.InputSize : d * h;
        string w = graph.Initializer($"{name}.W", Gather(layer, "weight_ih", l, blocks, h * inputs), d, blocks.Length * h, inputs);
        string r = graph.Initializer($"{name}.R", Gather(layer, "weight_hh", l, blocks, h * h), d, blocks.Length * h, h);
        string b = o.Bias ? graph.Initializer($"{name}.B", Biases(layer, l, blocks, h), d, 2 * blocks.Length * h) : string.Empty;
        var attributes = new List<(string, object)> { ("hidden_size", (long)h), ("direction", d == 2 ? "bidirectional" : "forward") };
        if (layer.Kind == RecurrentCellKind.Gru)
        {
            attributes.Add(("linear_before_reset", 1L));
        }

        if (layer.Kind == RecurrentCellKind.Rnn)
        {
            attributes.Add(("activations", Enumerable.Repeat(o.Nonlinearity == RnnNonlinearity.Relu ? "Relu" : "Tanh", d).ToArray()));
        }

        if (layer.Kind == RecurrentCellKind.PeepholeLstm)
        {
            string p = graph.Initializer($"{name}.P", Gather(layer, "weight_peephole", l, PeepholeBlocks, h), d, 3 * h);
            return graph.Node("LSTM", [input, w, r, b, sequenceLengths, string.Empty, string.Empty, p], 2, [.. attributes]);
        }

        return graph.Node(RecurrentCells.Of(layer.Kind).Name, [input, w, r, b, sequenceLengths], 2, [.. attributes]);
    }

    // One parameter of every direction of layer l, its gate blocks in ONNX's order: (D, G·H, K) flattened.
    private static float[] Gather(RecurrentLayer<float> layer, string name, int l, int[] blocks, int blockSize)
    {
        var values = new float[layer.Directions * blocks.Length * blockSize];
        for (int d = 0; d < layer.Directions; d++)
        {
            var source = layer.GetParameter(name + RecurrentLayer<float>.Suffix(l, d)).Value.Span;
            for (int k = 0; k < blocks.Length; k++)
            {
                source.Slice(blocks[k] * blockSize, blockSize).CopyTo(values.AsSpan((d * blocks.Length + k) * blockSize, blockSize));
            }
        }

        return values;
    }

    // B (D, 2·G·H): each direction's input biases then its recurrent biases, in ONNX's gate order.
    private static float[] Biases(RecurrentLayer<float> layer, int l, int[] blocks, int h)
    {
        float[] input = Gather(layer, "bias_ih", l, blocks, h), hidden = Gather(layer, "bias_hh", l, blocks, h);
        int width = blocks.Length * h;
        var values = new float[2 * input.Length];
        for (int d = 0; d < layer.Directions; d++)
        {
            input.AsSpan(d * width, width).CopyTo(values.AsSpan(2 * d * width, width));
            hidden.AsSpan(d * width, width).CopyTo(values.AsSpan((2 * d + 1) * width, width));
        }

        return values;
    }
}
