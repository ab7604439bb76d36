// Dimension legend: M = rows of both C (a layer's gate columns, G·H), K = the summed dimension (T·B rows), N1, N2 =
// columns of C1 and C2 (input size I and state size P); NR = the panel width, KC, MC = the K and row blocks.
// A and A2 are stored (K, M), so op(A) = Aᵀ; B1 (K, N1), B2 (K, N2) and C1, C2 are row-major with no padding.
using System.Runtime.CompilerServices;

namespace Carnet.Kernels;

internal static unsafe partial class GemmSimd
{
    [ThreadStatic]
    private static PackedMatrix? sharedPair; // op(B1) and op(B2) side by side, packed once for the chunks of one pair

    /// <summary>
    /// C1 (M, N1) += Aᵀ · B1 and C2 (M, N2) += A2ᵀ · B2, where the first <paramref name="sharedRows"/> rows of A2ᵀ are
    /// those of Aᵀ (A2 may be A): a layer's two weight gradients dL/dW_ih = dGᵀ · x and dL/dW_hh = dGᵀ · h_{t−1}, whose
    /// gate gradients dG are one matrix for the LSTM and the RNN and differ in the GRU's n block only. Each block of
    /// op(A) is packed once for both products (twice where A2 differs), both B are packed once, side by side, and the
    /// threads meet once. Every element is bit-identical to its own product
    /// (<see cref="Multiply(bool, bool, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, int, int, int, Span{float}, int, bool, int)"/>).
    /// </summary>
    public static void AccumulateTransposedAPair(
        ReadOnlySpan<float> a, ReadOnlySpan<float> a2, int sharedRows, int m, int k,
        ReadOnlySpan<float> b1, int n1, Span<float> c1, ReadOnlySpan<float> b2, int n2, Span<float> c2, int chunks = 0)
    {
        if (m == 0 || k == 0)
        {
            return; // C += an empty sum
        }

        var layout = GemmLayout.Current;
        int nr = layout.PanelWidth, second = (n1 + nr - 1) / nr * nr;
        var shared = sharedPair ??= new PackedMatrix();
        shared.Reset(k, second + n2, layout);
        fixed (float* pa = a, pa2 = a2, pb1 = b1, pb2 = b2, pc1 = c1, pc2 = c2, packed = shared.Data)
        {
            var pair = new PairProblem
            {
                First = new Problem
                {
                    A = pa, Lda = m, TransposeA = true, B = pb1, Ldb = n1, PackedB = packed, PaddedColumns = shared.PaddedColumns,
                    M = m, N = n1, K = k, C = pc1, Ldc = n1, Accumulate = true, KC = layout.BlockDepth, MC = layout.RowBlock, PanelWidth = nr,
                },
                A2 = pa == pa2 ? null : pa2, B2 = pb2, C2 = pc2, N2 = n2, SecondColumn = second, SharedRows = sharedRows,
            };
            RunPair(&pair, layout, chunks);
        }
    }

    /// <summary>Packs both B, then runs the chunks of rows, as <see cref="Run"/> does for one product.</summary>
    private static void RunPair(PairProblem* pair, GemmLayout layout, int chunks)
    {
        var p = &pair->First;
        int rowTiles = (p->M + layout.TileRows - 1) / layout.TileRows;
        int threads = chunks > 0
            ? Math.Min(chunks, KernelSettings.AvailableThreads)
            : (int)Math.Clamp(2.0 * p->M * (p->N + pair->N2) * p->K / MinimumFlopsPerThread, 1, KernelSettings.AvailableThreads);
        chunks = chunks > 0 ? chunks : threads == 1 ? 1 : threads * ChunksPerThread;
        p->Chunks = Math.Max(1, Math.Min(chunks, rowTiles));
        RunChunks(&PackPairBlock, pair, (p->K + p->KC - 1) / p->KC, threads);

        delegate*<void*, int, void> chunk = layout.Kind switch
        {
            GemmKernelKind.Vector512 => &RunPairChunk<GemmMicroKernel<Float512, Rows8>>,
            GemmKernelKind.Vector256 => &RunPairChunk<GemmMicroKernel<Float256, Rows6>>,
            _ => &RunPairChunk<GemmMicroKernel<Float128, Rows6>>,
        };
        RunChunks(chunk, pair, p->Chunks, threads);
    }

    /// <summary>Packs one K block of op(B1) and op(B2) (all their columns, B2's from panel column SecondColumn on).</summary>
    private static void PackPairBlock(void* state, int block)
    {
        var pair = (PairProblem*)state;
        var p = &pair->First;
        int p0 = block * p->KC, kc = Math.Min(p->KC, p->K - p0);
        float* destination = p->PackedB + (nint)p0 * p->PaddedColumns;
        PackB(false, p->B, p->Ldb, p0, kc, 0, p->N, destination, p->PanelWidth);
        PackB(false, pair->B2, pair->N2, p0, kc, 0, pair->N2, destination + (nint)pair->SecondColumn * kc, p->PanelWidth);
    }

    /// <summary>One chunk of rows of both products: per K block and row block, op(A) packed, then both macro-kernels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPairChunk<TKernel>(void* state, int chunk)
        where TKernel : struct, IGemmKernel
    {
        var pair = (PairProblem*)state;
        var p = &pair->First;
        int mr = TKernel.MR, nr = TKernel.NR, tiles = (p->M + mr - 1) / mr;
        int i0 = (int)((long)tiles * chunk / p->Chunks) * mr, i1 = Math.Min(p->M, (int)((long)tiles * (chunk + 1) / p->Chunks) * mr);
        var packing = buffers ??= new PackingBuffers();
        packing.A.EnsureCapacity(p->MC * p->KC + PackSpill);
        float* packedA = packing.A.Pointer;
        var store = new BlockStore(overwrite: false, bias: null, transposeC: false);
        for (int pc = 0; pc < p->K; pc += p->KC)
        {
            int kc = Math.Min(p->KC, p->K - pc);
            float* block = p->PackedB + (nint)pc * p->PaddedColumns;
            var first = new PanelsB(block, nr, kc);
            var second = new PanelsB(block + (nint)pair->SecondColumn * kc, nr, kc);
            for (int ic = i0; ic < i1; ic += p->MC)
            {
                int mc = Math.Min(p->MC, i1 - ic);
                PackA(true, p->A, p->Lda, ic, mc, pc, kc, packedA, mr);
                Macro<TKernel>(packedA, first, mc, p->N, kc, p->C + ic * p->Ldc, p->Ldc, store);
                if (pair->A2 != null && ic + mc > pair->SharedRows)
                {
                    PackA(true, pair->A2, p->Lda, ic, mc, pc, kc, packedA, mr);
                }

                Macro<TKernel>(packedA, second, mc, pair->N2, kc, pair->C2 + ic * pair->N2, pair->N2, store);
            }
        }
    }

    /// <summary>The two products of <see cref="AccumulateTransposedAPair"/>: the first as a <see cref="Problem"/>, and the second's operands.</summary>
    private struct PairProblem
    {
        public Problem First;
        public float* A2, B2, C2; // A2 null: the same as the first's A
        public int N2, SecondColumn, SharedRows; // SecondColumn: where op(B2)'s panels start among the packed columns
    }
}
