// Dimension legend: W = floats per vector (TVector.Count); MR = rows of C per micro-tile (TTileRows.Count);
// NR = 2·W columns of C per micro-tile (two vectors per row); kc = depth of the current K block.
// a: packed A panel (kc, MR); b: B panel (kc, NR), row stride ldb (NR when packed); c: the tile, row stride ldc.
using System.Runtime.CompilerServices;

namespace Carnet.Kernels;

/// <summary>
/// A float vector the GEMM micro-kernel runs on: the gate kernels' arithmetic plus a multiply-add that is always
/// fused where the hardware can fuse it, so that every element of C is summed exactly as the scalar reference
/// sums it (one rounding per k) at every width, emulated widths included.
/// </summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
internal interface IGemmVector<TSelf> : IFloatVector<TSelf>
    where TSelf : struct, IGemmVector<TSelf>
{
    /// <summary>
    /// <paramref name="sum"/> = a·b + <paramref name="sum"/> with one rounding (see each width's implementation for
    /// the hardware it needs). Updating the sum in place lets the JIT fuse into the accumulator's own register.
    /// </summary>
    static abstract void AddProduct(ref TSelf sum, TSelf a, TSelf b);

    /// <summary>The same with b loaded from <paramref name="b"/> (folded into the multiply-add where the ISA can).</summary>
    static abstract unsafe void AddProduct(ref TSelf sum, TSelf a, float* b);

    /// <summary>Adds <paramref name="sum"/> to the vector at <paramref name="destination"/>.</summary>
    static abstract unsafe void AddTo(float* destination, TSelf sum);
}

