using System.Reflection;
using Carnet.Onnx.Protocol;
using Google.Protobuf;

namespace Carnet.Onnx;

/// <summary>
/// Builds an ONNX graph node by node: initializers, nodes with their attributes, graph inputs and outputs with
/// fixed or symbolic dimensions; <see cref="Build"/> makes the model (IR 7, default opset 14, producer Carnet).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The default-domain opset the exported graphs use.</summary>
    public const int Opset = 14;

    private readonly GraphProto graph = new();
    private int nodes;

    /// <summary>Adds a float initializer; returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params int[] shape)
    {
        graph.Initializer.Add(OnnxTensorCodec.Encode(OnnxTensor.FromFloats(values.ToArray(), shape), name));
        return name;
    }

    /// <summary>Adds an int64 initializer; returns its name.</summary>
    public string Initializer(string name, long[] values, params int[] shape)
    {
        graph.Initializer.Add(OnnxTensorCodec.Encode(OnnxTensor.FromInt64(values, shape), name));
        return name;
    }

    /// <summary>Adds an int64 vector constant named after what it is for; returns its name.</summary>
    public string Integers(string name, params long[] values) => Initializer(name, values, values.Length);

    /// <summary>Adds a node with one output, named after the node; returns the output's name.</summary>
    public string Node(string opType, string[] inputs, params (string Name, object Value)[] attributes)
        => Node(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs; returns their names.</summary>
    public string[] Node(string opType, string[] inputs, int outputs, params (string Name, object Value)[] attributes)
    {
        string name = $"{opType}_{nodes++}";
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        string[] names = [.. Enumerable.Range(0, outputs).Select(i => $"{name}_out{i}")];
        node.Output.AddRange(names);
        foreach (var (attributeName, value) in attributes)
        {
            node.Attribute.Add(Attribute(attributeName, value));
        }

        graph.Node.Add(node);
        return names;
    }

    /// <summary>Gives the last node's first output the name <paramref name="name"/> (a graph output's public name).</summary>
    public string NameLastOutput(string name)
    {
        graph.Node[^1].Output[0] = name;
        return name;
    }

    /// <summary>Declares a graph input; each dimension is a size (int) or a symbolic name (string).</summary>
    public string Input(string name, OnnxElementType type, params object[] dimensions)
    {
        graph.Input.Add(Value(name, type, dimensions));
        return name;
    }

    /// <summary>Declares a graph output.</summary>
    public void Output(string name, OnnxElementType type, params object[] dimensions) => graph.Output.Add(Value(name, type, dimensions));

    /// <summary>The model, named <paramref name="name"/> and described by <paramref name="description"/>.</summary>
    public ModelProto Build(string name, string description)
    {
        graph.Name = name;
        graph.DocString = description;
        var version = typeof(OnnxGraphBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var model = new ModelProto { IrVersion = 7, ProducerName = "Carnet", ProducerVersion = version.Split('+')[0], Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        return model;
    }

    private static ValueInfoProto Value(string name, OnnxElementType type, object[] dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (var dimension in dimensions)
        {
            shape.Dim.Add(dimension is int size ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = (string)dimension });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static AttributeProto Attribute(string name, object value) => value switch
    {
        int i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
        long l => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = l },
        float f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = f },
        string s => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(s) },
        long[] ints => WithInts(name, ints),
        string[] strings => WithStrings(name, strings),
        OnnxTensor tensor => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxTensorCodec.Encode(tensor, name) },
        _ => throw new ArgumentException($"attribute '{name}' has a value of type {value.GetType().Name}"),
    };

    private static AttributeProto WithInts(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto WithStrings(string name, string[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }
}
