// Dimension legend: M = rows of op(A) and C, N = columns of op(B) and C (or of one column range), K = the shared
// dimension; MR, NR = a micro-tile's rows and columns; KC, MC = the cache blocks over K and M (see GemmLayout).
using System.Runtime.CompilerServices;

namespace Carnet.Kernels;

/// <summary>
/// The parts of <see cref="GemmSimd"/> that serve threads sharing one product: a thread's ranges of columns of a
/// pre-packed B (a slice of hidden units in each gate block of the recurrent product), and one packing of op(B) shared
/// by chunks of rows.
/// </summary>
internal static unsafe partial class GemmSimd
{
    [ThreadStatic]
    private static PackedMatrix? sharedB; // op(B) packed once for the chunks of one product (see ShareB)

    /// <summary>
    /// For each start s in <paramref name="columnStarts"/>: C[:, s..+columnCount] = (or +=) A (M, K) · B[:, s..+columnCount]
    /// for a pre-packed B, on the calling thread alone: one thread's share of a product whose columns are split between
    /// threads (an LSTM slice of units owns the same columns in each of the four gate blocks). A is packed once for all the
    /// ranges. The columns of C are addressed as in the whole product (C points at column 0). Each start must be a whole
    /// number of panels (<see cref="GemmLayout.PanelWidth"/>); each element comes out bit-identical to the whole product.
    /// With a <paramref name="bias"/> (one value per column of the whole product) and not accumulating, C = bias + A · B,
    /// as <see cref="MultiplyPlusBias"/>.
    /// </summary>
    public static void MultiplyColumns(
        ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, ReadOnlySpan<int> columnStarts, int columnCount, Span<float> c, int ldc, bool accumulate,
        ReadOnlySpan<float> bias = default)
    {
        int k = b.Rows;
        if (m == 0 || columnCount == 0 || columnStarts.IsEmpty)
        {
            return;
        }

        if (k == 0)
        {
            foreach (int start in columnStarts)
            {
                ClearIfEmpty(k, m, columnCount, c[start..], ldc, accumulate || !bias.IsEmpty);
                for (int i = 0; i < m && !bias.IsEmpty; i++)
                {
                    bias.Slice(start, columnCount).CopyTo(c.Slice(i * ldc + start, columnCount)); // C = bias + an empty sum
                }
            }

            return;
        }

        fixed (float* pa = a, pb = b.Data, pc = c, pBias = bias)
        fixed (int* starts = columnStarts)
        {
            var layout = b.Layout;
            var problem = new Problem
            {
                A = pa, Lda = lda,
                PackedB = pb, PaddedColumns = b.PaddedColumns,
                M = m, N = columnCount, K = k,
                C = pc, Ldc = ldc, Accumulate = accumulate, Bias = pBias,
                KC = layout.BlockDepth, MC = layout.RowBlock,
            };
            switch (layout.Kind)
            {
                case GemmKernelKind.Vector512: RunRanges<GemmMicroKernel<Float512, Rows8>>(&problem, starts, columnStarts.Length); break;
                case GemmKernelKind.Vector256: RunRanges<GemmMicroKernel<Float256, Rows6>>(&problem, starts, columnStarts.Length); break;
                default: RunRanges<GemmMicroKernel<Float128, Rows6>>(&problem, starts, columnStarts.Length); break;
            }
        }
    }

    /// <summary>
    /// The BLIS loop nest of <see cref="RunChunk{TKernel}"/> for a packed B and several column ranges of width N: per K
    /// block and MC block of rows, A is packed once and multiplied into every range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRanges<TKernel>(Problem* p, int* starts, int ranges)
        where TKernel : struct, IGemmKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        var packing = buffers ??= new PackingBuffers();
        packing.A.EnsureCapacity(p->MC * p->KC + PackSpill);
        float* packedA = packing.A.Pointer;
        for (int pc = 0; pc < p->K; pc += p->KC)
        {
            int kc = Math.Min(p->KC, p->K - pc);
            bool overwrite = !p->Accumulate && pc == 0;
            for (int ic = 0; ic < p->M; ic += p->MC)
            {
                int mc = Math.Min(p->MC, p->M - ic);
                PackA(false, p->A, p->Lda, ic, mc, pc, kc, packedA, mr);
                for (int r = 0; r < ranges; r++)
                {
                    int jc = starts[r];
                    var panels = new PanelsB(p->PackedB + pc * p->PaddedColumns + (nint)jc * kc, nr, kc);
                    var store = new BlockStore(overwrite, overwrite && p->Bias != null ? p->Bias + jc : null, transposeC: false);
                    Macro<TKernel>(packedA, panels, mc, p->N, kc, p->C + ic * p->Ldc + jc, p->Ldc, store);
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B) once, whole, for a product cut into chunks of rows, which then all read it: otherwise every chunk
    /// packs all of B for itself (the weight gradients dYᵀ·X, with few columns and many terms, spent a fifth of their
    /// time so). The threads pack it together, one K block at a time: packed by the calling thread alone, it kept the
    /// other core idle, and on 2 threads (Zen 5, 2026-12-06) S2's weight gradient (1024×256, K = 3200) took 6.2 ms
    /// against 5.6 now, S3's (2048×512) 22.3 against 21.4. The packed and unpacked products are bit-identical.
    /// </summary>
    private static void ShareB(Problem* problem, GemmLayout layout, int threads)
    {
        var shared = sharedB ??= new PackedMatrix();
        shared.Reset(problem->K, problem->N, layout);
        // the packed buffer is a pinned array (see AlignedBuffer), so its address outlives this fixed block
        fixed (float* packed = shared.Data)
        {
            problem->PackedB = packed;
        }

        problem->PaddedColumns = shared.PaddedColumns;
        problem->PanelWidth = layout.PanelWidth;
        RunChunks(&PackSharedBlock, problem, (problem->K + problem->KC - 1) / problem->KC, threads);
    }

    /// <summary>Packs one K block of op(B) (all N columns) into the shared buffer: one chunk of the packing job.</summary>
    private static void PackSharedBlock(void* state, int block)
    {
        var p = (Problem*)state;
        int p0 = block * p->KC, kc = Math.Min(p->KC, p->K - p0);
        PackB(p->TransposeB, p->B, p->Ldb, p0, kc, 0, p->N, p->PackedB + (nint)p0 * p->PaddedColumns, p->PanelWidth);
    }
}
