// Dimension legend: M = rows of op(A) and C, N = columns of op(B) and C, K = the shared dimension.
// Matrices are row-major; lda, ldb, ldc are the row strides (elements between consecutive rows).
using System.Numerics;
using System.Runtime.InteropServices;

namespace Carnet.Kernels;

/// <summary>
/// General matrix multiply, C (M, N) = op(A) (M, K) · op(B) (K, N), or C += … when accumulating; op(X) is X or its
/// transpose. Single precision runs the fast kernel (<see cref="GemmSimd"/>: packed, SIMD, multi-threaded); double
/// precision, machines without SIMD and <see cref="KernelSettings.UseReferenceKernels"/> run the scalar reference
/// (<see cref="GemmReference"/>). Either way each element of C is summed in ascending K, so a row of C does not depend
/// on how many rows are computed with it, and the thread count never changes a bit.
/// </summary>
internal static class Gemm
{
    /// <summary>
    /// C = op(A)·op(B) (or C += op(A)·op(B) when <paramref name="accumulate"/>).
    /// A is stored (M, K) when not transposed, else (K, M); B is (K, N) when not transposed, else (N, K).
    /// </summary>
    public static void Multiply<T>(
        bool transposeA, bool transposeB,
        ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb,
        int m, int n, int k,
        Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckOperand(nameof(a), a.Length, transposeA ? k : m, transposeA ? m : k, lda);
        CheckOperand(nameof(b), b.Length, transposeB ? n : k, transposeB ? k : n, ldb);
        CheckOperand(nameof(c), c.Length, m, n, ldc);
        if (typeof(T) != typeof(float) || !UseFastKernels)
        {
            GemmReference.Multiply(transposeA, transposeB, a, lda, b, ldb, m, n, k, c, ldc, accumulate);
            return;
        }

        GemmSimd.Multiply(
            transposeA, transposeB,
            MemoryMarshal.Cast<T, float>(a), lda,
            MemoryMarshal.Cast<T, float>(b), ldb,
            m, n, k,
            MemoryMarshal.Cast<T, float>(c), ldc, accumulate);
    }

    /// <summary>
    /// Packs op(B) (K, N) once for many products with <see cref="Multiply(bool, ReadOnlySpan{float}, int, PackedMatrix, int, Span{float}, int, bool)"/>.
    /// B is stored (K, N) with row stride <paramref name="ldb"/>, or (N, K) when <paramref name="transposeB"/>.
    /// </summary>
    public static PackedMatrix PackB(bool transposeB, ReadOnlySpan<float> b, int ldb, int k, int n)
    {
        var packed = new PackedMatrix();
        PackB(transposeB, b, ldb, k, n, packed);
        return packed;
    }

    /// <summary>
    /// Packs op(B) (K, N) into <paramref name="destination"/>, reusing its buffer (grown only when too small), so a
    /// layer can keep one per weight matrix and repack it at every forward or backward call without allocating.
    /// </summary>
    public static void PackB(bool transposeB, ReadOnlySpan<float> b, int ldb, int k, int n, PackedMatrix destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckOperand(nameof(b), b.Length, transposeB ? n : k, transposeB ? k : n, ldb);
        GemmSimd.PackB(transposeB, b, ldb, k, n, destination);
    }

    /// <summary>
    /// C (M, N) = op(A) · B (or C += … when <paramref name="accumulate"/>) for a packed B (K, N): bit-identical to
    /// <see cref="Multiply{T}"/> on the matrix that was packed. A is stored (M, K) when not transposed, else (K, M).
    /// </summary>
    public static void Multiply(
        bool transposeA, ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, Span<float> c, int ldc, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckOperand(nameof(a), a.Length, transposeA ? b.Rows : m, transposeA ? m : b.Rows, lda);
        CheckOperand(nameof(c), c.Length, m, b.Columns, ldc);
        if (!UseFastKernels)
        {
            GemmReference.Multiply(transposeA, a, lda, b, m, c, ldc, accumulate);
            return;
        }

        GemmSimd.Multiply(transposeA, a, lda, b, m, c, ldc, accumulate);
    }