/// <summary>
/// The register-blocked micro-kernel, written once for every vector width: an MR×NR tile of C in 2·MR
/// <typeparamref name="TVector"/> accumulators (with two B vectors and one broadcast A value). Each accumulator
/// lane is one element of C: it starts at zero, takes one fused multiply-add per k in ascending order, and is
/// then stored or added to C. The JIT specialises it per struct argument, so each width compiles to the code a
/// hand-written kernel of that width would.
/// </summary>
/// <typeparam name="TVector">The vector type, which sets NR = 2·<see cref="IFloatVector{TSelf}.Count"/>.</typeparam>
/// <typeparam name="TTileRows">MR: 6 (twelve accumulators) or 8 (sixteen).</typeparam>
internal readonly unsafe struct GemmMicroKernel<TVector, TTileRows> : IGemmKernel
    where TVector : struct, IGemmVector<TVector>
    where TTileRows : struct, IRowCount
{
    /// <inheritdoc />
    public static int MR => TTileRows.Count;

    /// <inheritdoc />
    public static int NR => 2 * TVector.Count;

    /// <inheritdoc />
    public static void Tile(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, bool overwrite, float* bias)
    {
        switch (rows)
        {
            case 8 when TTileRows.Count >= 8: Tile<Rows8>(kc, a, b, ldb, c, ldc, overwrite, bias); break;
            case 7 when TTileRows.Count >= 7: Tile<Rows7>(kc, a, b, ldb, c, ldc, overwrite, bias); break;
            case 6: Tile<Rows6>(kc, a, b, ldb, c, ldc, overwrite, bias); break;
            case 5: Tile<Rows5>(kc, a, b, ldb, c, ldc, overwrite, bias); break;
            case 4: Tile<Rows4>(kc, a, b, ldb, c, ldc, overwrite, bias); break;
            case 3: Tile<Rows3>(kc, a, b, ldb, c, ldc, overwrite, bias); break;
            case 2: Tile<Rows2>(kc, a, b, ldb, c, ldc, overwrite, bias); break;
            default: Tile<Rows1>(kc, a, b, ldb, c, ldc, overwrite, bias); break;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileWide(
        int rows, nint kc, float* a, float* b, nint ldb, nint panelStride, float* c, nint ldc, bool overwrite, float* bias)
    {
        nint w = TVector.Count, nr = 2 * w, mr = TTileRows.Count;
        if (rows == 1)
        {
            GemmSimd.PrefetchRows(c, ldc, 1, 4 * NR);

            // 1 × 4·NR: four panels, eight accumulators; each B vector is used once, straight from memory.
            TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            float* b1 = b + panelStride, b2 = b1 + panelStride, b3 = b2 + panelStride;
            for (; kc > 0; kc--)
            {
                TVector ai = TVector.Create(a[0]);
                TVector.AddProduct(ref c0, ai, b);
                TVector.AddProduct(ref c1, ai, b + w);
                TVector.AddProduct(ref c2, ai, b1);
                TVector.AddProduct(ref c3, ai, b1 + w);
                TVector.AddProduct(ref c4, ai, b2);
                TVector.AddProduct(ref c5, ai, b2 + w);
                TVector.AddProduct(ref c6, ai, b3);
                TVector.AddProduct(ref c7, ai, b3 + w);
                a += mr;
                b += ldb;
                b1 += ldb;
                b2 += ldb;
                b3 += ldb;
            }

            Store(c, c0, c1, overwrite, bias, 0);
            Store(c + nr, c2, c3, overwrite, bias, nr);
            Store(c + 2 * nr, c4, c5, overwrite, bias, 2 * nr);
            Store(c + 3 * nr, c6, c7, overwrite, bias, 3 * nr);
        }
        else
        {
            GemmSimd.PrefetchRows(c, ldc, 2, 2 * NR);

            // 2 × 2·NR: two panels, eight accumulators; each B vector is loaded once and used for both rows.
            TVector c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
            float* b1 = b + panelStride;
            for (; kc > 0; kc--)
            {
                TVector low0 = Load(b), high0 = Load(b + w), low1 = Load(b1), high1 = Load(b1 + w);
                TVector ai = TVector.Create(a[0]);
                TVector.AddProduct(ref c00, ai, low0);
                TVector.AddProduct(ref c01, ai, high0);
                TVector.AddProduct(ref c02, ai, low1);
                TVector.AddProduct(ref c03, ai, high1);
                ai = TVector.Create(a[1]);
                TVector.AddProduct(ref c10, ai, low0);
                TVector.AddProduct(ref c11, ai, high0);
                TVector.AddProduct(ref c12, ai, low1);
                TVector.AddProduct(ref c13, ai, high1);
                a += mr;
                b += ldb;
                b1 += ldb;
            }

            Store(c, c00, c01, overwrite, bias, 0);
            Store(c + nr, c02, c03, overwrite, bias, nr);
            Store(c + ldc, c10, c11, overwrite, bias, 0);
            Store(c + ldc + nr, c12, c13, overwrite, bias, nr);
        }
    }

    /// <summary>One tile of <typeparamref name="TRows"/> rows; the JIT drops the code of the rows beyond it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, bool overwrite, float* bias)
        where TRows : struct, IRowCount
    {
        nint w = TVector.Count, mr = TTileRows.Count;
        GemmSimd.PrefetchRows(c, ldc, TRows.Count, NR);
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        TVector c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (; kc > 0; kc--)
        {
            TVector b0 = Load(b), b1 = Load(b + w);
            TVector ai = TVector.Create(a[0]);
            TVector.AddProduct(ref c00, ai, b0);
            TVector.AddProduct(ref c01, ai, b1);
            if (TRows.Count > 1)
            {
                ai = TVector.Create(a[1]);
                TVector.AddProduct(ref c10, ai, b0);
                TVector.AddProduct(ref c11, ai, b1);
            }

            if (TRows.Count > 2)
            {
                ai = TVector.Create(a[2]);
                TVector.AddProduct(ref c20, ai, b0);
                TVector.AddProduct(ref c21, ai, b1);
            }

            if (TRows.Count > 3)
            {
                ai = TVector.Create(a[3]);
                TVector.AddProduct(ref c30, ai, b0);
                TVector.AddProduct(ref c31, ai, b1);
            }

            if (TRows.Count > 4)
            {
                ai = TVector.Create(a[4]);
                TVector.AddProduct(ref c40, ai, b0);
                TVector.AddProduct(ref c41, ai, b1);
            }

            if (TRows.Count > 5)
            {
                ai = TVector.Create(a[5]);
                TVector.AddProduct(ref c50, ai, b0);
                TVector.AddProduct(ref c51, ai, b1);
            }

            if (TRows.Count > 6)
            {
                ai = TVector.Create(a[6]);
                TVector.AddProduct(ref c60, ai, b0);
                TVector.AddProduct(ref c61, ai, b1);
            }

            if (TRows.Count > 7)
            {
                ai = TVector.Create(a[7]);
                TVector.AddProduct(ref c70, ai, b0);
                TVector.AddProduct(ref c71, ai, b1);
            }

            a += mr;
            b += ldb;
        }

        Store(c, c00, c01, overwrite, bias, 0);
        if (TRows.Count > 1)
        {
            Store(c + ldc, c10, c11, overwrite, bias, 0);
        }

        if (TRows.Count > 2)
        {
            Store(c + 2 * ldc, c20, c21, overwrite, bias, 0);
        }

        if (TRows.Count > 3)
        {
            Store(c + 3 * ldc, c30, c31, overwrite, bias, 0);
        }

        if (TRows.Count > 4)
        {
            Store(c + 4 * ldc, c40, c41, overwrite, bias, 0);
        }

        if (TRows.Count > 5)
        {
            Store(c + 5 * ldc, c50, c51, overwrite, bias, 0);
        }

        if (TRows.Count > 6)
        {
            Store(c + 6 * ldc, c60, c61, overwrite, bias, 0);
        }

        if (TRows.Count > 7)
        {
            Store(c + 7 * ldc, c70, c71, overwrite, bias, 0);
        }
    }

    /// <summary>One vector from <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Load(float* source) => TVector.Load(ref *source, 0);

    /// <summary>
    /// C row (two vectors) = sums (overwrite), bias + sums (overwrite, <paramref name="bias"/> not null: the bias row at
    /// this tile's columns, <paramref name="column"/> on) or C row + sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, TVector sum0, TVector sum1, bool overwrite, float* bias, nint column)
    {
        nuint w = (nuint)TVector.Count;
        if (overwrite && bias != null)
        {
            TVector.Store(Load(bias + column) + sum0, ref *c, 0);
            TVector.Store(Load(bias + column + (nint)w) + sum1, ref *c, w);
        }
        else if (overwrite)
        {
            TVector.Store(sum0, ref *c, 0);
            TVector.Store(sum1, ref *c, w);
        }
        else
        {
            TVector.AddTo(c, sum0);
            TVector.AddTo(c + w, sum1);
        }
    }
}
