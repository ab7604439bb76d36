// Dimension legend: MR, NR = rows and columns of a micro-tile; kc = depth of the K block being packed (rows p0..p0+kc
// of op(B), columns p0..p0+kc of op(A)); mc, nc = rows of op(A) and columns of op(B) being packed.
// Packed A: panels of MR rows, panel r0 at r0·kc, element (i, p) at r0·kc + p·MR + (i − r0). Rows past mc are not
// written (the micro-kernels of edge tiles never read them). Packed B: panels of NR columns, panel j0 at j0·kc,
// element (p, j) at j0·kc + p·NR + (j − j0); columns past nc are zero.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Carnet.Kernels;

internal static unsafe partial class GemmSimd
{
    /// <summary>
    /// Packs op(A) rows i0..i0+mc, columns p0..p0+kc into <paramref name="destination"/>. A is (M, K) with row stride
    /// lda, or (K, M) when <paramref name="transposeA"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool transposeA, float* a, nint lda, int i0, int mc, int p0, int kc, float* destination, int mr)
    {
        if (transposeA)
        {
            // op(A)(i, p) = a[p·lda + i]: each k is a contiguous run of mc values, read once front to back and
            // dealt out MR at a time (four per copy) to the panels.
            float* source = a + (nint)p0 * lda + i0;
            for (int p = 0; p < kc; p++, source += lda)
            {
                PrefetchRows(source + 8 * lda, lda, 1, mc); // eight rows ahead: A is read from memory only here

                float* panel = destination + (nint)p * mr;
                for (int r0 = 0; r0 < mc; r0 += mr, panel += (nint)mr * kc)
                {
                    int rows = Math.Min(mr, mc - r0), r = 0;
                    for (; r + 4 <= rows; r += 4)
                    {
                        Vector128.Store(Vector128.Load(source + r0 + r), panel + r);
                    }

                    for (; r < rows; r++)
                    {
                        panel[r] = source[r0 + r];
                    }
                }
            }

            return;
        }

        for (int r0 = 0; r0 < mc; r0 += mr)
        {
            int rows = Math.Min(mr, mc - r0);
            float* panel = destination + (nint)r0 * kc;
            if (Avx.IsSupported && rows == mr && mr <= 8)
            {
                // op(A)(i, p) = a[i·lda + p]: MR contiguous rows, transposed eight k at a time in registers.
                TransposeRows(a + (nint)(i0 + r0) * lda + p0, lda, rows, kc, panel, mr);
                continue;
            }

            // op(A)(i, p) = a[i·lda + p]: each row is contiguous; it becomes one column of the panel.
            for (int r = 0; r < rows; r++)
            {
                float* source = a + (nint)(i0 + r0 + r) * lda + p0;
                float* column = panel + r;
                for (int p = 0; p < kc; p++)
                {
                    column[(nint)p * mr] = source[p];
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B) rows p0..p0+kc, columns j0..j0+nc into <paramref name="destination"/>. B is (K, N) with row stride
    /// ldb, or (N, K) when <paramref name="transposeB"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(bool transposeB, float* b, nint ldb, int p0, int kc, int j0, int nc, float* destination, int nr)
    {
        for (int q0 = 0; q0 < nc; q0 += nr)
        {
            int columns = Math.Min(nr, nc - q0);
            float* panel = destination + (nint)q0 * kc;
            if (transposeB)
            {
                // op(B)(p, j) = b[j·ldb + p]: each column of op(B) is a contiguous row of B. Groups of eight are
                // transposed eight k at a time in registers; the rest one value at a time.
                int grouped = Avx.IsSupported ? columns / 8 * 8 : 0;
                for (int q = 0; q < grouped; q += 8)
                {
                    TransposeRows(b + (nint)(j0 + q0 + q) * ldb + p0, ldb, 8, kc, panel + q, nr);
                }

                for (int q = grouped; q < columns; q++)
                {
                    float* source = b + (nint)(j0 + q0 + q) * ldb + p0;
                    float* column = panel + q;
                    for (int p = 0; p < kc; p++)
                    {
                        column[(nint)p * nr] = source[p];
                    }
                }

                ZeroPadding(panel, kc, columns, nr);
            }
            else if (columns == nr)
            {
                // op(B)(p, j) = b[p·ldb + j]: each k is a contiguous run of NR columns.
                float* source = b + (nint)p0 * ldb + j0 + q0;
                for (int p = 0; p < kc; p++, source += ldb, panel += nr)
                {
                    for (int q = 0; q < nr; q += 4)
                    {
                        Vector128.Store(Vector128.Load(source + q), panel + q);
                    }
                }
            }
            else
            {
                float* source = b + (nint)p0 * ldb + j0 + q0;
                for (int p = 0; p < kc; p++, source += ldb)
                {
                    for (int q = 0; q < columns; q++)
                    {
                        panel[(nint)p * nr + q] = source[q];
                    }
                }

                ZeroPadding(panel, kc, columns, nr);
            }
        }
    }

    /// <summary>
    /// Transposes <paramref name="count"/> (at most eight) rows of a matrix (row stride ldr, kc values each) into
    /// columns: value p of row r goes to destination[p·width + r]. Eight-by-eight blocks are transposed in AVX
    /// registers (missing rows as zeros) and stored as eight floats per p, so with width &lt; 8 (a 6-row A panel) each
    /// store spills two floats into the next p's place, which that p's store then overwrites; the last spills past
    /// the panel, into space the caller reserves. The last kc mod 8 values are copied one at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeRows(float* rows, nint ldr, int count, int kc, float* destination, int width)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            float* source = rows + p;
            Vector256<float> r0 = Avx.LoadVector256(source), r1 = Vector256<float>.Zero, r2 = Vector256<float>.Zero, r3 = Vector256<float>.Zero;
            Vector256<float> r4 = Vector256<float>.Zero, r5 = Vector256<float>.Zero, r6 = Vector256<float>.Zero, r7 = Vector256<float>.Zero;
            switch (count)
            {
                case 8: r7 = Avx.LoadVector256(source + 7 * ldr); goto case 7;
                case 7: r6 = Avx.LoadVector256(source + 6 * ldr); goto case 6;
                case 6: r5 = Avx.LoadVector256(source + 5 * ldr); goto case 5;
                case 5: r4 = Avx.LoadVector256(source + 4 * ldr); goto case 4;
                case 4: r3 = Avx.LoadVector256(source + 3 * ldr); goto case 3;
                case 3: r2 = Avx.LoadVector256(source + 2 * ldr); goto case 2;
                case 2: r1 = Avx.LoadVector256(source + ldr); break;
            }

            // pairs interleaved: t0 = r0₀ r1₀ r0₁ r1₁ | r0₄ r1₄ r0₅ r1₅, …
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

            // quads: u0 = value 0 of rows 0–3 | value 4 of rows 0–3, …
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

            // halves joined: value q of all eight rows, stored in ascending q
            float* column = destination + (nint)p * width;
            Avx.Store(column, Avx.Permute2x128(u0, u4, 0x20));
            Avx.Store(column + width, Avx.Permute2x128(u1, u5, 0x20));
            Avx.Store(column + 2 * width, Avx.Permute2x128(u2, u6, 0x20));
            Avx.Store(column + 3 * width, Avx.Permute2x128(u3, u7, 0x20));
            Avx.Store(column + 4 * width, Avx.Permute2x128(u0, u4, 0x31));
            Avx.Store(column + 5 * width, Avx.Permute2x128(u1, u5, 0x31));
            Avx.Store(column + 6 * width, Avx.Permute2x128(u2, u6, 0x31));
            Avx.Store(column + 7 * width, Avx.Permute2x128(u3, u7, 0x31));
        }

        for (; p < kc; p++)
        {
            for (int r = 0; r < count; r++)
            {
                destination[(nint)p * width + r] = rows[r * ldr + p];
            }
        }
    }

    /// <summary>Clears columns <paramref name="columns"/>..NR of every row of a partial B panel.</summary>
    private static void ZeroPadding(float* panel, int kc, int columns, int nr)
    {
        if (columns == nr)
        {
            return;
        }

        for (int p = 0; p < kc; p++)
        {
            new Span<float>(panel + (nint)p * nr + columns, nr - columns).Clear();
        }
    }
}
