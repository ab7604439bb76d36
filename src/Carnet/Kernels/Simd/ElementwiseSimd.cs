// Dimension legend: rows = the leading (batch-like) dimension, width = elements used in each row,
// stride = elements between the starts of consecutive rows, N = elements per Vector<T> (8 floats with AVX2).
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Carnet.Kernels;

/// <summary>
/// The SIMD twins of <see cref="Elementwise"/>'s references, for T = float or double: N consecutive elements of a
/// row at a time, then a scalar tail. Every element gets exactly the reference's single addition or
/// multiplication, with the same operands in the same order (a sum over rows still runs in ascending row order,
/// vectorised across columns only), so the results are bit for bit the reference's. Lengths are checked before
/// anything is written; the loops then address the spans through references without bounds checks. An output
/// may be the very same buffer as an input (a[i] ⊙ b[i] written over a), not a shifted part of it.
/// </summary>
internal static class ElementwiseSimd
{
    /// <summary>float → double, as <see cref="Elementwise.ConvertReference{TFrom, TTo}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Widen(ReadOnlySpan<float> source, Span<double> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, source.Length);
        ref float from = ref MemoryMarshal.GetReference(source);
        ref double to = ref MemoryMarshal.GetReference(destination);
        nuint i = 0, n = (nuint)source.Length, count = (nuint)Vector<float>.Count;
        for (; i + count <= n; i += count)
        {
            Vector.Widen(Vector.LoadUnsafe(ref from, i), out Vector<double> low, out Vector<double> high);
            low.StoreUnsafe(ref to, i);
            high.StoreUnsafe(ref to, i + count / 2);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
        }
    }

    /// <summary>double → float (rounded to nearest), as <see cref="Elementwise.ConvertReference{TFrom, TTo}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Narrow(ReadOnlySpan<double> source, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, source.Length);
        ref double from = ref MemoryMarshal.GetReference(source);
        ref float to = ref MemoryMarshal.GetReference(destination);
        nuint i = 0, n = (nuint)source.Length, count = (nuint)Vector<float>.Count;
        for (; i + count <= n; i += count)
        {
            Vector.Narrow(Vector.LoadUnsafe(ref from, i), Vector.LoadUnsafe(ref from, i + count / 2)).StoreUnsafe(ref to, i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref to, i) = (float)Unsafe.Add(ref from, i);
        }
    }

    /// <summary>destination[i] += source[i], as <see cref="Elementwise.AddReference{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add<T>(ReadOnlySpan<T> source, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, source.Length);
        AddTo(ref MemoryMarshal.GetReference(source), ref MemoryMarshal.GetReference(destination), (nuint)source.Length);
    }

    /// <summary>destination[i] = a[i] * b[i], as <see cref="Elementwise.MultiplyReference{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, destination.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(b.Length, destination.Length);
        ref T left = ref MemoryMarshal.GetReference(a);
        ref T right = ref MemoryMarshal.GetReference(b);
        ref T to = ref MemoryMarshal.GetReference(destination);
        nuint i = 0, n = (nuint)destination.Length, count = (nuint)Vector<T>.Count;
        for (; i + count <= n; i += count)
        {
            (Vector.LoadUnsafe(ref left, i) * Vector.LoadUnsafe(ref right, i)).StoreUnsafe(ref to, i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref to, i) = Unsafe.Add(ref left, i) * Unsafe.Add(ref right, i);
        }
    }

    /// <summary>destination[i] *= factor, as <see cref="Elementwise.ScaleReference{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale<T>(T factor, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T to = ref MemoryMarshal.GetReference(destination);
        var factors = new Vector<T>(factor);
        nuint i = 0, n = (nuint)destination.Length, count = (nuint)Vector<T>.Count;
        for (; i + count <= n; i += count)
        {
            (Vector.LoadUnsafe(ref to, i) * factors).StoreUnsafe(ref to, i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref to, i) *= factor;
        }
    }

    /// <summary>
    /// Each row of matrix (rows, width) = vector [+ second], as <see cref="Elementwise.BroadcastRowsReference{T}"/>:
    /// the first row is computed, and copied into the others (each holds the same values the reference computes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BroadcastRows<T>(ReadOnlySpan<T> vector, ReadOnlySpan<T> second, int rows, int width, Span<T> matrix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        if (rows == 0)
        {
            return;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(matrix.Length, rows * width);
        ArgumentOutOfRangeException.ThrowIfLessThan(vector.Length, width);
        Span<T> first = matrix[..width];
        if (second.IsEmpty)
        {
            vector[..width].CopyTo(first);
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(second.Length, width);
            ref T left = ref MemoryMarshal.GetReference(vector);
            ref T right = ref MemoryMarshal.GetReference(second);
            ref T to = ref MemoryMarshal.GetReference(first);
            nuint j = 0, n = (nuint)width, count = (nuint)Vector<T>.Count;
            for (; j + count <= n; j += count)
            {
                (Vector.LoadUnsafe(ref left, j) + Vector.LoadUnsafe(ref right, j)).StoreUnsafe(ref to, j);
            }

            for (; j < n; j++)
            {
                Unsafe.Add(ref to, j) = Unsafe.Add(ref left, j) + Unsafe.Add(ref right, j);
            }
        }

        for (int r = 1; r < rows; r++)
        {
            first.CopyTo(matrix.Slice(r * width, width));
        }
    }

    /// <summary>Each row of matrix (rows, width) += vector, as <see cref="Elementwise.AddToRowsReference{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddToRows<T>(ReadOnlySpan<T> vector, int rows, int width, Span<T> matrix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatrix(matrix.Length, rows, width, width);
        if (rows > 0)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(vector.Length, width);
        }

        ref T from = ref MemoryMarshal.GetReference(vector);
        ref T to = ref MemoryMarshal.GetReference(matrix);
        for (int r = 0; r < rows; r++)
        {
            AddTo(ref from, ref Unsafe.Add(ref to, r * width), (nuint)width);
        }
    }

    /// <summary>Strided destination rows += strided source rows, as <see cref="Elementwise.AddRowsReference{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRows<T>(
        ReadOnlySpan<T> source, int sourceStride, int rows, int width, Span<T> destination, int destinationStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatrix(source.Length, rows, width, sourceStride);
        CheckMatrix(destination.Length, rows, width, destinationStride);
        ref T from = ref MemoryMarshal.GetReference(source);
        ref T to = ref MemoryMarshal.GetReference(destination);
        for (int r = 0; r < rows; r++)
        {
            AddTo(ref Unsafe.Add(ref from, r * sourceStride), ref Unsafe.Add(ref to, r * destinationStride), (nuint)width);
        }
    }

    /// <summary>
    /// sums (width) += the sum over rows of matrix (rows, width; rows <paramref name="stride"/> apart), and second
    /// (when not empty) += the same, as <see cref="Elementwise.AccumulateColumnSumsReference{T}(ReadOnlySpan{T}, int, int, int, Span{T}, Span{T})"/>: N columns at a time,
    /// each adding row 0, 1, 2, … in turn; four rows per pass, so a column's running sums stay in registers across them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateColumnSums<T>(ReadOnlySpan<T> matrix, int rows, int width, int stride, Span<T> sums, Span<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatrix(matrix.Length, rows, width, stride);
        if (rows > 0)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(sums.Length, width);
            ArgumentOutOfRangeException.ThrowIfLessThan(second.IsEmpty ? width : second.Length, width);
        }

        ref T row0 = ref MemoryMarshal.GetReference(matrix);
        ref T sum = ref MemoryMarshal.GetReference(sums);
        bool both = !second.IsEmpty;
        ref T other = ref both ? ref MemoryMarshal.GetReference(second) : ref sum;
        nuint w = (nuint)width, ld = (nuint)stride;
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            AddFourRows(ref row0, ld, ref sum, w);
            if (both)
            {
                AddFourRows(ref row0, ld, ref other, w);
            }

            row0 = ref Unsafe.Add(ref row0, 4 * ld);
        }

        for (; r < rows; r++)
        {
            AddTo(ref row0, ref sum, w);
            if (both)
            {
                AddTo(ref row0, ref other, w);
            }

            row0 = ref Unsafe.Add(ref row0, ld);
        }
    }

    /// <summary>sum (w) += rows 0, 1, 2 and 3 (ld apart), in that order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddFourRows<T>(ref T row0, nuint ld, ref T sum, nuint w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T row1 = ref Unsafe.Add(ref row0, ld);
        ref T row2 = ref Unsafe.Add(ref row0, 2 * ld);
        ref T row3 = ref Unsafe.Add(ref row0, 3 * ld);
        nuint j = 0, count = (nuint)Vector<T>.Count;
        for (; j + count <= w; j += count)
        {
            Vector<T> s = Vector.LoadUnsafe(ref sum, j) + Vector.LoadUnsafe(ref row0, j);
            s += Vector.LoadUnsafe(ref row1, j);
            s += Vector.LoadUnsafe(ref row2, j);
            (s + Vector.LoadUnsafe(ref row3, j)).StoreUnsafe(ref sum, j);
        }

        for (; j < w; j++)
        {
            T s = Unsafe.Add(ref sum, j) + Unsafe.Add(ref row0, j);
            s += Unsafe.Add(ref row1, j);
            s += Unsafe.Add(ref row2, j);
            Unsafe.Add(ref sum, j) = s + Unsafe.Add(ref row3, j);
        }
    }

    /// <summary>
    /// destination (rows, width) += source (width, rows) transposed, as
    /// <see cref="Elementwise.AddTransposedReference{T}"/>, in square tiles so that both sides stay in cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddTransposed<T>(ReadOnlySpan<T> source, int rows, int width, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int tile = 32;
        CheckMatrix(destination.Length, rows, width, width);
        CheckMatrix(source.Length, width, rows, rows);
        ref T from = ref MemoryMarshal.GetReference(source);
        ref T to = ref MemoryMarshal.GetReference(destination);
        for (int r0 = 0; r0 < rows; r0 += tile)
        {
            int rEnd = Math.Min(r0 + tile, rows);
            for (int j0 = 0; j0 < width; j0 += tile)
            {
                int jEnd = Math.Min(j0 + tile, width);
                for (int r = r0; r < rEnd; r++)
                {
                    ref T row = ref Unsafe.Add(ref to, r * width);
                    for (int j = j0; j < jEnd; j++)
                    {
                        Unsafe.Add(ref row, j) += Unsafe.Add(ref from, j * rows + r);
                    }
                }
            }
        }
    }

    /// <summary>to[i] += from[i] for i in [0, <paramref name="length"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo<T>(ref T from, ref T to, nuint length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint i = 0, count = (nuint)Vector<T>.Count;
        for (; i + count <= length; i += count)
        {
            (Vector.LoadUnsafe(ref to, i) + Vector.LoadUnsafe(ref from, i)).StoreUnsafe(ref to, i);
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref to, i) += Unsafe.Add(ref from, i);
        }
    }

    /// <summary>
    /// Throws unless a buffer of <paramref name="length"/> elements holds <paramref name="rows"/> rows of
    /// <paramref name="width"/> elements <paramref name="stride"/> apart (stride ≥ width; nothing needed for no rows).
    /// </summary>
    private static void CheckMatrix(int length, int rows, int width, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width);
        if (rows > 0)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan((long)length, (long)(rows - 1) * stride + width);
        }
    }
}
