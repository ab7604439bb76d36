// Dimension legend: M = rows of A and C, K = the shared dimension, N = columns of the packed B, of C and of the bias row.
using System.Buffers;

namespace Carnet.Kernels;

/// <summary>The products that add a bias row to C as they store it, and how a block's sums reach C.</summary>
internal static unsafe partial class GemmSimd
{
    /// <summary>
    /// C (M, N) = bias [+ second] + A · B for a pre-packed B: the micro-kernels add the bias row as they store the sums
    /// of the first K block, rather than C being set to it beforehand (the (T·B, G·H) gates of a layer went to memory
    /// and back so). The same sums in the same order as broadcasting the bias into C, then accumulating.
    /// </summary>
    public static void MultiplyPlusBias(
        ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, Span<float> c, int ldc, ReadOnlySpan<float> bias, ReadOnlySpan<float> second, int chunks = 0)
    {
        int n = b.Columns;
        float[]? rented = second.IsEmpty ? null : ArrayPool<float>.Shared.Rent(n);
        try
        {
            if (rented is not null)
            {
                ElementwiseSimd.BroadcastRows(bias, second, 1, n, rented); // the one bias row: b_ih + b_hh, computed once
                bias = rented.AsSpan(0, n);
            }

            Multiply(false, a, lda, b, m, c, ldc, accumulate: false, bias, chunks);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// How a block's sums reach C: stored (<see cref="Overwrite"/>; plus <see cref="Bias"/>, the bias row at the block's
    /// first column, when not null) or added to it; element (i, j) at c[j·ldc + i] when <see cref="TransposeC"/>.
    /// </summary>
    private readonly struct BlockStore(bool overwrite, float* bias, bool transposeC)
    {
        public bool Overwrite { get; } = overwrite;

        public float* Bias { get; } = bias;

        public bool TransposeC { get; } = transposeC;
    }
}
