// Dimension legend: T = time steps, B = batch, I = input features, H = hidden size, D = directions, G = gate blocks.
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Onnx;

/// <summary>One call of an ONNX recurrent operator, its inputs and attributes read and checked against each other.</summary>
internal sealed class RecurrentCall
{
    private static readonly string[] ActivationNames = Enum.GetNames<RecurrentActivationKind>();

    private RecurrentCall(OnnxNode node, OnnxCellKind cell, OnnxTensor x, OnnxTensor w, OnnxTensor r)
    {
        Node = node;
        Cell = cell;
        X = x;
        W = w;
        R = r;
    }

    public OnnxNode Node { get; }

    public OnnxCellKind Cell { get; }

    /// <summary>X: (T, B, I) in layout 0, (B, T, I) in layout 1.</summary>
    public OnnxTensor X { get; }

    /// <summary>W: (D, G·H, I) in ONNX's gate order.</summary>
    public OnnxTensor W { get; }

    /// <summary>R: (D, G·H, H).</summary>
    public OnnxTensor R { get; }

    /// <summary>B: (D, 2·G·H), the input biases then the recurrent ones, or null.</summary>
    public OnnxTensor? B { get; private set; }

    /// <summary>initial_h: (D, B, H) in layout 0, (B, D, H) in layout 1, or null for zeros.</summary>
    public OnnxTensor? H0 { get; private set; }

    /// <summary>initial_c (LSTM): as initial_h.</summary>
    public OnnxTensor? C0 { get; private set; }

    /// <summary>P (LSTM): (D, 3H) peepholes i, o, f, or null.</summary>
    public OnnxTensor? P { get; private set; }

    /// <summary>Each sequence's length (B), or empty when every sequence has T steps.</summary>
    public int[] Lengths { get; private set; } = [];

    public int Layout { get; private set; }

    public int Directions { get; private set; }

    /// <summary>Whether the one direction runs backwards (direction = reverse).</summary>
    public bool ReverseOnly { get; private set; }

    public int Steps { get; private set; }

    public int Batch { get; private set; }

    public int InputSize { get; private set; }

    public int Hidden { get; private set; }

    /// <summary>The cell of the forward direction; <see cref="SpecOf"/> gives each direction's.</summary>
    public OnnxCellSpec Spec => specs[0];

    private OnnxCellSpec[] specs = [];

    public static RecurrentCall Read(OnnxNode node, OnnxTensor?[] inputs, OnnxCellKind cell)
    {
        OnnxTensor Float(int index)
        {
            var tensor = OnnxNode.Required(node, inputs, index);
            return tensor.IsFloat ? tensor : throw node.Fail($"input {index} is {tensor}; expected float");
        }

        OnnxTensor? Optional(int index) => index < inputs.Length && inputs[index] is { } tensor
            ? (tensor.IsFloat ? tensor : throw node.Fail($"input {index} is {tensor}; expected float"))
            : null;

        var call = new RecurrentCall(node, cell, Float(0), Float(1), Float(2)) { B = Optional(3), H0 = Optional(5) };
        if (cell == OnnxCellKind.Lstm)
        {
            call.C0 = Optional(6);
            call.P = Optional(7);
        }

        call.ReadShapes(inputs.Length > 4 ? inputs[4] : null);
        call.specs = [.. Enumerable.Range(0, call.Directions).Select(call.ReadSpec)];
        return call;
    }

    /// <summary>The Carnet cell this node's cell is.</summary>
    public RecurrentCellKind CarnetKind => Cell switch
    {
        OnnxCellKind.Lstm => HasPeepholes ? RecurrentCellKind.PeepholeLstm : RecurrentCellKind.Lstm,
        OnnxCellKind.Gru => RecurrentCellKind.Gru,
        _ => RecurrentCellKind.Rnn,
    };

    /// <summary>Whether the node has peepholes that are not all zero (all-zero ones make a plain LSTM).</summary>
    public bool HasPeepholes => P is not null && P.Floats.ContainsAnyExcept(0f);

    /// <summary>A plain RNN's nonlinearity (relu when its activation is Relu).</summary>
    public RnnNonlinearity Nonlinearity => Cell == OnnxCellKind.Rnn && Spec.Activations[0].Kind == RecurrentActivationKind.Relu ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh;

    /// <summary>The options of a one-layer Carnet stack computing this node (time-major, as ONNX's layout 0).</summary>
    public RecurrentOptions LayerOptions => new()
    {
        InputSize = InputSize, HiddenSize = Hidden, Bidirectional = Directions == 2, Bias = B is not null, Nonlinearity = Nonlinearity,
    };

    public OnnxCellSpec SpecOf(int direction) => specs[direction];

    /// <summary>X as (T, B, I), transposed from layout 1 when needed.</summary>
    public float[] TimeMajorInput()
    {
        if (Layout == 0)
        {
            return X.FloatArray;
        }

        var result = new float[X.Length];
        Elementwise.TransposeLeadingAxes<float>(X.Floats, Batch, Steps, InputSize, result);
        return result;
    }

    /// <summary>Direction <paramref name="direction"/>'s initial state (B, H), or empty for zeros.</summary>
    public ReadOnlySpan<float> InitialState(OnnxTensor? state, int direction)
    {
        if (state is null)
        {
            return [];
        }

        if (Layout == 0)
        {
            return state.Floats.Slice(direction * Batch * Hidden, Batch * Hidden);
        }

        var rows = new float[Batch * Hidden]; // (B, H) from (B, D, H)
        for (int b = 0; b < Batch; b++)
        {
            state.Floats.Slice((b * Directions + direction) * Hidden, Hidden).CopyTo(rows.AsSpan(b * Hidden, Hidden));
        }

        return rows;
    }

