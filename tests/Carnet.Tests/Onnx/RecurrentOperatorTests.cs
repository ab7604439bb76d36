using Carnet.Kernels;
using Carnet.Onnx;

namespace Carnet.Tests.Onnx;

/// <summary>
/// ONNX's LSTM, GRU and RNN operators with random weights: Carnet's layer path, its scalar ONNX reference and ONNX Runtime
/// agree within 1e-5 for every cell, direction, layout, with and without lengths and initial states; so do the variants
/// (peepholes, on Carnet's peephole LSTM; clip, coupled gates, other activations and GRU without linear_before_reset, which
/// only the reference runs).
/// </summary>
public sealed class RecurrentOperatorTests
{
    private const int Steps = 5, Batch = 3, InputSize = 4, Hidden = 3;

    public static TheoryData<string, string, bool, bool, int, int> Cases()
    {
        var data = new TheoryData<string, string, bool, bool, int, int>();
        foreach (string cell in new[] { "LSTM", "GRU", "RNN", "RNN-Relu" })
        {
            foreach (string direction in new[] { "forward", "reverse", "bidirectional" })
            {
                foreach (bool lengths in new[] { false, true })
                {
                    foreach (bool initial in new[] { false, true })
                    {
                        foreach (int layout in new[] { 0, 1 })
                        {
                            data.Add(cell, direction, lengths, initial, layout, cell == "GRU" ? 1 : 0);
                        }
                    }
                }
            }
        }

        data.Add("GRU", "bidirectional", true, true, 0, 0);
        data.Add("GRU", "forward", false, false, 1, 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LayerPathReferenceAndOnnxRuntimeAgree(string cell, string direction, bool lengths, bool initial, int layout, int linearBeforeReset)
    {
        var graph = Build(cell, direction, lengths, initial, layout, linearBeforeReset, seed: cell.Length * 31 + direction.Length);
        string[] outputs = cell == "LSTM" ? ["Y", "Y_h", "Y_c"] : ["Y", "Y_h"];
        var model = OnnxModel.Parse(graph.Bytes(outputs), "test");
        var fast = model.Run(graph.Feeds);
        IReadOnlyDictionary<string, OnnxTensor> reference;
        using (KernelSettings.Use(KernelMode.Reference))
        {
            reference = model.Run(graph.Feeds);
        }

        foreach (string output in outputs)
        {
            OnnxAssert.Close(reference[output].Floats, fast[output].Floats, $"{output} layer path vs reference");
        }

        if (layout == 0)
        {
            var runtime = graph.RunOnnxRuntime(graph.Bytes(outputs));
            foreach (string output in outputs)
            {
                OnnxAssert.Close(runtime[output], fast[output].Floats, $"{output} Carnet vs ONNX Runtime");
            }
        }
    }

    public static TheoryData<string> Variants() => ["peepholes", "clip", "input_forget", "activations", "gru_activations", "rnn_activations"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void VariantsMatchOnnxRuntime(string variant)
    {
        string cell = variant switch { "gru_activations" => "GRU", "rnn_activations" => "RNN", _ => "LSTM" };
        var graph = Build(cell, "bidirectional", lengths: true, initial: true, layout: 0, linearBeforeReset: 0, seed: variant.Length, peepholes: variant == "peepholes");
        _ = variant switch
        {
            "clip" => graph.Attribute("clip", 0.4f),
            "input_forget" => graph.Attribute("input_forget", 1L),
            "activations" => graph.Activations("HardSigmoid", "Tanh", "Softsign", "Sigmoid", "LeakyRelu", "Tanh"),
            "gru_activations" => graph.Activations("HardSigmoid", "Softsign", "Sigmoid", "Tanh"),
            "rnn_activations" => graph.Activations("Softsign", "Relu"),
            _ => graph,
        };
        string[] outputs = cell == "LSTM" ? ["Y", "Y_h", "Y_c"] : ["Y", "Y_h"];
        var model = OnnxModel.Parse(graph.Bytes(outputs), "test");
        var carnet = model.Run(graph.Feeds);
        IReadOnlyDictionary<string, OnnxTensor> reference;
        using (KernelSettings.Use(KernelMode.Reference))
        {
            reference = model.Run(graph.Feeds);
        }

        var runtime = graph.RunOnnxRuntime(graph.Bytes(outputs));
        foreach (string output in outputs)
        {
            OnnxAssert.Close(runtime[output], carnet[output].Floats, $"{variant} {output}");
            OnnxAssert.Close(reference[output].Floats, carnet[output].Floats, $"{variant} {output}, scalar reference");
        }
    }

    [Fact]
    public void ABadWeightShapeNamesTheNodeAndTheTensor()
    {
        var random = new Random(3);
        var graph = new RecurrentNodeGraph("LSTM")
            .Input("X", Uniform(random, 1, Steps, Batch, InputSize))
            .Input("W", Uniform(random, 0.5, 1, 4 * Hidden, InputSize + 1))
            .Input("R", Uniform(random, 0.5, 1, 4 * Hidden, Hidden))
            .Attribute("hidden_size", (long)Hidden);
        var error = Assert.Throws<OnnxFormatException>(() => OnnxModel.Parse(graph.Bytes("Y"), "bad.onnx").Run(graph.Feeds));
        Assert.Equal("bad.onnx: node 'n' (LSTM): W is Float [1, 12, 5]; expected [1, 12, 4]", error.Message);
    }

    private static RecurrentNodeGraph Build(
        string cell, string direction, bool lengths, bool initial, int layout, int linearBeforeReset, int seed, bool peepholes = false)
    {
        var random = new Random(seed);
        string op = cell.StartsWith("RNN", StringComparison.Ordinal) ? "RNN" : cell;
        int gates = op switch { "LSTM" => 4, "GRU" => 3, _ => 1 }, d = direction == "bidirectional" ? 2 : 1;
        int[] xShape = layout == 0 ? [Steps, Batch, InputSize] : [Batch, Steps, InputSize];
        int[] stateShape = layout == 0 ? [d, Batch, Hidden] : [Batch, d, Hidden];
        var graph = new RecurrentNodeGraph(op)
            .Input("X", Uniform(random, 1, xShape))
            .Input("W", Uniform(random, 0.6, d, gates * Hidden, InputSize))
            .Input("R", Uniform(random, 0.6, d, gates * Hidden, Hidden))
            .Input("B", Uniform(random, 0.4, d, 2 * gates * Hidden))
            .Input("sequence_lens", lengths ? OnnxTensor.FromInt32([5, 2, 4], Batch) : null)
            .Input("initial_h", initial ? Uniform(random, 0.5, stateShape) : null);
        if (op == "LSTM")
        {
            graph.Input("initial_c", initial ? Uniform(random, 0.5, stateShape) : null).Input("P", peepholes ? Uniform(random, 0.5, d, 3 * Hidden) : null);
        }

        graph.Attribute("hidden_size", (long)Hidden).Attribute("direction", direction);
        if (layout == 1)
        {
            graph.Attribute("layout", 1L);
        }

        if (op == "GRU")
        {
            graph.Attribute("linear_before_reset", (long)linearBeforeReset);
        }

        if (cell == "RNN-Relu")
        {
            graph.Activations([.. Enumerable.Repeat("Relu", d)]);
        }

        return graph;
    }

    private static OnnxTensor Uniform(Random random, double scale, params int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }

        return OnnxTensor.FromFloats(values, shape);
    }
}
