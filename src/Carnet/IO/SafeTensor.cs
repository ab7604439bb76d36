using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Carnet.IO;

/// <summary>
/// One named tensor of a safetensors file: its element type, its shape and its raw little-endian, row-major bytes.
/// Instances are immutable.
/// </summary>
public sealed partial class SafeTensor
{
    private readonly int[] dimensions;

    /// <summary>
    /// Creates a tensor from raw little-endian, row-major bytes. The shape and the data are copied.
    /// </summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="dtype">The element type of <paramref name="data"/>.</param>
    /// <param name="shape">The dimensions; an empty array means a scalar (one element).</param>
    /// <param name="data">The raw bytes; the length must be the element count times the element size.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException">A dimension is negative, the size overflows, or the data length does not match.</exception>
    public SafeTensor(string name, SafeTensorDType dtype, int[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        int elementSize = dtype.GetElementSize();
        int[] shapeCopy = (int[])shape.Clone();
        long elementCount = CountElementsForArgument(name, shapeCopy);
        long expectedBytes = ByteSizeForArgument(name, dtype, shapeCopy, elementCount, elementSize);
        if (data.LongLength != expectedBytes)
        {
            throw new ArgumentException(
                $"tensor '{name}': shape {FormatShape(shapeCopy)} with dtype {dtype.GetJsonName()} needs {expectedBytes} bytes but {data.LongLength} were given.",
                nameof(data));
        }

        Name = name;
        DType = dtype;
        dimensions = shapeCopy;
        Shape = new ReadOnlyCollection<int>(dimensions);
        ElementCount = elementCount;
        Data = (byte[])data.Clone();
    }

    /// <summary>Creates a tensor over already-validated data without copying it.</summary>
    internal SafeTensor(string name, SafeTensorDType dtype, int[] shape, long elementCount, ReadOnlyMemory<byte> data)
    {
        Name = name;
        DType = dtype;
        dimensions = shape;
        Shape = new ReadOnlyCollection<int>(dimensions);
        ElementCount = elementCount;
        Data = data;
    }

    /// <summary>The tensor's name, the key it has in a safetensors header.</summary>
    public string Name { get; }

    /// <summary>The element type of <see cref="Data"/>.</summary>
    public SafeTensorDType DType { get; }

    /// <summary>The dimensions, outermost first. Empty for a scalar.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The number of elements: the product of the dimensions (1 for a scalar, 0 when a dimension is 0).</summary>
    public long ElementCount { get; }

    /// <summary>The raw element bytes, little-endian and row-major; the length is <see cref="ElementCount"/> times the element size.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Creates an F32 tensor from single-precision values.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="values">The values in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of values (empty means a scalar).</param>
    /// <returns>The new tensor.</returns>
    /// <exception cref="ArgumentException">The shape is invalid or does not match the number of values.</exception>
    public static SafeTensor FromSingle(string name, ReadOnlySpan<float> values, params int[] shape) =>
        FromValues(name, SafeTensorDType.F32, values, shape);

    /// <summary>Creates an F64 tensor from double-precision values.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="values">The values in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of values (empty means a scalar).</param>
    /// <returns>The new tensor.</returns>
    /// <exception cref="ArgumentException">The shape is invalid or does not match the number of values.</exception>
    public static SafeTensor FromDouble(string name, ReadOnlySpan<double> values, params int[] shape) =>
        FromValues(name, SafeTensorDType.F64, values, shape);

    /// <summary>Creates an F16 tensor from half-precision values.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="values">The values in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of values (empty means a scalar).</param>
    /// <returns>The new tensor.</returns>
    /// <exception cref="ArgumentException">The shape is invalid or does not match the number of values.</exception>
    public static SafeTensor FromHalf(string name, ReadOnlySpan<Half> values, params int[] shape) =>
        FromValues(name, SafeTensorDType.F16, values, shape);

    /// <summary>
    /// Creates a BF16 tensor from single-precision values, rounding each to the nearest bfloat16 (ties to even,
    /// as PyTorch does); infinities are kept and every NaN becomes the quiet NaN 0x7FC0.
    /// </summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="values">The values in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of values (empty means a scalar).</param>
    /// <returns>The new tensor.</returns>
    /// <exception cref="ArgumentException">The shape is invalid or does not match the number of values.</exception>
    public static SafeTensor FromBFloat16(string name, ReadOnlySpan<float> values, params int[] shape)
    {
        var bits = new ushort[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = SingleToBFloat16Bits(values[i]);
        }

        return FromValues(name, SafeTensorDType.BF16, (ReadOnlySpan<ushort>)bits, shape);
    }

    /// <summary>Creates an I64 tensor from 64-bit integers.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="values">The values in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of values (empty means a scalar).</param>
    /// <returns>The new tensor.</returns>
    /// <exception cref="ArgumentException">The shape is invalid or does not match the number of values.</exception>
    public static SafeTensor FromInt64(string name, ReadOnlySpan<long> values, params int[] shape) =>
        FromValues(name, SafeTensorDType.I64, values, shape);

    /// <summary>Creates an I32 tensor from 32-bit integers.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="values">The values in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of values (empty means a scalar).</param>
    /// <returns>The new tensor.</returns>
    /// <exception cref="ArgumentException">The shape is invalid or does not match the number of values.</exception>
    public static SafeTensor FromInt32(string name, ReadOnlySpan<int> values, params int[] shape) =>
        FromValues(name, SafeTensorDType.I32, values, shape);

    /// <summary>Creates an I8 tensor from 8-bit signed integers (int8 weights, for example).</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="values">The values in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of values (empty means a scalar).</param>
    /// <returns>The new tensor.</returns>
    /// <exception cref="ArgumentException">The shape is invalid or does not match the number of values.</exception>
    public static SafeTensor FromInt8(string name, ReadOnlySpan<sbyte> values, params int[] shape) =>
        FromValues(name, SafeTensorDType.I8, values, shape);

    /// <summary>Returns a short description such as <c>weight_ih_l0 F32 [20,3]</c>.</summary>
    /// <returns>The name, dtype and shape.</returns>
    public override string ToString() => $"{Name} {DType.GetJsonName()} {FormatShape(dimensions)}";

    /// <summary>Formats a shape the way messages show it, for example <c>[20,3]</c>.</summary>
    internal static string FormatShape(IReadOnlyList<int> shape) =>
        "[" + string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>
    /// Returns the product of the dimensions, or <see langword="null"/> when a dimension is negative or the
    /// product overflows <see cref="long"/>. A zero dimension gives 0 whatever the other dimensions are.
    /// </summary>
    internal static long? TryCountElements(ReadOnlySpan<int> shape)
    {
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                return null;
            }

            if (dimension == 0)
            {
                return 0;
            }
        }

