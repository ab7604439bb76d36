// Dimension legend: B = batch, T = time steps, I = input features, E = embedding size, F = recurrent output features
// (D·H), O = outputs.
using Carnet.Models;
using Carnet.Onnx.Protocol;

namespace Carnet.Onnx;

/// <summary>
/// A <see cref="SequenceModel{T}"/> as an ONNX graph: input (B, T, I) floats or (B, T) int64 token ids, optional lengths
/// (B), embedding (Gather), the recurrent stack, pooling over each sequence's valid steps, the head; output prediction
/// (B, O), or (B, T, O) without pooling.
/// </summary>
internal sealed class OnnxSequenceGraph
{
    private readonly OnnxGraphBuilder graph = new();
    private readonly SequenceModel<float> model;
    private readonly string lengths;

    private OnnxSequenceGraph(SequenceModel<float> model, bool variableLengths)
    {
        this.model = model;
        var o = model.Options;
        object steps = o.Pooling == Pooling.Flatten ? o.Steps : "steps";
        Input = o.VocabularySize > 0
            ? graph.Input("input", OnnxElementType.Int64, "batch", steps)
            : graph.Input("input", OnnxElementType.Float, "batch", steps, o.Recurrent.InputSize);
        lengths = variableLengths ? graph.Input("lengths", OnnxElementType.Int64, "batch") : string.Empty;
    }

    private string Input { get; }

    public static ModelProto Build(SequenceModel<float> model, OnnxExportOptions options)
    {
        var o = model.Options;
        bool variable = options.VariableLengths ?? (o.VocabularySize > 0 && o.Pooling != Pooling.Flatten);
        if (variable && o.Pooling == Pooling.Flatten)
        {
            throw new OnnxExportException($"a flatten-pooled model reads exactly {o.Steps} steps; it takes no lengths");
        }

        var builder = new OnnxSequenceGraph(model, variable);
        return builder.Emit();
    }

    private ModelProto Emit()
    {
        var o = model.Options;
        string features = model.Embedding is { } embedding
            ? graph.Node("Gather", [graph.Initializer("embedding.weight", embedding.GetParameter("weight").Value.Span, o.VocabularySize, o.Recurrent.InputSize), Input])
            : Input; // (B, T, I)
        string timeMajor = graph.Node("Transpose", [features], ("perm", new long[] { 1, 0, 2 })); // (T, B, I)
        string sequenceLengths = lengths.Length > 0 ? graph.Node("Cast", [lengths], ("to", (long)OnnxElementType.Int32)) : string.Empty;
        string recurrent = OnnxRecurrentExport.Stack(graph, model.Recurrent, "rnn.", timeMajor, sequenceLengths); // (T, B, F)
        string output = graph.Node("Transpose", [recurrent], ("perm", new long[] { 1, 0, 2 })); // (B, T, F)
        string pooled = Pool(output);
        Head(pooled);
        int width = o.OutputSize;
        object[] dims = o.Pooling == Pooling.None ? ["batch", "steps", width] : ["batch", width];
        graph.Output("prediction", OnnxElementType.Float, dims);
        string cell = Layers.RecurrentCells.Of(o.Cell).Name;
        return graph.Build($"carnet-{cell.ToLowerInvariant()}-{o.Pooling.ToString().ToLowerInvariant()}",
            $"A Carnet sequence model: {(o.VocabularySize > 0 ? "embedding, " : "")}{o.Recurrent.NumLayers}-layer {cell}, {o.Pooling} pooling, {width} outputs.");
    }

    // (B, T, F) to what the head reads: (B, F), (B, T·F) or (B, T, F).
    private string Pool(string output) => model.Pooling switch
    {
        Pooling.None => output,
        Pooling.Flatten => graph.Node("Reshape", [output, graph.Integers("pool.shape", 0, -1)]),
        Pooling.Last => lengths.Length == 0
            ? graph.Node("Gather", [output, graph.Initializer("pool.last", [-1L])], ("axis", 1L))
            : Last(output),
        Pooling.Mean => lengths.Length == 0
            ? graph.Node("ReduceMean", [output], ("axes", new long[] { 1 }), ("keepdims", 0L))
            : graph.Node("Div", [graph.Node("ReduceSum", [output, graph.Integers("pool.axes", 1)], ("keepdims", 0L)), LengthColumn()]),
        Pooling.Max => graph.Node("ReduceMax", [lengths.Length == 0 ? output : Masked(output)], ("axes", new long[] { 1 }), ("keepdims", 0L)),
        _ => Attention(output),
    };

