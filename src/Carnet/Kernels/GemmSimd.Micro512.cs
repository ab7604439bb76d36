// Dimension legend: MR = 8 rows and NR = 32 columns of C per micro-tile (two Vector512<float> per row),
// kc = depth of the current K block. a: packed A panel (kc, MR); b: B panel (kc, NR), row stride ldb (NR when packed);
// c: the tile, row stride ldc.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Carnet.Kernels;

/// <summary>
/// The AVX-512 micro-kernel: an 8×32 tile of C in sixteen Vector512 accumulators (with two B vectors and one
/// broadcast A value, nineteen of the thirty-two zmm registers; sixteen independent chains cover the FMA latency
/// of two ports). Each accumulator lane is one element of C: it starts at zero, takes one fused multiply-add per
/// k in ascending order, and is then stored or added to C.
/// </summary>
internal readonly unsafe struct Kernel512 : IGemmKernel
{
    /// <inheritdoc />
    public static int MR => 8;

    /// <inheritdoc />
    public static int NR => 32;

    /// <inheritdoc />
    public static void Tile(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
            case 8: Tile<Rows8>(kc, a, b, ldb, c, ldc, overwrite); break;
            case 7: Tile<Rows7>(kc, a, b, ldb, c, ldc, overwrite); break;
            case 6: Tile<Rows6>(kc, a, b, ldb, c, ldc, overwrite); break;
            case 5: Tile<Rows5>(kc, a, b, ldb, c, ldc, overwrite); break;
            case 4: Tile<Rows4>(kc, a, b, ldb, c, ldc, overwrite); break;
            case 3: Tile<Rows3>(kc, a, b, ldb, c, ldc, overwrite); break;
            case 2: Tile<Rows2>(kc, a, b, ldb, c, ldc, overwrite); break;
            default: Tile<Rows1>(kc, a, b, ldb, c, ldc, overwrite); break;
        }
    }

    /// <summary>One tile of <typeparamref name="TRows"/> rows; the JIT drops the code of the rows beyond it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, bool overwrite)
        where TRows : struct, IRowCount
    {
        GemmSimd.PrefetchRows(c, ldc, TRows.Count, 32);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (; kc > 0; kc--)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> ai = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);

            if (TRows.Count > 1)
            {
                ai = Vector512.Create(a[1]);
                c10 = Vector512.FusedMultiplyAdd(ai, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            }

            if (TRows.Count > 2)
            {
                ai = Vector512.Create(a[2]);
                c20 = Vector512.FusedMultiplyAdd(ai, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            }

            if (TRows.Count > 3)
            {
                ai = Vector512.Create(a[3]);
                c30 = Vector512.FusedMultiplyAdd(ai, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            }

            if (TRows.Count > 4)
            {
                ai = Vector512.Create(a[4]);
                c40 = Vector512.FusedMultiplyAdd(ai, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            }

            if (TRows.Count > 5)
            {
                ai = Vector512.Create(a[5]);
                c50 = Vector512.FusedMultiplyAdd(ai, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            }

            if (TRows.Count > 6)
            {
                ai = Vector512.Create(a[6]);
                c60 = Vector512.FusedMultiplyAdd(ai, b0, c60);
                c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
            }

            if (TRows.Count > 7)
            {
                ai = Vector512.Create(a[7]);
                c70 = Vector512.FusedMultiplyAdd(ai, b0, c70);
                c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
            }

            a += 8;
            b += ldb;
        }

        Store(c, c00, c01, overwrite);
        if (TRows.Count > 1)
        {
            Store(c + ldc, c10, c11, overwrite);
        }

        if (TRows.Count > 2)
        {
            Store(c + 2 * ldc, c20, c21, overwrite);
        }

        if (TRows.Count > 3)
        {
            Store(c + 3 * ldc, c30, c31, overwrite);
        }

        if (TRows.Count > 4)
        {
            Store(c + 4 * ldc, c40, c41, overwrite);
        }

        if (TRows.Count > 5)
        {
            Store(c + 5 * ldc, c50, c51, overwrite);
        }

        if (TRows.Count > 6)
        {
            Store(c + 6 * ldc, c60, c61, overwrite);
        }

        if (TRows.Count > 7)
        {
            Store(c + 7 * ldc, c70, c71, overwrite);
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileWide(int rows, nint kc, float* a, float* b, nint ldb, nint panelStride, float* c, nint ldc, bool overwrite)
    {
        if (rows == 1)
        {
            GemmSimd.PrefetchRows(c, ldc, 1, 128);

            // 1 × 128: four panels, eight accumulators; each B vector is used once, straight from memory.
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            float* b1 = b + panelStride, b2 = b1 + panelStride, b3 = b2 + panelStride;
            for (; kc > 0; kc--)
            {
                Vector512<float> ai = Vector512.Create(a[0]);
                c0 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b), c0);
                c1 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b + 16), c1);
                c2 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b1), c2);
                c3 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b1 + 16), c3);
                c4 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b2), c4);
                c5 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b2 + 16), c5);
                c6 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b3), c6);
                c7 = Vector512.FusedMultiplyAdd(ai, Vector512.Load(b3 + 16), c7);
                a += 8;
                b += ldb;
                b1 += ldb;
                b2 += ldb;
                b3 += ldb;
            }

            Store(c, c0, c1, overwrite);
            Store(c + 32, c2, c3, overwrite);
            Store(c + 64, c4, c5, overwrite);
            Store(c + 96, c6, c7, overwrite);
        }
        else
        {
            GemmSimd.PrefetchRows(c, ldc, 2, 64);

            // 2 × 64: two panels, eight accumulators; each B vector is loaded once and used for both rows.
            Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
            float* b1 = b + panelStride;
            for (; kc > 0; kc--)
            {
                Vector512<float> low0 = Vector512.Load(b), high0 = Vector512.Load(b + 16), low1 = Vector512.Load(b1), high1 = Vector512.Load(b1 + 16);
                Vector512<float> ai = Vector512.Create(a[0]);
                c00 = Vector512.FusedMultiplyAdd(ai, low0, c00);
                c01 = Vector512.FusedMultiplyAdd(ai, high0, c01);
                c02 = Vector512.FusedMultiplyAdd(ai, low1, c02);
                c03 = Vector512.FusedMultiplyAdd(ai, high1, c03);
                ai = Vector512.Create(a[1]);
                c10 = Vector512.FusedMultiplyAdd(ai, low0, c10);
                c11 = Vector512.FusedMultiplyAdd(ai, high0, c11);
                c12 = Vector512.FusedMultiplyAdd(ai, low1, c12);
                c13 = Vector512.FusedMultiplyAdd(ai, high1, c13);
                a += 8;
                b += ldb;
                b1 += ldb;
            }

            Store(c, c00, c01, overwrite);
            Store(c + 32, c02, c03, overwrite);
            Store(c + ldc, c10, c11, overwrite);
            Store(c + ldc + 32, c12, c13, overwrite);
        }
    }

    /// <summary>C row = sums (overwrite) or C row + sums.</summary>
    private static void Store(float* c, Vector512<float> sum0, Vector512<float> sum1, bool overwrite)
    {
        if (!overwrite)
        {
            sum0 = Vector512.Load(c) + sum0;
            sum1 = Vector512.Load(c + 16) + sum1;
        }

        sum0.Store(c);
        sum1.Store(c + 16);
    }
}
