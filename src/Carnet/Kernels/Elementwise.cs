// Dimension legend: rows = the leading (batch-like) dimension, width = elements used in each row,
// stride = elements between the starts of consecutive rows (stride >= width lets a kernel address one
// direction's columns inside a bidirectional (T, B, 2H) buffer).
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Carnet.Kernels;

/// <summary>
/// Element-wise and row-wise kernels: copies, sums, broadcasts, conversions. Each arithmetic kernel runs
/// <see cref="ElementwiseSimd"/> for float and double (unless <see cref="KernelSettings.UseReferenceKernels"/>
/// or the machine has no SIMD) and its scalar reference (the <c>…Reference</c> method) otherwise; the two give
/// bit-identical results, as each element gets one addition or multiplication in the same order.
/// </summary>
internal static class Elementwise
{
    /// <summary>destination[i] = (TTo)source[i]: see <see cref="ConvertReference{TFrom, TTo}"/>.</summary>
    public static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        if (!KernelSettings.UseReferenceKernels && Vector.IsHardwareAccelerated)
        {
            if (typeof(TFrom) == typeof(TTo))
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, source.Length);
                MemoryMarshal.Cast<TFrom, TTo>(source).CopyTo(destination);
                return;
            }

            if (typeof(TFrom) == typeof(float) && typeof(TTo) == typeof(double))
            {
                ElementwiseSimd.Widen(MemoryMarshal.Cast<TFrom, float>(source), MemoryMarshal.Cast<TTo, double>(destination));
                return;
            }

            if (typeof(TFrom) == typeof(double) && typeof(TTo) == typeof(float))
            {
                ElementwiseSimd.Narrow(MemoryMarshal.Cast<TFrom, double>(source), MemoryMarshal.Cast<TTo, float>(destination));
                return;
            }
        }

        ConvertReference(source, destination);
    }

    /// <summary>destination[i] += source[i]: see <see cref="AddReference{T}"/>.</summary>
    public static void Add<T>(ReadOnlySpan<T> source, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseSimd<T>())
        {
            ElementwiseSimd.Add(source, destination);
            return;
        }

        AddReference(source, destination);
    }

    /// <summary>destination[i] = a[i] * b[i]: see <see cref="MultiplyReference{T}"/>.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseSimd<T>())
        {
            ElementwiseSimd.Multiply(a, b, destination);
            return;
        }

        MultiplyReference(a, b, destination);
    }

    /// <summary>destination[i] *= factor: see <see cref="ScaleReference{T}"/>.</summary>
    public static void Scale<T>(T factor, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseSimd<T>())
        {
            ElementwiseSimd.Scale(factor, destination);
            return;
        }

        ScaleReference(factor, destination);
    }

    /// <summary>The bias broadcast: see <see cref="BroadcastRowsReference{T}"/>.</summary>
    public static void BroadcastRows<T>(
        ReadOnlySpan<T> vector, ReadOnlySpan<T> second, int rows, int width, Span<T> matrix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseSimd<T>())
        {
            ElementwiseSimd.BroadcastRows(vector, second, rows, width, matrix);
            return;
        }

        BroadcastRowsReference(vector, second, rows, width, matrix);
    }

    /// <summary>Each row of matrix += vector: see <see cref="AddToRowsReference{T}"/>.</summary>
    public static void AddToRows<T>(ReadOnlySpan<T> vector, int rows, int width, Span<T> matrix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseSimd<T>())
        {
            ElementwiseSimd.AddToRows(vector, rows, width, matrix);
            return;
        }

        AddToRowsReference(vector, rows, width, matrix);
    }

    /// <summary>Bias gradients, sums += column sums: see <see cref="AccumulateColumnSumsReference{T}(ReadOnlySpan{T}, int, int, int, Span{T}, Span{T})"/>.</summary>
    public static void AccumulateColumnSums<T>(ReadOnlySpan<T> matrix, int rows, int width, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
        => AccumulateColumnSums(matrix, rows, width, width, sums, default);

    /// <summary>
    /// Bias gradients of a column range, rows <paramref name="stride"/> apart: sums += column sums, and second (when not
    /// empty) += the same, for two biases that get the same gradient, with one read of the matrix: see
    /// <see cref="AccumulateColumnSumsReference{T}(ReadOnlySpan{T}, int, int, int, Span{T}, Span{T})"/>.
    /// </summary>
    public static void AccumulateColumnSums<T>(ReadOnlySpan<T> matrix, int rows, int width, int stride, Span<T> sums, Span<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseSimd<T>())
        {
            ElementwiseSimd.AccumulateColumnSums(matrix, rows, width, stride, sums, second);
            return;
        }

        AccumulateColumnSumsReference(matrix, rows, width, stride, sums, second);
    }

    /// <summary>Strided rows += strided rows: see <see cref="AddRowsReference{T}"/>.</summary>
    public static void AddRows<T>(
        ReadOnlySpan<T> source, int sourceStride, int rows, int width, Span<T> destination, int destinationStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseSimd<T>())
        {
            ElementwiseSimd.AddRows(source, sourceStride, rows, width, destination, destinationStride);
            return;
        }

        AddRowsReference(source, sourceStride, rows, width, destination, destinationStride);
    }

    /// <summary>destination += source transposed: see <see cref="AddTransposedReference{T}"/>.</summary>
    public static void AddTransposed<T>(ReadOnlySpan<T> source, int rows, int width, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseSimd<T>())
        {
            ElementwiseSimd.AddTransposed(source, rows, width, destination);
            return;
        }

        AddTransposedReference(source, rows, width, destination);
    }

    /// <summary>Whether the arithmetic kernels run <see cref="ElementwiseSimd"/> for <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UseSimd<T>() =>
        (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        && Vector.IsHardwareAccelerated
        && !KernelSettings.UseReferenceKernels;

    /// <summary>destination[i] = (TTo)source[i], the scalar reference.</summary>
    public static void ConvertReference<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = TTo.CreateTruncating(source[i]);
        }
    }

    /// <summary>destination[i] += source[i], the scalar reference.</summary>
    public static void AddReference<T>(ReadOnlySpan<T> source, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] += source[i];
        }
    }

    /// <summary>destination[i] = a[i] * b[i], the scalar reference.</summary>
    public static void MultiplyReference<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = a[i] * b[i];
        }
    }

    /// <summary>destination[i] *= factor, the scalar reference.</summary>
    public static void ScaleReference<T>(T factor, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] *= factor;
        }
    }

    /// <summary>Each row of matrix (rows, width) = vector (width) [+ second (width)]: the bias broadcast, the scalar reference.</summary>
    public static void BroadcastRowsReference<T>(
        ReadOnlySpan<T> vector, ReadOnlySpan<T> second, int rows, int width, Span<T> matrix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool hasSecond = !second.IsEmpty;
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = matrix.Slice(r * width, width);
            for (int j = 0; j < width; j++)
            {
                row[j] = hasSecond ? vector[j] + second[j] : vector[j];
            }
        }
    }

    /// <summary>Each row of matrix (rows, width) += vector (width), the scalar reference.</summary>
    public static void AddToRowsReference<T>(ReadOnlySpan<T> vector, int rows, int width, Span<T> matrix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = matrix.Slice(r * width, width);
            for (int j = 0; j < width; j++)
            {
                row[j] += vector[j];
            }
        }
    }

    /// <summary>sums (width) += the sum over rows of matrix (rows, width), rows in ascending order: every bias gradient, the scalar reference.</summary>
    public static void AccumulateColumnSumsReference<T>(ReadOnlySpan<T> matrix, int rows, int width, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
        => AccumulateColumnSumsReference(matrix, rows, width, width, sums, default);

    /// <summary>
    /// sums (width) += the sum over rows of matrix (rows, width; rows <paramref name="stride"/> apart), rows in ascending
    /// order, and second (when not empty) += the same: the scalar reference.
    /// </summary>
    public static void AccumulateColumnSumsReference<T>(ReadOnlySpan<T> matrix, int rows, int width, int stride, Span<T> sums, Span<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = matrix.Slice(r * stride, width);
            for (int j = 0; j < width; j++)
            {
                sums[j] += row[j];
                if (!second.IsEmpty)
                {
                    second[j] += row[j];
                }
            }
        }
    }

    /// <summary>Copies rows (rows, width) between strided layouts.</summary>
    public static void CopyRows<T>(
        ReadOnlySpan<T> source, int sourceStride, int rows, int width, Span<T> destination, int destinationStride)
        where T : unmanaged
    {
        for (int r = 0; r < rows; r++)
        {
            source.Slice(r * sourceStride, width).CopyTo(destination.Slice(r * destinationStride, width));
        }
    }

    /// <summary>Adds rows (rows, width) of a strided source into a strided destination, the scalar reference.</summary>
    public static void AddRowsReference<T>(
        ReadOnlySpan<T> source, int sourceStride, int rows, int width, Span<T> destination, int destinationStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> from = source.Slice(r * sourceStride, width);
            Span<T> to = destination.Slice(r * destinationStride, width);
            for (int j = 0; j < width; j++)
            {
                to[j] += from[j];
            }
        }
    }

    /// <summary>(d0, d1, inner) → (d1, d0, inner): batch-first ↔ time-major.</summary>
    public static void TransposeLeadingAxes<T>(ReadOnlySpan<T> source, int d0, int d1, int inner, Span<T> destination)
        where T : unmanaged
    {
        for (int i = 0; i < d0; i++)
        {
            for (int j = 0; j < d1; j++)
            {
                source.Slice((i * d1 + j) * inner, inner).CopyTo(destination.Slice((j * d0 + i) * inner, inner));
            }
        }
    }

    /// <summary>destination (rows, width) += source (rows, width) transposed from (width, rows), the scalar reference.</summary>
    public static void AddTransposedReference<T>(ReadOnlySpan<T> source, int rows, int width, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < width; j++)
            {
                destination[r * width + j] += source[j * rows + r];
            }
        }
    }
}