    // Each sequence's output at its last valid step: GatherElements at lengths − 1 along T.
    private string Last(string output)
    {
        string last = graph.Node("Sub", [lengths, graph.Initializer("pool.one", [1L])]); // (B)
        string index = graph.Node("Unsqueeze", [last, graph.Integers("pool.index_axes", 1, 2)]); // (B, 1, 1)
        string width = graph.Integers("pool.index_shape", 1, 1, model.Recurrent.OutputSize);
        string gathered = graph.Node("GatherElements", [output, graph.Node("Expand", [index, width])], ("axis", 1L)); // (B, 1, F)
        return graph.Node("Squeeze", [gathered, graph.Integers("pool.squeeze_axes", 1)]);
    }

    // (B, T, 1) true at valid steps: t < length.
    private string ValidSteps(string output)
    {
        string steps = graph.Node("Gather", [graph.Node("Shape", [output]), graph.Initializer("pool.time_axis", [1L])]); // T
        string positions = graph.Node("Range", [graph.Initializer("pool.zero", [0L]), steps, graph.Initializer("pool.step", [1L])]); // (T)
        string column = graph.Node("Unsqueeze", [lengths, graph.Integers("pool.length_axes", 1)]); // (B, 1)
        string valid = graph.Node("Less", [graph.Node("Unsqueeze", [positions, graph.Integers("pool.position_axes", 0)]), column]); // (B, T)
        return graph.Node("Unsqueeze", [valid, graph.Integers("pool.valid_axes", 2)]); // (B, T, 1)
    }

    // The output with padded steps at −∞, for the maximum.
    private string Masked(string values) => graph.Node("Where", [ValidSteps(values), values, graph.Initializer("pool.minus_infinity", [float.NegativeInfinity])]);

    // The lengths as a float column (B, 1), for the mean.
    private string LengthColumn()
        => graph.Node("Unsqueeze", [graph.Node("Cast", [lengths], ("to", (long)OnnxElementType.Float)), graph.Integers("pool.mean_axes", 1)]);

    // Scores s_t = w·h_t + b, a softmax over the valid steps, the weighted sum of h_t.
    private string Attention(string output)
    {
        var scorer = model.Attention!;
        int width = model.Recurrent.OutputSize;
        string weight = graph.Initializer("attention.weight_t", scorer.GetParameter("weight").Value.Span, width, 1);
        string scores = graph.Node("Add", [graph.Node("MatMul", [output, weight]), graph.Initializer("attention.bias", scorer.GetParameter("bias").Value.Span, 1)]);
        string valid = lengths.Length == 0 ? scores : graph.Node("Where", [ValidSteps(output), scores, graph.Initializer("pool.attention_floor", [float.NegativeInfinity])]);
        string weights = graph.Node("Softmax", [valid], ("axis", 1L)); // (B, T, 1)
        return graph.Node("ReduceSum", [graph.Node("Mul", [output, weights]), graph.Integers("pool.sum_axes", 1)], ("keepdims", 0L)); // (B, F)
    }

    private void Head(string pooled)
    {
        var head = model.Head;
        var weight = head.GetParameter("weight");
        int outputs = weight.Shape[0], inputs = weight.Shape[1];
        string bias = graph.Initializer("head.bias", head.GetParameter("bias").Value.Span, outputs);
        if (model.Pooling == Pooling.None)
        {
            var transposed = new float[inputs * outputs]; // (F, O)
            Kernels.Elementwise.TransposeLeadingAxes<float>(weight.Value.Span, outputs, inputs, 1, transposed);
            graph.Node("Add", [graph.Node("MatMul", [pooled, graph.Initializer("head.weight_t", transposed, inputs, outputs)]), bias]);
        }
        else
        {
            graph.Node("Gemm", [pooled, graph.Initializer("head.weight", weight.Value.Span, outputs, inputs), bias], ("transB", 1L));
        }

        graph.NameLastOutput("prediction");
    }
}
