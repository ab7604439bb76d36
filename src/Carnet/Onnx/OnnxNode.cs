using Carnet.Onnx.Protocol;
using Google.Protobuf;

namespace Carnet.Onnx;

/// <summary>
/// One node of a graph as the runtime executes it: its operator, its input and output value names ("" for an omitted
/// optional input), its attributes, and the opset it was written for. Errors about it name the file, the node and
/// its operator in one line.
/// </summary>
internal sealed class OnnxNode
{
    private readonly Dictionary<string, AttributeProto> attributes;

    public OnnxNode(NodeProto node, int index, int opset, string source)
    {
        OpType = node.OpType;
        Name = node.Name.Length > 0 ? node.Name : $"#{index}";
        Inputs = [.. node.Input];
        Outputs = [.. node.Output];
        Opset = opset;
        Source = source;
        attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            if (!attributes.TryAdd(attribute.Name, attribute))
            {
                throw Fail($"attribute '{attribute.Name}' is given twice");
            }
        }
    }

    /// <summary>The operator type (LSTM, Add…).</summary>
    public string OpType { get; }

    /// <summary>The node's name, or #index when the file gives none.</summary>
    public string Name { get; }

    /// <summary>The names of the values it reads; "" marks an omitted optional input.</summary>
    public string[] Inputs { get; }

    /// <summary>The names of the values it writes; "" marks an output nobody asked for.</summary>
    public string[] Outputs { get; }

    /// <summary>The version of the default operator set the graph imports.</summary>
    public int Opset { get; }

    /// <summary>The file the node came from, for messages.</summary>
    public string Source { get; }

    /// <summary>What an operator keeps between runs (weights converted once, for instance).</summary>
    public object? State { get; set; }

    /// <summary>The attribute names the node carries.</summary>
    public IEnumerable<string> AttributeNames => attributes.Keys;

    /// <summary>An error about this node: "FILE: node 'NAME' (OP): message".</summary>
    public OnnxFormatException Fail(string message) => new($"{Source}: node '{Name}' ({OpType}): {message}");

    public bool Has(string name) => attributes.ContainsKey(name);

    public long Int(string name, long fallback) => Get(name, AttributeProto.Types.AttributeType.Int)?.I ?? fallback;

    public long Int(string name) => Require(name, AttributeProto.Types.AttributeType.Int).I;

    public float Float(string name, float fallback) => Get(name, AttributeProto.Types.AttributeType.Float)?.F ?? fallback;

    public string String(string name, string fallback) => Get(name, AttributeProto.Types.AttributeType.String)?.S.ToStringUtf8() ?? fallback;

    public long[]? Ints(string name) => Get(name, AttributeProto.Types.AttributeType.Ints)?.Ints.ToArray();

    public float[]? Floats(string name) => Get(name, AttributeProto.Types.AttributeType.Floats)?.Floats.ToArray();

    public string[]? Strings(string name) => Get(name, AttributeProto.Types.AttributeType.Strings)?.Strings.Select(s => s.ToStringUtf8()).ToArray();

    public TensorProto? Tensor(string name) => Get(name, AttributeProto.Types.AttributeType.Tensor)?.T;

    /// <summary>The input at <paramref name="index"/>, failing with a message when it is missing.</summary>
    public static OnnxTensor Required(OnnxNode node, OnnxTensor?[] inputs, int index)
        => index < inputs.Length && inputs[index] is { } tensor ? tensor : throw node.Fail($"input {index} is required");

    private AttributeProto? Get(string name, AttributeProto.Types.AttributeType type)
    {
        if (!attributes.TryGetValue(name, out var attribute))
        {
            return null;
        }

        // Files from old exporters leave the type unset (UNDEFINED); the field that is set tells then.
        if (attribute.Type != type && attribute.Type != AttributeProto.Types.AttributeType.Undefined)
        {
            throw Fail($"attribute '{name}' is {attribute.Type}, expected {type}");
        }

        return attribute;
    }

    private AttributeProto Require(string name, AttributeProto.Types.AttributeType type)
        => Get(name, type) ?? throw Fail($"attribute '{name}' ({type}) is required");
}
