using System.Globalization;

namespace Carnet.Onnx;

/// <summary>The element types an <see cref="OnnxTensor"/> holds, numbered as ONNX's <c>TensorProto.DataType</c>.</summary>
public enum OnnxElementType
{
    /// <summary>32-bit floating point (<c>FLOAT</c>).</summary>
    Float = 1,

    /// <summary>32-bit signed integer (<c>INT32</c>), held as 64-bit values.</summary>
    Int32 = 6,

    /// <summary>64-bit signed integer (<c>INT64</c>).</summary>
    Int64 = 7,

    /// <summary>Boolean (<c>BOOL</c>), held as 0 and 1.</summary>
    Bool = 9,
}

/// <summary>
/// A dense, row-major tensor flowing through an ONNX graph: float values, or integer and boolean values held as 64-bit
/// integers. Tensors are immutable once made: operators always write new ones.
/// </summary>
public sealed class OnnxTensor
{
    /// <summary>The most elements one tensor may hold (1 GiB of floats): a hostile shape fails cleanly instead of exhausting memory.</summary>
    public const long MaximumLength = 1L << 28;

    private readonly int[] shape;
    private readonly float[]? floats;
    private readonly long[]? integers;

    private OnnxTensor(OnnxElementType elementType, int[] shape, float[]? floats, long[]? integers)
    {
        ElementType = elementType;
        this.shape = shape;
        this.floats = floats;
        this.integers = integers;
        int length = floats?.Length ?? integers!.Length;
        if (LengthOf(shape) != length)
        {
            throw new ArgumentException($"{length} values do not fill shape {Describe(shape)}.");
        }
    }

    /// <summary>The element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>The sizes of the dimensions, outermost first (empty for a scalar).</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length => floats?.Length ?? integers!.Length;

    /// <summary>Whether the values are floats (<see cref="Floats"/>) rather than integers (<see cref="Integers"/>).</summary>
    public bool IsFloat => floats is not null;

    /// <summary>The float values, row-major.</summary>
    /// <exception cref="InvalidOperationException">The tensor holds integers or booleans.</exception>
    public ReadOnlySpan<float> Floats => FloatArray;

    /// <summary>The integer or boolean values (0 or 1), row-major.</summary>
    /// <exception cref="InvalidOperationException">The tensor holds floats.</exception>
    public ReadOnlySpan<long> Integers => IntegerArray;

    internal float[] FloatArray => floats ?? throw new InvalidOperationException($"a {ElementType} tensor has no float values");

    internal long[] IntegerArray => integers ?? throw new InvalidOperationException($"a {ElementType} tensor has no integer values");

    internal int[] ShapeArray => shape;

    /// <summary>A float tensor over <paramref name="values"/> (not copied).</summary>
    public static OnnxTensor FromFloats(float[] values, params int[] shape) => new(OnnxElementType.Float, (int[])shape.Clone(), values, null);

    /// <summary>An int64 tensor over <paramref name="values"/> (not copied).</summary>
    public static OnnxTensor FromInt64(long[] values, params int[] shape) => new(OnnxElementType.Int64, (int[])shape.Clone(), null, values);

    /// <summary>An int32 tensor holding <paramref name="values"/>.</summary>
    public static OnnxTensor FromInt32(int[] values, params int[] shape)
        => new(OnnxElementType.Int32, (int[])shape.Clone(), null, Array.ConvertAll(values, v => (long)v));

    /// <summary>A boolean tensor holding <paramref name="values"/>.</summary>
    public static OnnxTensor FromBools(bool[] values, params int[] shape)
        => new(OnnxElementType.Bool, (int[])shape.Clone(), null, Array.ConvertAll(values, v => v ? 1L : 0L));

    /// <summary>A float tensor viewing a Carnet tensor's values (copied when the tensor is a view of a larger buffer).</summary>
    public static OnnxTensor FromTensor(Tensor<float> tensor) => FromFloats(tensor.Span.ToArray(), tensor.Shape.ToArray());

    /// <summary>The values as a Carnet tensor of the same shape (a copy).</summary>
    public Tensor<float> ToTensor() => Tensor<float>.FromValues(Floats, shape);

    /// <summary>The values converted to doubles, whatever the element type.</summary>
    public double[] ToDoubles() => floats is not null ? Array.ConvertAll(floats, v => (double)v) : Array.ConvertAll(integers!, v => (double)v);

    /// <summary>The shape written as <c>[2, 3]</c>.</summary>
    public override string ToString() => $"{ElementType} {Describe(shape)}";

    internal static OnnxTensor Create(OnnxElementType elementType, int[] shape, float[]? floats, long[]? integers) => new(elementType, shape, floats, integers);

    /// <summary>A new zero-filled tensor of a type and shape.</summary>
    internal static OnnxTensor Zeros(OnnxElementType elementType, int[] shape)
    {
        long length = CheckedLength(shape);
        return elementType == OnnxElementType.Float
            ? new(elementType, shape, new float[length], null)
            : new(elementType, shape, null, new long[length]);
    }

    /// <summary>The element count of a shape, refused above <see cref="MaximumLength"/> or with a negative dimension.</summary>
    internal static long CheckedLength(ReadOnlySpan<int> shape)
    {
        long length = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"shape {Describe(shape)} has a negative dimension");
            }

            length *= dimension;
            if (length > MaximumLength)
            {
                throw new ArgumentException($"shape {Describe(shape)} holds more than the {MaximumLength} elements a tensor may have");
            }
        }

        return length;
    }

    internal static long LengthOf(ReadOnlySpan<int> shape) => CheckedLength(shape);

    internal static string Describe(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }
}
