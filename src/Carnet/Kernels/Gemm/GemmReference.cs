// Dimension legend: M = rows of op(A) and C, N = columns of op(B) and C, K = the shared dimension.
// Matrices are row-major; lda, ldb, ldc are the row strides (elements between consecutive rows).
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>
/// The plain scalar reference for <see cref="Gemm"/>: C (M, N) = op(A) (M, K) · op(B) (K, N), or C += ….
/// Each element of C is one dot product summed in ascending K (a multiply, then an add), so a row of C does not
/// depend on how many rows are computed with it. The fast kernels are tested against this one; double
/// precision and <see cref="KernelSettings.UseReferenceKernels"/> always run it.
/// </summary>
internal static class GemmReference
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
        if (m == 0 || n == 0)
        {
            return;
        }

        for (int i = 0; i < m; i++)
        {
            Span<T> cRow = c.Slice(i * ldc, n);
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T aValue = transposeA ? a[p * lda + i] : a[i * lda + p];
                    T bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += aValue * bValue;
                }

                cRow[j] = accumulate ? cRow[j] + sum : sum;
            }
        }
    }

    /// <summary>
    /// The same product with op(B) read from a <see cref="PackedMatrix"/>: the same loop, the same order and so
    /// the same bits as <see cref="Multiply{T}"/> on the matrix that was packed.
    /// </summary>
    public static void Multiply(
        bool transposeA, ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, Span<float> c, int ldc, bool accumulate)
        => Multiply(transposeA, a, lda, b, m, 0, b.Columns, c, ldc, accumulate);

    /// <summary>Columns [columnStart, +columnCount) of C = A · B for a packed B, A stored (M, K): the scalar reference.</summary>
    public static void MultiplyColumns(
        ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, int columnStart, int columnCount, Span<float> c, int ldc, bool accumulate)
        => Multiply(false, a, lda, b, m, columnStart, columnCount, c, ldc, accumulate);

    private static void Multiply(
        bool transposeA, ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, int columnStart, int columnCount, Span<float> c, int ldc, bool accumulate)
    {
        int k = b.Rows;
        if (m == 0 || columnCount == 0)
        {
            return;
        }

        for (int i = 0; i < m; i++)
        {
            Span<float> cRow = c.Slice(i * ldc, columnStart + columnCount);
            for (int j = columnStart; j < columnStart + columnCount; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float aValue = transposeA ? a[p * lda + i] : a[i * lda + p];
                    sum += aValue * b[p, j];
                }

                cRow[j] = accumulate ? cRow[j] + sum : sum;
            }
        }
    }
}
