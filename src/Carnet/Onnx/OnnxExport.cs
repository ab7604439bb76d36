// Dimension legend: B = batch, T = time steps, I = input features, E = embedding size, H = hidden size, D = directions,
// G = gate blocks, F = recurrent output features (D·H), O = outputs.
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Onnx.Protocol;
using Google.Protobuf;

namespace Carnet.Onnx;

/// <summary>How <see cref="OnnxExport"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Whether the graph takes <c>lengths</c> (int64, (B)) beside <c>input</c> for padded batches; null decides from the
    /// model: yes for a token model (sequences of text are padded), no for numeric windows and flatten pooling.
    /// </summary>
    public bool? VariableLengths { get; init; }
}

/// <summary>A model ONNX cannot express (an LSTM with a projection); the message says why.</summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception from its message.</summary>
    public OnnxExportException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Writes Carnet models as ONNX graphs that ONNX Runtime, TensorRT or a browser runs: ONNX's own LSTM, GRU and RNN
/// operators (layout 0, gates converted at the edge, GRU with linear_before_reset = 1, <c>sequence_lens</c> from the
/// lengths), the embedding, pooling and head as standard operators. The graph reads <c>input</c> (and <c>lengths</c>)
/// and writes <c>prediction</c>, the names <c>carnet run</c> uses for native models.
/// </summary>
public static class OnnxExport
{
    /// <summary>The graph of a sequence model, as bytes.</summary>
    /// <exception cref="OnnxExportException">ONNX cannot express the model.</exception>
    public static byte[] Serialize(SequenceModel<float> model, OnnxExportOptions? options = null)
        => OnnxSequenceGraph.Build(model, options ?? new OnnxExportOptions()).ToByteArray();

    /// <summary>Writes the graph of a sequence model atomically (a temporary file, then a rename).</summary>
    /// <exception cref="OnnxExportException">ONNX cannot express the model.</exception>
    public static void Save(string path, SequenceModel<float> model, OnnxExportOptions? options = null)
        => AtomicFile.Write(path, stream => stream.Write(Serialize(model, options)));

    /// <summary>
    /// The graph of a bare recurrent stack, as <c>torch.onnx.export</c> writes an <c>nn.LSTM</c>: <c>input</c> (T, B, I),
    /// or (B, T, I) when the layer is batch-first, to <c>prediction</c>, the output sequence the layer returns.
    /// </summary>
    /// <exception cref="OnnxExportException">ONNX cannot express the layer.</exception>
    public static byte[] Serialize(RecurrentLayer<float> layer)
    {
        var graph = new OnnxGraphBuilder();
        var o = layer.Options;
        string input = graph.Input("input", OnnxElementType.Float, o.BatchFirst ? ["batch", "steps", o.InputSize] : ["steps", "batch", o.InputSize]);
        string timeMajor = o.BatchFirst ? graph.Node("Transpose", [input], ("perm", new long[] { 1, 0, 2 })) : input;
        string output = OnnxRecurrentExport.Stack(graph, layer, "rnn.", timeMajor, sequenceLengths: string.Empty); // (T, B, F)
        _ = o.BatchFirst ? graph.Node("Transpose", [output], ("perm", new long[] { 1, 0, 2 })) : graph.Node("Identity", [output]);
        graph.NameLastOutput("prediction");
        graph.Output("prediction", OnnxElementType.Float, o.BatchFirst ? ["batch", "steps", o.OutputSize] : ["steps", "batch", o.OutputSize]);
        return graph.Build($"carnet-{RecurrentCells.Of(layer.Kind).Name.ToLowerInvariant()}", "A Carnet recurrent stack.").ToByteArray();
    }

    /// <summary>Writes the graph of a bare recurrent stack (see <see cref="Serialize(RecurrentLayer{float})"/>) atomically.</summary>
    /// <exception cref="OnnxExportException">ONNX cannot express the layer.</exception>
    public static void Save(string path, RecurrentLayer<float> layer)
    {
        byte[] bytes = Serialize(layer); // refused before any file is touched
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
