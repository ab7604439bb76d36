// Dimension legend: rows = the leading (batch-like) dimension, width = elements used in each row,
// stride = elements between the starts of consecutive rows (stride >= width lets a kernel address one
// direction's columns inside a bidirectional (T, B, 2H) buffer).
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Element-wise and row-wise kernels: copies, sums, broadcasts, conversions. Scalar reference code.</summary>
internal static class Elementwise
{
    /// <summary>destination[i] = (TTo)source[i].</summary>
    public static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = TTo.CreateTruncating(source[i]);
        }
    }

    /// <summary>destination[i] += source[i].</summary>
    public static void Add<T>(ReadOnlySpan<T> source, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] += source[i];
        }
    }

    /// <summary>destination[i] = a[i] * b[i].</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = a[i] * b[i];
        }
    }

    /// <summary>destination[i] *= factor.</summary>
    public static void Scale<T>(T factor, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] *= factor;
        }
    }

    /// <summary>Each row of matrix (rows, width) = vector (width) [+ second (width)]: the bias broadcast.</summary>
    public static void BroadcastRows<T>(
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

    /// <summary>Each row of matrix (rows, width) += vector (width).</summary>
    public static void AddToRows<T>(ReadOnlySpan<T> vector, int rows, int width, Span<T> matrix)
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

    /// <summary>sums (width) += the sum over rows of matrix (rows, width): every bias gradient.</summary>
    public static void AccumulateColumnSums<T>(ReadOnlySpan<T> matrix, int rows, int width, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = matrix.Slice(r * width, width);
            for (int j = 0; j < width; j++)
            {
                sums[j] += row[j];
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

    /// <summary>Adds rows (rows, width) of a strided source into a strided destination.</summary>
    public static void AddRows<T>(
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

    /// <summary>destination (rows, width) += source (rows, width) transposed from (width, rows).</summary>
    public static void AddTransposed<T>(ReadOnlySpan<T> source, int rows, int width, Span<T> destination)
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