    /// <summary>
    /// C (M, N) = bias [+ second] + A · B for a packed B (K, N), A stored (M, K): the input projection of a layer, its
    /// biases added. Bit-identical to <see cref="Elementwise.BroadcastRows{T}"/> of the biases into C, then
    /// <see cref="Multiply(bool, ReadOnlySpan{float}, int, PackedMatrix, int, Span{float}, int, bool)"/> accumulating.
    /// </summary>
    public static void MultiplyPlusBias(
        ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, Span<float> c, int ldc, ReadOnlySpan<float> bias, ReadOnlySpan<float> second)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckOperand(nameof(a), a.Length, m, b.Rows, lda);
        CheckOperand(nameof(c), c.Length, m, b.Columns, ldc);
        ArgumentOutOfRangeException.ThrowIfLessThan(bias.Length, b.Columns, nameof(bias));
        if (!second.IsEmpty)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(second.Length, b.Columns, nameof(second));
        }

        if (!UseFastKernels)
        {
            for (int i = 0; i < m; i++)
            {
                Elementwise.BroadcastRows(bias, second, 1, b.Columns, c.Slice(i * ldc, b.Columns));
            }

            GemmReference.Multiply(false, a, lda, b, m, c, ldc, accumulate: true);
            return;
        }

        GemmSimd.MultiplyPlusBias(a, lda, b, m, c, ldc, bias, second);
    }

    /// <summary>
    /// For each start s in <paramref name="columnStarts"/>, columns [s, s + <paramref name="columnCount"/>) of
    /// C (M, N) = A · B (or += … when <paramref name="accumulate"/>) for a packed B (K, N), A stored (M, K), on the calling
    /// thread alone; C is addressed as in the whole product. Each start must be a multiple of <see cref="ColumnAlignment"/>.
    /// Bit-identical to the same columns of <see cref="Multiply(bool, ReadOnlySpan{float}, int, PackedMatrix, int, Span{float}, int, bool)"/>.
    /// With a <paramref name="bias"/> (one value per column of B) and not accumulating: C = bias + A · B, bit-identical to
    /// copying the bias into those columns, then accumulating.
    /// </summary>
    public static void MultiplyColumns(
        ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, ReadOnlySpan<int> columnStarts, int columnCount, Span<float> c, int ldc, bool accumulate,
        ReadOnlySpan<float> bias = default)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(columnCount);
        CheckOperand(nameof(a), a.Length, m, b.Rows, lda);
        foreach (int start in columnStarts)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(start, nameof(columnStarts));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(start + columnCount, b.Columns, nameof(columnCount));
            if (start % b.Layout.PanelWidth != 0)
            {
                throw new ArgumentException($"column start {start} is not a multiple of the panel width {b.Layout.PanelWidth}.", nameof(columnStarts));
            }

            CheckOperand(nameof(c), c.Length, m, start + columnCount, ldc);
        }

        bool withBias = !bias.IsEmpty && !accumulate;
        if (withBias)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(bias.Length, b.Columns, nameof(bias));
        }

        if (!UseFastKernels)
        {
            foreach (int start in columnStarts)
            {
                for (int i = 0; i < m && withBias; i++)
                {
                    bias.Slice(start, columnCount).CopyTo(c.Slice(i * ldc + start, columnCount));
                }

                GemmReference.MultiplyColumns(a, lda, b, m, start, columnCount, c, ldc, accumulate || withBias);
            }

            return;
        }

        GemmSimd.MultiplyColumns(a, lda, b, m, columnStarts, columnCount, c, ldc, accumulate, withBias ? bias : default);
    }

    /// <summary>
    /// The column split a packed matrix allows: a range of columns given to <see cref="MultiplyColumns"/> must start at a
    /// multiple of this (the width of one packed panel).
    /// </summary>
    public static int ColumnAlignment(PackedMatrix b) => b.Layout.PanelWidth;

    /// <summary>C (M, N) = A (M, K) · Bᵀ where B is (N, K): the shape of every "x · Wᵀ" in the layers.</summary>
    public static void MultiplyTransposedB<T>(
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(false, true, a, k, b, k, m, n, k, c, n, accumulate);

    /// <summary>C (M, N) = A (M, K) · B where B is (K, N): the shape of every "dY · W" in the layers.</summary>
    public static void MultiplyPlain<T>(
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(false, false, a, k, b, n, m, n, k, c, n, accumulate);

    /// <summary>C (M, N) += Aᵀ · B where A is (K, M) and B is (K, N): the shape of every weight gradient "dYᵀ · X".</summary>
    public static void AccumulateTransposedA<T>(
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int n, int k, Span<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(true, false, a, m, b, n, m, n, k, c, n, accumulate: true);

    /// <summary>
    /// C1 (M, N1) += Aᵀ · B1 and C2 (M, N2) += A2ᵀ · B2, A and A2 stored (K, M), the first <paramref name="sharedRows"/>
    /// rows of A2ᵀ equal to those of Aᵀ: a layer's two weight gradients, dL/dW_ih = dGᵀ · x and dL/dW_hh = dGᵀ · h_{t−1},
    /// at once. Bit-identical to the two <see cref="AccumulateTransposedA{T}"/> it replaces, which the reference kernels
    /// and double run.
    /// </summary>
    public static void AccumulateTransposedAPair<T>(
        ReadOnlySpan<T> a, ReadOnlySpan<T> a2, int sharedRows, int m, int k, ReadOnlySpan<T> b1, int n1, Span<T> c1, ReadOnlySpan<T> b2, int n2, Span<T> c2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sharedRows);
        CheckOperand(nameof(a2), a2.Length, k, m, m);
        if (typeof(T) != typeof(float) || !UseFastKernels || n1 == 0 || n2 == 0)
        {
            AccumulateTransposedA(a, b1, m, n1, k, c1);
            AccumulateTransposedA(a2, b2, m, n2, k, c2);
            return;
        }

        CheckOperand(nameof(a), a.Length, k, m, m);
        CheckOperand(nameof(b1), b1.Length, k, n1, n1);
        CheckOperand(nameof(b2), b2.Length, k, n2, n2);
        CheckOperand(nameof(c1), c1.Length, m, n1, n1);
        CheckOperand(nameof(c2), c2.Length, m, n2, n2);
        GemmSimd.AccumulateTransposedAPair(
            MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(a2), sharedRows, m, k,
            MemoryMarshal.Cast<T, float>(b1), n1, MemoryMarshal.Cast<T, float>(c1), MemoryMarshal.Cast<T, float>(b2), n2, MemoryMarshal.Cast<T, float>(c2));
    }

    private static bool UseFastKernels => !KernelSettings.UseReferenceKernels && GemmLayout.IsAvailable;

    /// <summary>
    /// Checks that a span holds a (rows, columns) matrix with row stride <paramref name="stride"/>, on every path:
    /// the fast kernel reads and writes through pointers, where the reference's index checks would be lost.
    /// </summary>
    private static void CheckOperand(string name, int length, int rows, int columns, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows, name);
        ArgumentOutOfRangeException.ThrowIfNegative(columns, name);
        if (rows == 0 || columns == 0)
        {
            return;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1, name);
        if ((long)(rows - 1) * stride + columns > length)
        {
            throw new ArgumentException(
                $"{name} holds {length} values; a ({rows}, {columns}) matrix with row stride {stride} needs {(long)(rows - 1) * stride + columns}.",
                name);
        }
    }
}
