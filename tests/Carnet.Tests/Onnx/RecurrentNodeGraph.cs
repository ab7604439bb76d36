using Carnet.Onnx;
using Carnet.Onnx.Protocol;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Carnet.Tests.Onnx;

/// <summary>A one-node ONNX graph whose inputs are all fed at run time, run by Carnet's runtime and by ONNX Runtime.</summary>
internal sealed class RecurrentNodeGraph(string opType, int opset = 14)
{
    private readonly NodeProto node = new() { OpType = opType, Name = "n" };
    private readonly List<(string Name, OnnxTensor Tensor)> inputs = [];

    public RecurrentNodeGraph Input(string name, OnnxTensor? tensor)
    {
        node.Input.Add(tensor is null ? string.Empty : name);
        if (tensor is not null)
        {
            inputs.Add((name, tensor));
        }

        return this;
    }

    public RecurrentNodeGraph Attribute(string name, long value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
        return this;
    }

    public RecurrentNodeGraph Attribute(string name, string value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });
        return this;
    }

    public RecurrentNodeGraph Attribute(string name, float value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
        return this;
    }

    public RecurrentNodeGraph Activations(params string[] names)
    {
        var attribute = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(names.Select(ByteString.CopyFromUtf8));
        node.Attribute.Add(attribute);
        return this;
    }

    public byte[] Bytes(params string[] outputs)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Node.Add(node);
        node.Output.Clear();
        node.Output.AddRange(outputs);
        foreach (var (name, tensor) in inputs)
        {
            graph.Input.Add(Value(name, tensor.ElementType, tensor.Shape));
        }

        foreach (string output in outputs)
        {
            graph.Output.Add(new ValueInfoProto { Name = output, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        }

        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opset });
        return model.ToByteArray();
    }

    public Dictionary<string, OnnxTensor> Feeds => inputs.ToDictionary(i => i.Name, i => i.Tensor);

    /// <summary>The outputs ONNX Runtime computes for the same graph and inputs.</summary>
    public Dictionary<string, float[]> RunOnnxRuntime(byte[] bytes)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        var feeds = inputs.Select(i => i.Tensor.IsFloat
            ? NamedOnnxValue.CreateFromTensor(i.Name, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(i.Tensor.Floats.ToArray(), [.. i.Tensor.Shape]))
            : NamedOnnxValue.CreateFromTensor(i.Name, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<int>(
                i.Tensor.Integers.ToArray().Select(v => (int)v).ToArray(), [.. i.Tensor.Shape]))).ToList();
        using var results = session.Run(feeds);
        return results.ToDictionary(r => r.Name, r => r.AsEnumerable<float>().ToArray());
    }

    private static ValueInfoProto Value(string name, OnnxElementType type, IReadOnlyList<int> shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        foreach (int dim in shape)
        {
            tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
