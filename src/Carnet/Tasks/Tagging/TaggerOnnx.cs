// Dimension legend: B = sentences, T = tokens of the longest, C = characters of the longest word, E = word embedding
// size, Ec = character embedding size, Hc = character hidden size, F = E + 2·Hc, H = sentence hidden size, K = tags.
using Carnet.Onnx;
using Google.Protobuf;

namespace Carnet.Tasks.Tagging;

/// <summary>
/// A tagger's emission network as an ONNX graph: word ids <c>input</c> (B, T), characters <c>characters</c> (B, T, C)
/// with <c>character_lengths</c> (B, T) when the tagger reads characters, and <c>lengths</c> (B), to emissions
/// <c>prediction</c> (B, T, K). The CRF's parameters are initializers (<c>crf.transitions</c> (K, K) from tag i to tag j,
/// <c>crf.start_transitions</c>, <c>crf.end_transitions</c> (K)) and also outputs of the same names, so a runtime can read
/// them; Viterbi decoding over the emissions stays with the caller (docs/INTEROP.md).
/// </summary>
public static class TaggerOnnx
{
    /// <summary>The graph as bytes.</summary>
    public static byte[] Serialize(TaggerNetwork<float> network) => Build(network).ToByteArray();

    /// <summary>Writes the graph atomically (a temporary file, then a rename).</summary>
    public static void Save(string path, TaggerNetwork<float> network) => IO.AtomicFile.Write(path, stream => stream.Write(Serialize(network)));

    private static Onnx.Protocol.ModelProto Build(TaggerNetwork<float> network)
    {
        var o = network.Options;
        var graph = new OnnxGraphBuilder();
        string words = graph.Input("input", OnnxElementType.Int64, "batch", "steps");
        string lengths = graph.Input("lengths", OnnxElementType.Int64, "batch");
        string features = graph.Node("Gather", [Table(graph, "word_embedding.weight", network.WordEmbedding), words]); // (B, T, E)
        if (network.CharacterRecurrent is not null)
        {
            string characters = graph.Input("characters", OnnxElementType.Int64, "batch", "steps", "characters");
            string characterLengths = graph.Input("character_lengths", OnnxElementType.Int64, "batch", "steps");
            features = graph.Node("Concat", [features, CharacterFeatures(graph, network, words, characters, characterLengths)], ("axis", 2L)); // (B, T, F)
        }

        string timeMajor = graph.Node("Transpose", [features], ("perm", new long[] { 1, 0, 2 })); // (T, B, F)
        string sentenceLengths = graph.Node("Cast", [lengths], ("to", (long)OnnxElementType.Int32));
        string output = OnnxRecurrentExport.Stack(graph, network.Recurrent, "rnn.", timeMajor, sentenceLengths); // (T, B, 2H)
        string batchFirst = graph.Node("Transpose", [output], ("perm", new long[] { 1, 0, 2 })); // (B, T, 2H)
        var head = network.Head.GetParameter("weight");
        var transposed = new float[head.Value.Length]; // (2H, K)
        Kernels.Elementwise.TransposeLeadingAxes<float>(head.Value.Span, o.TagCount, 2 * o.HiddenSize, 1, transposed);
        string scores = graph.Node("MatMul", [batchFirst, graph.Initializer("head.weight_t", transposed, 2 * o.HiddenSize, o.TagCount)]);
        graph.Node("Add", [scores, Table(graph, "head.bias", network.Head, "bias")]);
        graph.NameLastOutput("prediction");
        graph.Output("prediction", OnnxElementType.Float, "batch", "steps", o.TagCount);
        if (network.Crf is { } crf)
        {
            foreach (var parameter in crf.Parameters)
            {
                string name = "crf." + parameter.Name;
                graph.Node("Identity", [graph.Initializer(name + ".value", parameter.Value.Span, [.. parameter.Shape])]);
                graph.NameLastOutput(name);
                graph.Output(name, OnnxElementType.Float, [.. parameter.Shape.Select(d => (object)d)]);
            }
        }

        return graph.Build("carnet-tagger", $"A Carnet tagger's emission network: {o.TagCount} tags{(network.Crf is null ? "" : ", CRF transitions as outputs")}.");
    }

    // Each token's [forward h_n, backward h_n] of the character BiLSTM over its characters: (B, T, 2·Hc).
    private static string CharacterFeatures(OnnxGraphBuilder graph, TaggerNetwork<float> network, string words, string characters, string characterLengths)
    {
        string width = graph.Node("Gather", [graph.Node("Shape", [characters]), graph.Integers("char.last_axis", 2)]); // C
        string perWord = graph.Node("Reshape", [characters, graph.Node("Concat", [graph.Integers("char.rows", -1), width], ("axis", 0L))]); // (B·T, C)
        string timeMajor = graph.Node("Transpose", [perWord], ("perm", new long[] { 1, 0 })); // (C, B·T)
        string embedded = graph.Node("Gather", [Table(graph, "char_embedding.weight", network.CharacterEmbedding!), timeMajor]); // (C, B·T, Ec)
        // padded tokens have no characters; the operator wants at least one step, which changes nothing read later
        string flatLengths = graph.Node("Reshape", [characterLengths, graph.Integers("char.lengths_shape", -1)]); // (B·T)
        string atLeastOne = graph.Node("Max", [flatLengths, graph.Initializer("char.one", [1L])]);
        string lengths = graph.Node("Cast", [atLeastOne], ("to", (long)OnnxElementType.Int32));
        string final = OnnxRecurrentExport.Layer(graph, network.CharacterRecurrent!, 0, "char_rnn.l0", embedded, lengths)[1]; // (2, B·T, Hc)
        string rows = graph.Node("Transpose", [final], ("perm", new long[] { 1, 0, 2 })); // (B·T, 2, Hc)
        string shape = graph.Node("Concat", [graph.Node("Shape", [words]), graph.Integers("char.feature_width", 2 * network.Options.CharacterHiddenSize)], ("axis", 0L));
        return graph.Node("Reshape", [rows, shape]); // (B, T, 2·Hc)
    }

    private static string Table(OnnxGraphBuilder graph, string name, Layers.Module<float> module, string parameter = "weight")
    {
        var value = module.GetParameter(parameter);
        return graph.Initializer(name, value.Value.Span, [.. value.Shape]);
    }
}