    private void ReadShapes(OnnxTensor? sequenceLengths)
    {
        string direction = Node.String("direction", "forward");
        Directions = direction switch
        {
            "forward" or "reverse" => 1,
            "bidirectional" => 2,
            _ => throw Node.Fail($"direction '{direction}'; expected forward, reverse or bidirectional"),
        };
        ReverseOnly = direction == "reverse";
        Layout = (int)Node.Int("layout", 0);
        if (Layout is not (0 or 1))
        {
            throw Node.Fail($"layout {Layout}; expected 0 or 1");
        }

        if (X.Rank != 3)
        {
            throw Node.Fail($"X is {X}; expected rank 3");
        }

        Steps = Layout == 0 ? X.Shape[0] : X.Shape[1];
        Batch = Layout == 0 ? X.Shape[1] : X.Shape[0];
        InputSize = X.Shape[2];
        int gates = Cell switch { OnnxCellKind.Lstm => 4, OnnxCellKind.Gru => 3, _ => 1 };
        Hidden = R.Rank == 3 ? R.Shape[2] : throw Node.Fail($"R is {R}; expected (directions, {gates}·hidden, hidden)");
        long declared = Node.Int("hidden_size", Hidden);
        if (declared != Hidden || Hidden == 0)
        {
            throw Node.Fail($"hidden_size {declared} does not match R {R}");
        }

        Expect(W, "W", Directions, gates * Hidden, InputSize);
        Expect(R, "R", Directions, gates * Hidden, Hidden);
        Expect(B, "B", Directions, 2 * gates * Hidden);
        Expect(P, "P", Directions, 3 * Hidden);
        int[] stateShape = Layout == 0 ? [Directions, Batch, Hidden] : [Batch, Directions, Hidden];
        Expect(H0, "initial_h", stateShape);
        Expect(C0, "initial_c", stateShape);
        Lengths = ReadLengths(sequenceLengths);
    }

    private int[] ReadLengths(OnnxTensor? tensor)
    {
        if (tensor is null)
        {
            return [];
        }

        if (tensor.IsFloat || tensor.Rank != 1 || tensor.Shape[0] != Batch)
        {
            throw Node.Fail($"sequence_lens is {tensor}; expected int32 ({Batch})");
        }

        var lengths = new int[Batch];
        for (int b = 0; b < Batch; b++)
        {
            long length = tensor.Integers[b];
            lengths[b] = length >= 0 && length <= Steps ? (int)length : throw Node.Fail($"sequence_lens[{b}] is {length}; expected 0 to {Steps} steps");
        }

        return lengths;
    }

    private void Expect(OnnxTensor? tensor, string name, params int[] shape)
    {
        if (tensor is not null && !tensor.Shape.SequenceEqual(shape))
        {
            throw Node.Fail($"{name} is {tensor}; expected {OnnxTensor.Describe(shape)}");
        }
    }

    private OnnxCellSpec ReadSpec(int direction)
    {
        RecurrentActivationKind[] defaults = Cell switch
        {
            OnnxCellKind.Lstm => [RecurrentActivationKind.Sigmoid, RecurrentActivationKind.Tanh, RecurrentActivationKind.Tanh],
            OnnxCellKind.Gru => [RecurrentActivationKind.Sigmoid, RecurrentActivationKind.Tanh],
            _ => [RecurrentActivationKind.Tanh],
        };
        var activations = ReadActivations(defaults);
        int count = defaults.Length;
        return new OnnxCellSpec(
            Cell, Hidden, activations[(direction * count)..((direction + 1) * count)], Node.Float("clip", 0),
            Node.Int("input_forget", 0) != 0, Node.Int("linear_before_reset", 0) != 0);
    }

    /// <summary>Every direction's activations in order, with their alpha and beta taken in turn from the attribute lists.</summary>
    private RecurrentActivation[] ReadActivations(RecurrentActivationKind[] defaults)
    {
        string[] names = Node.Strings("activations") ?? [.. Enumerable.Repeat(defaults.Select(k => k.ToString()), Directions).SelectMany(n => n)];
        if (names.Length != defaults.Length * Directions)
        {
            throw Node.Fail($"{names.Length} activations; expected {defaults.Length} per direction ({defaults.Length * Directions})");
        }

        var alphas = new Queue<float>(Node.Floats("activation_alpha") ?? []);
        var betas = new Queue<float>(Node.Floats("activation_beta") ?? []);
        return [.. names.Select(name =>
        {
            int index = Array.FindIndex(ActivationNames, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            var kind = index >= 0 ? (RecurrentActivationKind)index : throw Node.Fail($"activation '{name}'; expected one of {string.Join(", ", ActivationNames)}");
            (double alpha, double beta) = kind switch
            {
                RecurrentActivationKind.LeakyRelu => (0.01, 0),
                RecurrentActivationKind.HardSigmoid => (0.2, 0.5),
                _ => (1.0, kind == RecurrentActivationKind.Affine ? 0 : 1.0),
            };
            bool takesAlpha = kind is RecurrentActivationKind.Affine or RecurrentActivationKind.LeakyRelu or RecurrentActivationKind.ThresholdedRelu
                or RecurrentActivationKind.ScaledTanh or RecurrentActivationKind.HardSigmoid or RecurrentActivationKind.Elu;
            bool takesBeta = kind is RecurrentActivationKind.Affine or RecurrentActivationKind.ScaledTanh or RecurrentActivationKind.HardSigmoid;
            alpha = takesAlpha && alphas.TryDequeue(out float a) ? a : alpha;
            beta = takesBeta && betas.TryDequeue(out float b) ? b : beta;
            return new RecurrentActivation(kind, alpha, beta);
        })];
    }
}
