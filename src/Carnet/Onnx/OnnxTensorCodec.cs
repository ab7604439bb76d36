using System.Buffers.Binary;
using Carnet.Onnx.Protocol;
using Google.Protobuf;

namespace Carnet.Onnx;

/// <summary>Converts between ONNX's <c>TensorProto</c> (raw little-endian bytes or typed fields) and <see cref="OnnxTensor"/>.</summary>
internal static class OnnxTensorCodec
{
    /// <summary>The tensor a <c>TensorProto</c> holds; <paramref name="what"/> names it in errors ("initializer 'W'").</summary>
    public static OnnxTensor Decode(TensorProto proto, string what)
    {
        if (proto.DataLocation == TensorProto.Types.DataLocation.External || proto.ExternalData.Count > 0)
        {
            throw new ArgumentException($"{what} keeps its values in an external file, which Carnet does not read");
        }

        int[] shape = new int[proto.Dims.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            long dim = proto.Dims[i];
            shape[i] = dim is >= 0 and <= int.MaxValue ? (int)dim : throw new ArgumentException($"{what} has dimension {dim}");
        }

        long length = OnnxTensor.CheckedLength(shape);
        var type = ElementType(proto.DataType, what);
        return type == OnnxElementType.Float
            ? OnnxTensor.Create(type, shape, Floats(proto, length, what), null)
            : OnnxTensor.Create(type, shape, null, Integers(proto, type, length, what));
    }

    /// <summary>The tensor as a <c>TensorProto</c> with raw little-endian data.</summary>
    public static TensorProto Encode(OnnxTensor tensor, string name)
    {
        var proto = new TensorProto { Name = name, DataType = (int)tensor.ElementType };
        proto.Dims.AddRange(tensor.Shape.Select(d => (long)d));
        int size = tensor.ElementType switch { OnnxElementType.Bool => 1, OnnxElementType.Int64 => 8, _ => 4 };
        var bytes = new byte[tensor.Length * size];
        for (int i = 0; i < tensor.Length; i++)
        {
            var slot = bytes.AsSpan(i * size, size);
            switch (tensor.ElementType)
            {
                case OnnxElementType.Float: BinaryPrimitives.WriteSingleLittleEndian(slot, tensor.Floats[i]); break;
                case OnnxElementType.Int64: BinaryPrimitives.WriteInt64LittleEndian(slot, tensor.Integers[i]); break;
                case OnnxElementType.Int32: BinaryPrimitives.WriteInt32LittleEndian(slot, (int)tensor.Integers[i]); break;
                default: slot[0] = (byte)tensor.Integers[i]; break;
            }
        }

        proto.RawData = ByteString.CopyFrom(bytes);
        return proto;
    }

    /// <summary>The element type of an ONNX data type code, or an error naming the type for any other.</summary>
    public static OnnxElementType ElementType(int dataType, string what) => dataType switch
    {
        (int)OnnxElementType.Float => OnnxElementType.Float,
        (int)OnnxElementType.Int32 => OnnxElementType.Int32,
        (int)OnnxElementType.Int64 => OnnxElementType.Int64,
        (int)OnnxElementType.Bool => OnnxElementType.Bool,
        _ => throw new ArgumentException($"{what} has element type {TypeName(dataType)}; Carnet runs float, int64, int32 and bool tensors"),
    };

    /// <summary>ONNX's name of a data type code (FLOAT16, DOUBLE…).</summary>
    public static string TypeName(int dataType)
        => Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType) ? ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant() : $"code {dataType}";

    private static float[] Floats(TensorProto proto, long length, string what)
    {
        if (proto.HasRawData)
        {
            var raw = Raw(proto, length, 4, what);
            var values = new float[length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4, 4));
            }

            return values;
        }

        CheckCount(proto.FloatData.Count, length, what);
        return [.. proto.FloatData];
    }

    private static long[] Integers(TensorProto proto, OnnxElementType type, long length, string what)
    {
        int size = type switch { OnnxElementType.Int64 => 8, OnnxElementType.Int32 => 4, _ => 1 };
        if (proto.HasRawData)
        {
            var raw = Raw(proto, length, size, what);
            var values = new long[length];
            for (int i = 0; i < values.Length; i++)
            {
                var slot = raw.Slice(i * size, size);
                values[i] = size switch { 8 => BinaryPrimitives.ReadInt64LittleEndian(slot), 4 => BinaryPrimitives.ReadInt32LittleEndian(slot), _ => slot[0] != 0 ? 1 : 0 };
            }

            return values;
        }

        if (type == OnnxElementType.Int64)
        {
            CheckCount(proto.Int64Data.Count, length, what);
            return [.. proto.Int64Data];
        }

        CheckCount(proto.Int32Data.Count, length, what);
        return [.. proto.Int32Data.Select(v => type == OnnxElementType.Bool ? (v != 0 ? 1L : 0L) : v)];
    }

    private static ReadOnlySpan<byte> Raw(TensorProto proto, long length, int size, string what)
    {
        var raw = proto.RawData.Span;
        if (raw.Length != length * size)
        {
            throw new ArgumentException($"{what} has {raw.Length} bytes of data; its shape needs {length * size}");
        }

        return raw;
    }

    private static void CheckCount(int count, long length, string what)
    {
        if (count != length)
        {
            throw new ArgumentException($"{what} has {count} values; its shape needs {length}");
        }
    }
}