        long count = 1;
        foreach (int dimension in shape)
        {
            if (count > long.MaxValue / dimension)
            {
                return null;
            }

            count *= dimension;
        }

        return count;
    }

    /// <summary>Rounds a float to the nearest bfloat16 bit pattern, ties to even; NaN becomes 0x7FC0.</summary>
    internal static ushort SingleToBFloat16Bits(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>Widens a bfloat16 bit pattern to the float it represents exactly.</summary>
    internal static float BFloat16BitsToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    private static SafeTensor FromValues<T>(string name, SafeTensorDType dtype, ReadOnlySpan<T> values, int[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        int[] shapeCopy = (int[])shape.Clone();
        long elementCount = CountElementsForArgument(name, shapeCopy);
        if (elementCount != values.Length)
        {
            throw new ArgumentException(
                $"tensor '{name}': shape {FormatShape(shapeCopy)} has {elementCount} elements but {values.Length} values were given.",
                nameof(values));
        }

        byte[] data = MemoryMarshal.AsBytes(values).ToArray();
        ToLittleEndianInPlace(data, dtype.GetElementSize());
        return new SafeTensor(name, dtype, shapeCopy, elementCount, data);
    }

    private static long CountElementsForArgument(string name, int[] shape)
    {
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
            {
                throw new ArgumentException(
                    $"tensor '{name}': dimension {i} of shape {FormatShape(shape)} is negative.", nameof(shape));
            }
        }

        return TryCountElements(shape)
            ?? throw new ArgumentException(
                $"tensor '{name}': the element count of shape {FormatShape(shape)} overflows a 64-bit integer.", nameof(shape));
    }

    private static long ByteSizeForArgument(string name, SafeTensorDType dtype, int[] shape, long elementCount, int elementSize)
    {
        if (elementCount > long.MaxValue / elementSize)
        {
            throw new ArgumentException(
                $"tensor '{name}': the byte size of shape {FormatShape(shape)} with dtype {dtype.GetJsonName()} overflows a 64-bit integer.",
                nameof(shape));
        }

        return elementCount * elementSize;
    }

    /// <summary>Swaps each element's bytes on big-endian machines; does nothing on little-endian ones.</summary>
    private static void ToLittleEndianInPlace(Span<byte> bytes, int elementSize)
    {
        if (BitConverter.IsLittleEndian)
        {
            return;
        }

        switch (elementSize)
        {
            case 2:
                Span<ushort> halves = MemoryMarshal.Cast<byte, ushort>(bytes);
                BinaryPrimitives.ReverseEndianness(halves, halves);
                break;
            case 4:
                Span<uint> words = MemoryMarshal.Cast<byte, uint>(bytes);
                BinaryPrimitives.ReverseEndianness(words, words);
                break;
            case 8:
                Span<ulong> doubleWords = MemoryMarshal.Cast<byte, ulong>(bytes);
                BinaryPrimitives.ReverseEndianness(doubleWords, doubleWords);
                break;
        }
    }
}
