// Dimension legend: MR = 6 rows and NR = 8 columns of C per micro-tile (two Vector128<float> per row),
// kc = depth of the current K block. a: packed A panel (kc, MR); b: B panel (kc, NR), row stride ldb (NR when packed);
// c: the tile, row stride ldc.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Carnet.Kernels;

/// <summary>
/// The Vector128 micro-kernel (SSE, Arm64 AdvSimd): a 6×8 tile of C in twelve Vector128 accumulators (with two
/// B vectors and one broadcast A value, fifteen of the sixteen xmm registers of x64; Arm64 has thirty-two). Each accumulator lane is one element of C: it starts
/// at zero, takes one fused multiply-add per k in ascending order, and is then stored or added to C.
/// </summary>
internal readonly unsafe struct Kernel128 : IGemmKernel
{
    /// <inheritdoc />
    public static int MR => 6;

    /// <inheritdoc />
    public static int NR => 8;

    /// <inheritdoc />
    public static void Tile(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
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
        GemmSimd.PrefetchRows(c, ldc, TRows.Count, 8);
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (; kc > 0; kc--)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4);
            Vector128<float> ai = Vector128.Create(a[0]);
            c00 = VectorFma.MultiplyAdd(ai, b0, c00);
            c01 = VectorFma.MultiplyAdd(ai, b1, c01);
            if (TRows.Count > 1)
            {
                ai = Vector128.Create(a[1]);
                c10 = VectorFma.MultiplyAdd(ai, b0, c10);
                c11 = VectorFma.MultiplyAdd(ai, b1, c11);
            }

            if (TRows.Count > 2)
            {
                ai = Vector128.Create(a[2]);
                c20 = VectorFma.MultiplyAdd(ai, b0, c20);
                c21 = VectorFma.MultiplyAdd(ai, b1, c21);
            }

            if (TRows.Count > 3)
            {
                ai = Vector128.Create(a[3]);
                c30 = VectorFma.MultiplyAdd(ai, b0, c30);
                c31 = VectorFma.MultiplyAdd(ai, b1, c31);
            }

            if (TRows.Count > 4)
            {
                ai = Vector128.Create(a[4]);
                c40 = VectorFma.MultiplyAdd(ai, b0, c40);
                c41 = VectorFma.MultiplyAdd(ai, b1, c41);
            }

            if (TRows.Count > 5)
            {
                ai = Vector128.Create(a[5]);
                c50 = VectorFma.MultiplyAdd(ai, b0, c50);
                c51 = VectorFma.MultiplyAdd(ai, b1, c51);
            }

            a += 6;
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
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileWide(int rows, nint kc, float* a, float* b, nint ldb, nint panelStride, float* c, nint ldc, bool overwrite)
    {
        if (rows == 1)
        {
            GemmSimd.PrefetchRows(c, ldc, 1, 32);

            // 1 × 32: four panels, eight accumulators; each B vector is used once, straight from memory.
            Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            float* b1 = b + panelStride, b2 = b1 + panelStride, b3 = b2 + panelStride;
            for (; kc > 0; kc--)
            {
                Vector128<float> ai = Vector128.Create(a[0]);
                c0 = VectorFma.MultiplyAdd(ai, Vector128.Load(b), c0);
                c1 = VectorFma.MultiplyAdd(ai, Vector128.Load(b + 4), c1);
                c2 = VectorFma.MultiplyAdd(ai, Vector128.Load(b1), c2);
                c3 = VectorFma.MultiplyAdd(ai, Vector128.Load(b1 + 4), c3);
                c4 = VectorFma.MultiplyAdd(ai, Vector128.Load(b2), c4);
                c5 = VectorFma.MultiplyAdd(ai, Vector128.Load(b2 + 4), c5);
                c6 = VectorFma.MultiplyAdd(ai, Vector128.Load(b3), c6);
                c7 = VectorFma.MultiplyAdd(ai, Vector128.Load(b3 + 4), c7);
                a += 6;
                b += ldb;
                b1 += ldb;
                b2 += ldb;
                b3 += ldb;
            }

            Store(c, c0, c1, overwrite);
            Store(c + 8, c2, c3, overwrite);
            Store(c + 16, c4, c5, overwrite);
            Store(c + 24, c6, c7, overwrite);
        }
        else
        {
            GemmSimd.PrefetchRows(c, ldc, 2, 16);

            // 2 × 16: two panels, eight accumulators; each B vector is loaded once and used for both rows.
            Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
            float* b1 = b + panelStride;
            for (; kc > 0; kc--)
            {
                Vector128<float> low0 = Vector128.Load(b), high0 = Vector128.Load(b + 4), low1 = Vector128.Load(b1), high1 = Vector128.Load(b1 + 4);
                Vector128<float> ai = Vector128.Create(a[0]);
                c00 = VectorFma.MultiplyAdd(ai, low0, c00);
                c01 = VectorFma.MultiplyAdd(ai, high0, c01);
                c02 = VectorFma.MultiplyAdd(ai, low1, c02);
                c03 = VectorFma.MultiplyAdd(ai, high1, c03);
                ai = Vector128.Create(a[1]);
                c10 = VectorFma.MultiplyAdd(ai, low0, c10);
                c11 = VectorFma.MultiplyAdd(ai, high0, c11);
                c12 = VectorFma.MultiplyAdd(ai, low1, c12);
                c13 = VectorFma.MultiplyAdd(ai, high1, c13);
                a += 6;
                b += ldb;
                b1 += ldb;
            }

            Store(c, c00, c01, overwrite);
            Store(c + 8, c02, c03, overwrite);
            Store(c + ldc, c10, c11, overwrite);
            Store(c + ldc + 8, c12, c13, overwrite);
        }
    }

    /// <summary>C row = sums (overwrite) or C row + sums.</summary>
    private static void Store(float* c, Vector128<float> sum0, Vector128<float> sum1, bool overwrite)
    {
        if (!overwrite)
        {
            sum0 = Vector128.Load(c) + sum0;
            sum1 = Vector128.Load(c + 4) + sum1;
        }

        sum0.Store(c);
        sum1.Store(c + 4);
    }
}
