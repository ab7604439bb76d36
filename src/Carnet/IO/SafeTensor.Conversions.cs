using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Carnet.IO;

public sealed partial class SafeTensor
{
    /// <summary>
    /// Returns the elements as single-precision values. F32 is copied; F64 is rounded to the nearest float;
    /// F16 and BF16 are widened exactly; integers are converted to the nearest float; BOOL gives 0 or 1.
    /// </summary>
    /// <returns>A new array of <see cref="ElementCount"/> values in row-major order.</returns>
    /// <exception cref="InvalidOperationException">The tensor has more elements than an array can hold.</exception>
    public float[] ToSingleArray() =>
        DType == SafeTensorDType.F32 ? CopyNative<float>() : ConvertNumeric<float>();

    /// <summary>
    /// Returns the elements as double-precision values. F64 is copied; F32, F16 and BF16 are widened exactly;
    /// integers are converted to the nearest double; BOOL gives 0 or 1.
    /// </summary>
    /// <returns>A new array of <see cref="ElementCount"/> values in row-major order.</returns>
    /// <exception cref="InvalidOperationException">The tensor has more elements than an array can hold.</exception>
    public double[] ToDoubleArray() =>
        DType == SafeTensorDType.F64 ? CopyNative<double>() : ConvertNumeric<double>();

    /// <summary>
    /// Returns the elements as 64-bit integers. Works for I64, I32, I16, I8, U8 and BOOL (0 or 1);
    /// floating-point tensors are rejected rather than truncated.
    /// </summary>
    /// <returns>A new array of <see cref="ElementCount"/> values in row-major order.</returns>
    /// <exception cref="InvalidOperationException">The dtype is a floating-point type, or the tensor is too large for an array.</exception>
    public long[] ToInt64Array()
    {
        RejectFloatingPoint(nameof(ToInt64Array));
        return DType == SafeTensorDType.I64 ? CopyNative<long>() : ConvertNumeric<long>();
    }

    /// <summary>
    /// Returns the elements as 32-bit integers. Works for I64 (every value must fit), I32, I16, I8, U8 and
    /// BOOL (0 or 1); floating-point tensors are rejected rather than truncated.
    /// </summary>
    /// <returns>A new array of <see cref="ElementCount"/> values in row-major order.</returns>
    /// <exception cref="InvalidOperationException">The dtype is a floating-point type, or the tensor is too large for an array.</exception>
    /// <exception cref="OverflowException">An I64 value is outside the range of <see cref="int"/>.</exception>
    public int[] ToInt32Array()
    {
        RejectFloatingPoint(nameof(ToInt32Array));
        if (DType == SafeTensorDType.I32)
        {
            return CopyNative<int>();
        }

        if (DType != SafeTensorDType.I64)
        {
            return ConvertNumeric<int>();
        }

        int[] result = Allocate<int>();
        ReadOnlySpan<byte> bytes = Data.Span;
        for (int i = 0; i < result.Length; i++)
        {
            long value = BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(i * sizeof(long), sizeof(long)));
            if (value < int.MinValue || value > int.MaxValue)
            {
                throw new OverflowException(
                    $"tensor '{Name}': element {i} has value {value}, which is outside the range of a 32-bit integer.");
            }

            result[i] = (int)value;
        }

        return result;
    }

    /// <summary>Returns the elements of an I8 tensor as they are stored.</summary>
    /// <returns>A new array of <see cref="ElementCount"/> values in row-major order.</returns>
    /// <exception cref="InvalidOperationException">The dtype is not I8.</exception>
    public sbyte[] ToInt8Array() => DType == SafeTensorDType.I8
        ? CopyNative<sbyte>()
        : throw new InvalidOperationException($"tensor '{Name}' is {DType.GetJsonName()}; {nameof(ToInt8Array)} reads I8 tensors only.");

    private void RejectFloatingPoint(string methodName)
    {
        if (DType.IsFloatingPoint())
        {
            throw new InvalidOperationException(
                $"tensor '{Name}' has the floating-point dtype {DType.GetJsonName()}; {methodName} needs an integer dtype (I64, I32, I16, I8, U8 or BOOL).");
        }
    }

    private T[] Allocate<T>()
    {
        if (ElementCount > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"tensor '{Name}' has {ElementCount} elements, more than an array can hold.");
        }

        return new T[ElementCount];
    }

    /// <summary>Copies the data into an array of its own element type, fixing the byte order on big-endian machines.</summary>
    private T[] CopyNative<T>()
        where T : unmanaged
    {
        T[] result = Allocate<T>();
        Span<byte> target = MemoryMarshal.AsBytes(result.AsSpan());
        Data.Span.CopyTo(target);
        ToLittleEndianInPlace(target, DType.GetElementSize());
        return result;
    }

    /// <summary>Converts every element to <typeparamref name="TResult"/> with the usual numeric conversion.</summary>
    private TResult[] ConvertNumeric<TResult>()
        where TResult : INumberBase<TResult>
    {
        TResult[] result = Allocate<TResult>();
        ReadOnlySpan<byte> bytes = Data.Span;
        switch (DType)
        {
            case SafeTensorDType.F64:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = TResult.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i * 8, 8)));
                }

                break;
            case SafeTensorDType.F32:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = TResult.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4)));
                }

                break;
            case SafeTensorDType.F16:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = TResult.CreateTruncating(BinaryPrimitives.ReadHalfLittleEndian(bytes.Slice(i * 2, 2)));
                }

                break;
            case SafeTensorDType.BF16:
                for (int i = 0; i < result.Length; i++)
                {
                    ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * 2, 2));
                    result[i] = TResult.CreateTruncating(BFloat16BitsToSingle(bits));
                }

                break;
            case SafeTensorDType.I64:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = TResult.CreateTruncating(BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(i * 8, 8)));
                }

                break;
            case SafeTensorDType.I32:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = TResult.CreateTruncating(BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(i * 4, 4)));
                }

                break;
            case SafeTensorDType.I16:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = TResult.CreateTruncating(BinaryPrimitives.ReadInt16LittleEndian(bytes.Slice(i * 2, 2)));
                }

                break;
            case SafeTensorDType.I8:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = TResult.CreateTruncating((sbyte)bytes[i]);
                }

                break;
            case SafeTensorDType.U8:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = TResult.CreateTruncating(bytes[i]);
                }

                break;
            case SafeTensorDType.Bool:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = bytes[i] != 0 ? TResult.One : TResult.Zero;
                }

                break;
            default:
                throw new InvalidOperationException($"tensor '{Name}' has the unknown dtype {DType}.");
        }

        return result;
    }
}
