using Carnet.IO;

namespace Carnet.Onnx;

/// <summary>Moves tensors between safetensors files and ONNX graphs, so the same files feed native and ONNX models.</summary>
public static class OnnxSafeTensors
{
    /// <summary>
    /// The graph inputs read from a safetensors file: one tensor per input of <paramref name="model"/>, named as the graph
    /// names it (other tensors are ignored), converted to the element type the graph declares.
    /// </summary>
    /// <exception cref="SafeTensorsFormatException">A tensor is missing or cannot become the type the graph needs.</exception>
    public static Dictionary<string, OnnxTensor> ReadInputs(SafeTensorsFile file, OnnxModel model)
    {
        var inputs = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (var info in model.Inputs)
        {
            if (!file.TryGetTensor(info.Name, out var tensor))
            {
                throw new SafeTensorsFormatException(file.Source, info.Name, $"missing; the ONNX graph needs input {info}", null);
            }

            inputs[info.Name] = ToOnnx(tensor, info.ElementType, file.Source);
        }

        return inputs;
    }

    /// <summary>A safetensors tensor as an ONNX tensor of <paramref name="wanted"/> type (its own kind when null).</summary>
    /// <exception cref="SafeTensorsFormatException">Floats asked to become integers, or integers floats.</exception>
    public static OnnxTensor ToOnnx(SafeTensor tensor, OnnxElementType? wanted, string source)
    {
        int[] shape = [.. tensor.Shape];
        var type = wanted ?? (tensor.DType.IsFloatingPoint() ? OnnxElementType.Float : tensor.DType switch
        {
            SafeTensorDType.Bool => OnnxElementType.Bool,
            SafeTensorDType.I64 => OnnxElementType.Int64,
            _ => OnnxElementType.Int32,
        });
        if ((type == OnnxElementType.Float) != tensor.DType.IsFloatingPoint())
        {
            throw new SafeTensorsFormatException(source, tensor.Name, $"is {tensor.DType.GetJsonName()}; the graph needs {type.ToString().ToUpperInvariant()}", null);
        }

        return type switch
        {
            OnnxElementType.Float => OnnxTensor.FromFloats(tensor.ToSingleArray(), shape),
            OnnxElementType.Bool => OnnxTensor.FromBools(Array.ConvertAll(tensor.ToInt64Array(), v => v != 0), shape),
            OnnxElementType.Int32 => OnnxTensor.FromInt32(tensor.ToInt32Array(), shape),
            _ => OnnxTensor.FromInt64(tensor.ToInt64Array(), shape),
        };
    }

    /// <summary>An ONNX tensor as a safetensors tensor: F32, I64, I32 or BOOL.</summary>
    public static SafeTensor FromOnnx(string name, OnnxTensor tensor)
    {
        int[] shape = [.. tensor.Shape];
        return tensor.ElementType switch
        {
            OnnxElementType.Float => SafeTensor.FromSingle(name, tensor.Floats, shape),
            OnnxElementType.Int64 => SafeTensor.FromInt64(name, tensor.Integers, shape),
            OnnxElementType.Int32 => SafeTensor.FromInt32(name, Array.ConvertAll(tensor.IntegerArray, v => (int)v), shape),
            _ => new SafeTensor(name, SafeTensorDType.Bool, shape, Array.ConvertAll(tensor.IntegerArray, v => (byte)v)),
        };
    }
}
