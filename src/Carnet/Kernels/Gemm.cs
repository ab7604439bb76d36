// Dimension legend: M = rows of op(A) and C, N = columns of op(B) and C, K = the shared dimension.
// Matrices are row-major; lda, ldb, ldc are the row strides (elements between consecutive rows).
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>
/// General matrix multiply, C (M, N) = op(A) (M, K) · op(B) (K, N), or C += … when accumulating.
/// op(X) is X or its transpose. This is the plain scalar reference: each element of C is one dot
/// product summed in ascending K, so a row of C does not depend on how many rows are computed with it.
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
}
