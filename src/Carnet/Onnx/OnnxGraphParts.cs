// Dimension legend: B = batch, T = time steps, I = input features, V = vocabulary, E = embedding size, H = hidden size,
// D = directions, G = gate blocks, F = recurrent output features (D·H), O = outputs.
using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Models;

namespace Carnet.Onnx;

/// <summary>How a check batch is fed to a graph: its layout, B and T, and whether the graph fixes T.</summary>
internal sealed record ProbeShape(bool TimeMajor, int Batch, int Steps, bool StepsFixed);

/// <summary>
/// The pieces of a graph that a native sequence model is made of, read from its constants: the embedding table, the
/// recurrent nodes (one per layer), the attention scorer and the head. <see cref="OnnxImport"/> checks the result.
/// </summary>
internal sealed class OnnxGraphParts
{
    private const int ProbeBatch = 3, ProbeSteps = 6;

    private readonly OnnxModel model;
    private readonly Dictionary<string, OnnxTensor> constants;
    private readonly List<RecurrentCall> layers = [];
    private OnnxTensor? embedding; // (V, E)
    private (OnnxTensor Weight, OnnxTensor? Bias) head; // (O, F), (O)
    private (OnnxTensor Weight, OnnxTensor? Bias)? scorer; // (1, F), (1)

    private OnnxGraphParts(OnnxModel model)
    {
        this.model = model;
        constants = model.FoldConstants();
        var inputs = model.Inputs;
        DataInput = inputs.Count is 1 or 2 ? inputs[0] : throw Fail($"it has {inputs.Count} inputs; a sequence model reads one (and its lengths)");
        LengthsInput = inputs.Count == 2 ? inputs[1] : null;
        if (LengthsInput is { ElementType: not (OnnxElementType.Int64 or OnnxElementType.Int32) })
        {
            throw Fail($"its second input {LengthsInput} is not integer lengths");
        }
    }

    public OnnxValueInfo DataInput { get; }

    public OnnxValueInfo? LengthsInput { get; }

    /// <summary>The ways to feed the graph a check batch: batch-first and time-major, with the sizes the input fixes.</summary>
    public IReadOnlyList<ProbeShape> Shapes { get; private set; } = [];

    private bool Tokens => embedding is not null;

    public static OnnxGraphParts Find(OnnxModel model)
    {
        var parts = new OnnxGraphParts(model);
        parts.ReadRecurrentNodes();
        parts.ReadEmbedding();
        parts.ReadLinearLayers();
        parts.ReadInputShape();
        return parts;
    }

    /// <summary>The configurations worth checking for a check shape: one per pooling the graph could hold.</summary>
    public IEnumerable<SequenceModelOptions> Candidates(ProbeShape shape)
    {
        var first = layers[0];
        var recurrent = first.LayerOptions with { NumLayers = layers.Count, BatchFirst = true };
        var options = new SequenceModelOptions
        {
            Cell = first.CarnetKind, Recurrent = recurrent, VocabularySize = embedding?.Shape[0] ?? 0, OutputSize = head.Weight.Shape[0],
        };
        int features = recurrent.OutputSize, headInputs = head.Weight.Shape[1];
        if (shape.StepsFixed && headInputs == shape.Steps * features && shape.Steps > 1)
        {
            yield return options with { Pooling = Pooling.Flatten, Steps = shape.Steps };
            yield break;
        }

        if (headInputs != features)
        {
            yield break; // not under this shape: flatten needs the steps the graph fixes
        }

        Pooling[] poolings = scorer is null ? [Pooling.Last, Pooling.Mean, Pooling.Max, Pooling.None] : [Pooling.Attention];
        foreach (var pooling in poolings)
        {
            yield return options with { Pooling = pooling };
        }
    }

    /// <summary>Why no candidate fits any check shape, for the error.</summary>
    public string NoCandidate => $"its head reads {head.Weight.Shape[1]} features where the recurrent stack gives {layers[0].Directions * layers[0].Hidden}";

    /// <summary>A native model with the graph's weights.</summary>
    public SequenceModel<float> Build(SequenceModelOptions options)
    {
        var native = new SequenceModel<float>(options, new RandomSource(0));
        embedding?.Floats.CopyTo(native.Embedding!.GetParameter("weight").Value.Span);
        for (int l = 0; l < layers.Count; l++)
        {
            RecurrentLayerPath.CopyWeights(layers[l], native.Recurrent, l);
        }

        CopyLinear(head, native.Head);
        if (scorer is { } attention)
        {
            CopyLinear(attention, native.Attention!);
        }

        return native;
    }

    /// <summary>Random check inputs for the native model: token ids below V, or features in [−1, 1).</summary>
    public SequenceBatch<float> Probe(RandomSource random, int batch, int steps, int[] lengths)
    {
        int[]? valid = lengths.Length > 0 ? lengths : null;
        if (Tokens)
        {
            int vocabulary = embedding!.Shape[0];
            return SequenceBatch<float>.FromTokens([.. Enumerable.Range(0, batch * steps).Select(_ => random.NextInt(vocabulary))], batch, steps, valid);
        }

        int inputs = layers[0].InputSize;
        var features = Tensor<float>.Zeros(batch, steps, inputs); // (B, T, I)
        for (int i = 0; i < features.Length; i++)
        {
            features.Span[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return SequenceBatch<float>.FromFeatures(features, valid);
    }

    /// <summary>The native batch as the graph reads it: (B, T, …) or transposed to (T, B, …).</summary>
    public OnnxTensor GraphInput(SequenceBatch<float> batch, bool timeMajor)
    {
        int b = batch.Batch, t = batch.Steps, inner = Tokens ? 1 : layers[0].InputSize;
        if (Tokens)
        {
            long[] ids = [.. batch.Tokens!.Select(id => (long)id)];
            var values = timeMajor ? new long[ids.Length] : ids;
            if (timeMajor)
            {
                Elementwise.TransposeLeadingAxes<long>(ids, b, t, inner, values);
            }

            return DataInput.ElementType == OnnxElementType.Int32
                ? OnnxTensor.FromInt32([.. values.Select(v => (int)v)], timeMajor ? [t, b] : [b, t])
                : OnnxTensor.FromInt64(values, timeMajor ? [t, b] : [b, t]);
        }

        var floats = batch.Features!.Span.ToArray();
        var laidOut = timeMajor ? new float[floats.Length] : floats;
        if (timeMajor)
        {
            Elementwise.TransposeLeadingAxes<float>(floats, b, t, inner, laidOut);
        }

        return OnnxTensor.FromFloats(laidOut, timeMajor ? [t, b, inner] : [b, t, inner]);
    }

    private void ReadRecurrentNodes()
    {
        foreach (var node in model.Nodes.Where(n => n.OpType is "LSTM" or "GRU" or "RNN"))
        {
            var kind = node.OpType switch { "LSTM" => OnnxCellKind.Lstm, "GRU" => OnnxCellKind.Gru, _ => OnnxCellKind.Rnn };
            var call = ReadCall(node, kind);
            if (!RecurrentLayerPath.Fits(call))
            {
                throw Fail($"node '{node.Name}' ({node.OpType}) has attributes no Carnet cell has (activations, clip, coupled gates, reverse only)");
            }

            var previous = layers.Count > 0 ? layers[^1] : null;
            if (previous is not null && (previous.CarnetKind != call.CarnetKind || previous.Hidden != call.Hidden || previous.Directions != call.Directions
                || (previous.B is null) != (call.B is null) || previous.Spec.Activations[0] != call.Spec.Activations[0]
                || call.InputSize != previous.Directions * previous.Hidden))
            {
                throw Fail($"node '{node.Name}' ({node.OpType}) does not stack on '{previous.Node.Name}' as the layers of one Carnet stack do");
            }

            layers.Add(call);
        }

        if (layers.Count == 0)
        {
            throw Fail("it has no LSTM, GRU or RNN node");
        }
    }

    // A recurrent node's call with its constant weights and a one-step stand-in input of the right width.
    private RecurrentCall ReadCall(OnnxNode node, OnnxCellKind kind)
    {
        OnnxTensor? Constant(int index) => index < node.Inputs.Length && node.Inputs[index].Length > 0 ? constants.GetValueOrDefault(node.Inputs[index]) : null;
        var w = Constant(1) ?? throw Fail($"node '{node.Name}' ({node.OpType}) computes its weights W from the graph's inputs");
        var r = Constant(2) ?? throw Fail($"node '{node.Name}' ({node.OpType}) computes its weights R from the graph's inputs");
        if (w.Rank != 3)
        {
            throw Fail($"node '{node.Name}' ({node.OpType}) has W {w}");
        }

        // initial states are not read here: PyTorch's exporter builds zeros of the input's batch size, and a non-zero
        // state shows in the check of the native model against the graph
        bool hasBias = node.Inputs.Length > 3 && node.Inputs[3].Length > 0;
        var bias = hasBias ? Constant(3) ?? throw Fail($"node '{node.Name}' ({node.OpType}) computes its biases from the graph's inputs") : null;
        bool hasPeepholes = node.Inputs.Length > 7 && node.Inputs[7].Length > 0;
        var peepholes = hasPeepholes ? Constant(7) ?? throw Fail($"node '{node.Name}' ({node.OpType}) computes its peepholes from the graph's inputs") : null;
        return RecurrentCall.Read(node, [OnnxTensor.Zeros(OnnxElementType.Float, [1, 1, w.Shape[2]]), w, r, bias, null, null, null, peepholes], kind);
    }

    private void ReadEmbedding()
    {
        var gathers = model.Nodes.Where(n => n.OpType == "Gather" && constants.TryGetValue(n.Inputs[0], out var table) && table.IsFloat && table.Rank == 2
            && !constants.ContainsKey(n.Inputs[1])).ToList();
        if (gathers.Count > 1)
        {
            throw Fail($"it looks up {gathers.Count} embedding tables; a sequence model has one");
        }

        embedding = gathers.Count == 1 ? constants[gathers[0].Inputs[0]] : null;
        if (embedding is not null && embedding.Shape[1] != layers[0].InputSize)
        {
            throw Fail($"its embedding has {embedding.Shape[1]} features where the first recurrent layer reads {layers[0].InputSize}");
        }

        if (embedding is null && DataInput.ElementType != OnnxElementType.Float)
        {
            throw Fail($"its input {DataInput} holds integers but no embedding reads them");
        }
    }

    // The linear layers after the last recurrent node: the head (the last), and an attention scorer (F → 1) before it.
    private void ReadLinearLayers()
    {
        int last = model.Nodes.ToList().IndexOf(layers[^1].Node);
        var linear = model.Nodes.Skip(last + 1).Select(ReadLinear).OfType<(OnnxTensor, OnnxTensor?)>().ToList();
        if (linear.Count == 0 || linear.Count > 2)
        {
            throw Fail($"it has {linear.Count} linear layers after its recurrent stack; a sequence model has a head (and an attention scorer)");
        }

        head = linear[^1];
        scorer = linear.Count == 2 ? linear[0] : null;
        if (scorer is { } s && s.Weight.Shape[0] != 1)
        {
            throw Fail($"the layer before its head gives {s.Weight.Shape[0]} values; an attention scorer gives 1");
        }
    }

    // A Gemm, or a MatMul followed by an Add, with constant weights: (weight (O, F), bias (O) or null), else null.
    private (OnnxTensor Weight, OnnxTensor? Bias)? ReadLinear(OnnxNode node)
    {
        if (node.OpType is not ("Gemm" or "MatMul") || !constants.TryGetValue(node.Inputs[1], out var weight) || weight.Rank != 2 || !weight.IsFloat)
        {
            return null;
        }

        bool transposed = node.OpType == "Gemm" && node.Int("transB", 0) != 0;
        if (node.OpType == "Gemm" && (node.Float("alpha", 1) != 1 || node.Float("beta", 1) != 1 || node.Int("transA", 0) != 0))
        {
            throw Fail($"node '{node.Name}' (Gemm) scales or transposes its input; a linear layer does not");
        }

        var matrix = transposed ? weight : Transpose(weight); // (O, F)
        OnnxTensor? bias = node.OpType == "Gemm" && node.Inputs.Length > 2 && node.Inputs[2].Length > 0 ? constants.GetValueOrDefault(node.Inputs[2]) : null;
        if (node.OpType == "MatMul")
        {
            var add = model.Nodes.FirstOrDefault(n => n.OpType == "Add" && n.Inputs.Contains(node.Outputs[0]));
            string? other = add?.Inputs.FirstOrDefault(i => i != node.Outputs[0]);
            bias = other is not null ? constants.GetValueOrDefault(other) : null;
        }

        return bias is null || bias.Length == matrix.Shape[0] ? (matrix, bias) : throw Fail($"node '{node.Name}' ({node.OpType}) adds a bias of {bias}");
    }

    // The check shapes: each way the graph input's dimensions can be (B, T) or (T, B), fixed sizes kept.
    private void ReadInputShape()
    {
        var dims = DataInput.Dimensions;
        int rank = Tokens ? 2 : 3;
        if (dims is not null && dims.Count != rank)
        {
            throw Fail($"its input is {DataInput}; a {(Tokens ? "token" : "feature")} sequence model reads rank {rank}");
        }

        int? Fixed(int index) => int.TryParse(dims?[index], out int size) ? size : null;
        int? d0 = Fixed(0), d1 = Fixed(1);
        Shapes =
        [
            new ProbeShape(false, d0 ?? ProbeBatch, d1 ?? ProbeSteps, d1 is not null),
            new ProbeShape(true, d1 ?? ProbeBatch, d0 ?? ProbeSteps, d0 is not null),
        ];
    }

    private static void CopyLinear((OnnxTensor Weight, OnnxTensor? Bias) source, Linear<float> destination)
    {
        source.Weight.Floats.CopyTo(destination.GetParameter("weight").Value.Span);
        var bias = destination.GetParameter("bias").Value.Span;
        if (source.Bias is { } b)
        {
            b.Floats.CopyTo(bias);
        }
        else
        {
            bias.Clear();
        }
    }

    private static OnnxTensor Transpose(OnnxTensor matrix)
    {
        int rows = matrix.Shape[0], columns = matrix.Shape[1];
        var values = new float[matrix.Length];
        Elementwise.TransposeLeadingAxes<float>(matrix.Floats, rows, columns, 1, values);
        return OnnxTensor.FromFloats(values, columns, rows);
    }

    private OnnxFormatException Fail(string reason) => new($"{model.Source}: not importable as a Carnet sequence model: {reason}");
}
