// Dimension legend: M = rows of op(A) and C, N = columns of op(B) and C, K = the shared dimension.
// MR, NR = rows and columns of a micro-tile; KC, MC, NC = the cache blocks over K, M and N (see GemmLayout).
// Matrices are row-major; lda, ldb, ldc are row strides. Loop nest (BLIS): for each NC block of columns, for each
// KC block of K, pack op(B) (kc, nc) (or point into a PackedMatrix); for each MC block of rows, pack op(A) (mc, kc);
// for each NR panel of B (kept in L1), for each MR panel of A (streamed from L2): one micro-tile.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Carnet.Kernels;

/// <summary>
/// The fast single-precision <see cref="Gemm"/>: packed operands, register-blocked SIMD micro-kernels, cache
/// blocking and up to <see cref="KernelSettings.MaximumThreads"/> threads. Every element of C is summed the same
/// way whatever the shape, the thread count or whether B was pre-packed: per K block of KC terms, from zero, one
/// fused multiply-add per term in ascending order, and the block sums added to C in ascending order. So a row of C
/// does not depend on the other rows computed with it, and results are bit-identical for every thread count.
/// Callers (<see cref="Gemm"/>) validate the arguments; this class trusts them.
/// </summary>
internal static unsafe partial class GemmSimd
{
    /// <summary>
    /// A product gets one thread per this many floating-point operations (up to the maximum), counting at least
    /// <see cref="MinimumRowsOfWork"/> rows. Measured on 2 cores (AVX2): two threads pay from about 4 MFLOP, about
    /// 50 µs of one core; below, the hand-off costs more than it saves.
    /// </summary>
    internal const double MinimumFlopsPerThread = 2e6;

    /// <summary>
    /// Products of fewer rows are counted as this many: their time goes to reading B (batch-1 inference reads the
    /// weights once per step), which two cores also do faster, from two caches.
    /// </summary>
    private const int MinimumRowsOfWork = 8;

    /// <summary>
    /// Chunks per thread of a multi-threaded product: more than one, so that a thread that the operating system
    /// delays (another program busy on the cores) leaves whole chunks to the others rather than making them wait.
    /// </summary>
    private const int ChunksPerThread = 2;

    /// <summary>Room past a packed A block for the spill of its last transposed store (see TransposeRows).</summary>
    private const int PackSpill = 8;

    [ThreadStatic]
    private static PackingBuffers? buffers;


    /// <summary>C (M, N) = (or +=) op(A) · op(B), with <paramref name="chunks"/> = 0 to choose the split.</summary>
    public static void Multiply(
        bool transposeA, bool transposeB,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        int m, int n, int k,
        Span<float> c, int ldc, bool accumulate, int chunks = 0)
    {
        if (m == 0 || n == 0 || ClearIfEmpty(k, m, n, c, ldc, accumulate))
        {
            return;
        }

        var layout = GemmLayout.Current;
        fixed (float* pa = a, pb = b, pc = c)
        {
            // Fewer columns than a panel is wide (a layer with few inputs or outputs): compute Cᵀ = op(B)ᵀ · op(A)ᵀ
            // instead, so the narrow side is cut in MR rows rather than padded to NR columns. fma(a, b, s) equals
            // fma(b, a, s), so every element comes out bit for bit the same.
            var problem = n < layout.PanelWidth && m > n
                ? new Problem
                {
                    A = pb, Lda = ldb, TransposeA = !transposeB,
                    B = pa, Ldb = lda, TransposeB = !transposeA,
                    M = n, N = m, K = k,
                    C = pc, Ldc = ldc, Accumulate = accumulate, TransposeC = true,
                }
                : new Problem
                {
                    A = pa, Lda = lda, TransposeA = transposeA,
                    B = pb, Ldb = ldb, TransposeB = transposeB,
                    M = m, N = n, K = k,
                    C = pc, Ldc = ldc, Accumulate = accumulate,
                };

            // A few rows against a B stored (K, N): each B value is used by one or two tiles only, so packing B
            // would cost more than it saves; the kernels read it in place, row stride ldb.
            problem.DirectB = !problem.TransposeB && problem.M <= 2 * layout.TileRows;
            Run(&problem, layout, chunks);
        }
    }

    /// <summary>C (M, N) = (or +=) op(A) · B for a pre-packed B, with <paramref name="chunks"/> = 0 to choose the split.</summary>
    public static void Multiply(
        bool transposeA, ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, Span<float> c, int ldc, bool accumulate, int chunks = 0)
        => Multiply(transposeA, a, lda, b, m, c, ldc, accumulate, default, chunks);

    private static void Multiply(
        bool transposeA, ReadOnlySpan<float> a, int lda, PackedMatrix b, int m, Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias, int chunks)
    {
        int n = b.Columns, k = b.Rows;
        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (float* pa = a, pb = b.Data, pc = c, pBias = bias)
        {
            if (k == 0 && pBias == null)
            {
                ClearIfEmpty(k, m, n, c, ldc, accumulate);
                return;
            }

            if (k == 0)
            {
                for (int i = 0; i < m; i++)
                {
                    bias[..n].CopyTo(c.Slice(i * ldc, n)); // C = bias + an empty sum
                }

                return;
            }

            var problem = new Problem
            {
                A = pa, Lda = lda, TransposeA = transposeA,
                PackedB = pb, PaddedColumns = b.PaddedColumns,
                M = m, N = n, K = k,
                C = pc, Ldc = ldc, Accumulate = accumulate, Bias = pBias,
            };
            Run(&problem, b.Layout, chunks);
        }
    }

    /// <summary>Packs op(B) (K, N) whole into <paramref name="destination"/>, in the layout of this thread's kernel.</summary>
    public static void PackB(bool transposeB, ReadOnlySpan<float> b, int ldb, int k, int n, PackedMatrix destination)
    {
        var layout = GemmLayout.Current;
        destination.Reset(k, n, layout);
        int depth = layout.BlockDepth;
        nint padded = destination.PaddedColumns;
        fixed (float* pb = b, packed = destination.Data)
        {
            for (int p0 = 0; p0 < k; p0 += depth)
            {
                int kc = Math.Min(depth, k - p0);
                PackB(transposeB, pb, ldb, p0, kc, 0, n, packed + p0 * padded, layout.PanelWidth);
            }
        }
    }

    /// <summary>K = 0: C = 0 unless accumulating (then C is left as is). Returns whether K was 0.</summary>
    private static bool ClearIfEmpty(int k, int m, int n, Span<float> c, int ldc, bool accumulate)
    {
        if (k != 0)
        {
            return false;
        }

        if (!accumulate)
        {
            for (int i = 0; i < m; i++)
            {
                c.Slice(i * ldc, n).Clear();
            }
        }

        return true;
    }

    /// <summary>
    /// Cuts the product into chunks of whole tiles (over N, or over M when M is the longer side or N has too few
    /// tiles) and runs them on up to <see cref="KernelSettings.MaximumThreads"/> threads: one thread per
    /// <see cref="MinimumFlopsPerThread"/> of work, <see cref="ChunksPerThread"/> chunks per thread.
    /// <paramref name="chunks"/> &gt; 0 fixes the number of chunks instead (for tests).
    /// </summary>
    private static void Run(Problem* problem, GemmLayout layout, int chunks)
    {
        problem->KC = layout.BlockDepth;
        problem->MC = layout.RowBlock;
        problem->NC = layout.ColumnBlock;
        int rowTiles = (problem->M + layout.TileRows - 1) / layout.TileRows;
        int columnTiles = (problem->N + layout.PanelWidth - 1) / layout.PanelWidth;
        int threads;
        if (chunks > 0)
        {
            threads = Math.Min(chunks, KernelSettings.AvailableThreads);
        }
        else
        {
            double flops = 2.0 * Math.Max(Math.Min(problem->M, problem->N), MinimumRowsOfWork) * Math.Max(problem->M, problem->N) * problem->K;
            threads = (int)Math.Clamp(flops / MinimumFlopsPerThread, 1, KernelSettings.AvailableThreads);
            chunks = threads == 1 ? 1 : threads * ChunksPerThread;
        }

        bool columns = problem->N >= problem->M;
        if (columns ? columnTiles < chunks && rowTiles > columnTiles : rowTiles < chunks && columnTiles > rowTiles)
        {
            columns = !columns;
        }

        problem->SplitColumns = columns;
        problem->Chunks = Math.Max(1, Math.Min(chunks, columns ? columnTiles : rowTiles));
        if (!columns && problem->Chunks > 1 && threads > 1 && problem->PackedB == null && !problem->DirectB)
        {
            ShareB(problem, layout, threads);
        }

        delegate*<void*, int, void> chunk = layout.Kind switch
        {
            GemmKernelKind.Vector512 => &RunChunk<GemmMicroKernel<Float512, Rows8>>,
            GemmKernelKind.Vector256 => &RunChunk<GemmMicroKernel<Float256, Rows6>>,
            _ => &RunChunk<GemmMicroKernel<Float128, Rows6>>,
        };
        RunChunks(chunk, problem, problem->Chunks, threads);
    }

    /// <summary>Runs job(state, i) for i in 0..chunks−1: on up to <paramref name="threads"/> threads when the workers are free, else here.</summary>
    private static void RunChunks(delegate*<void*, int, void> job, void* state, int chunks, int threads)
    {
        if (chunks == 1 || threads == 1 || !GemmThreads.TryRun(job, state, chunks, threads))
        {
            for (int i = 0; i < chunks; i++)
            {
                job(state, i);
            }
        }
    }

    /// <summary>One chunk of a product: its rows or columns (whole tiles), all of K, through the BLIS loop nest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunChunk<TKernel>(void* state, int chunk)
        where TKernel : struct, IGemmKernel
    {
        var p = (Problem*)state;
        int mr = TKernel.MR, nr = TKernel.NR;
        int i0 = 0, i1 = p->M, j0 = 0, j1 = p->N;
        if (p->SplitColumns)
        {
            int tiles = (p->N + nr - 1) / nr;
            j0 = (int)((long)tiles * chunk / p->Chunks) * nr;
            j1 = Math.Min(p->N, (int)((long)tiles * (chunk + 1) / p->Chunks) * nr);
        }
        else
        {
            int tiles = (p->M + mr - 1) / mr;
            i0 = (int)((long)tiles * chunk / p->Chunks) * mr;
            i1 = Math.Min(p->M, (int)((long)tiles * (chunk + 1) / p->Chunks) * mr);
        }

        var packing = buffers ??= new PackingBuffers();
        packing.A.EnsureCapacity(p->MC * p->KC + PackSpill);
        if (p->PackedB == null)
        {
            packing.B.EnsureCapacity(p->KC * (p->DirectB ? nr : p->NC));
        }

        float* packedA = packing.A.Pointer;
        for (int jc = j0; jc < j1; jc += p->NC)
        {
            int nc = Math.Min(p->NC, j1 - jc);
            for (int pc = 0; pc < p->K; pc += p->KC)
            {
                int kc = Math.Min(p->KC, p->K - pc);
                PanelsB panels;
                if (p->PackedB != null)
                {
                    panels = new PanelsB(p->PackedB + pc * p->PaddedColumns + (nint)jc * kc, nr, kc);
                }
                else if (p->DirectB)
                {
                    // in place, but for a last partial panel: packed (zero-padded), so no read passes the end of B
                    int whole = nc / nr * nr;
                    float* edge = whole < nc ? packing.B.Pointer : null;
                    if (edge != null)
                    {
                        PackB(false, p->B, p->Ldb, pc, kc, jc + whole, nc - whole, edge, nr);
                    }

                    panels = new PanelsB(p->B + pc * p->Ldb + jc, p->Ldb, 1, edge, nr);
                }
                else
                {
                    PackB(p->TransposeB, p->B, p->Ldb, pc, kc, jc, nc, packing.B.Pointer, nr);
                    panels = new PanelsB(packing.B.Pointer, nr, kc);
                }

                bool overwrite = !p->Accumulate && pc == 0;
                float* bias = overwrite && p->Bias != null ? p->Bias + jc : null;
                for (int ic = i0; ic < i1; ic += p->MC)
                {
                    int mc = Math.Min(p->MC, i1 - ic);
                    PackA(p->TransposeA, p->A, p->Lda, ic, mc, pc, kc, packedA, mr);
                    float* blockC = p->TransposeC ? p->C + jc * p->Ldc + ic : p->C + ic * p->Ldc + jc;
                    Macro<TKernel>(packedA, panels, mc, nc, kc, blockC, p->Ldc, new BlockStore(overwrite, bias, p->TransposeC));
                }
            }
        }
    }

    /// <summary>
    /// One cache block: C (mc, nc) = (or +=) packed A (mc, kc) · B (kc, nc), tile by tile: for each B panel (kept
    /// in L1, or streamed from L2 when wider), every A panel (from L2). When the last A panel has only one or two rows (a batch of 1 or 2, or
    /// M mod MR), those rows go through the wide tiles, so their few accumulators still cover the FMA latency: after
    /// the other rows of each group of 4 (one row) or 2 (two rows) panels, while those panels are still in cache.
    /// <paramref name="store"/> says how the block's sums reach C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro<TKernel>(float* packedA, PanelsB b, int mc, int nc, int kc, float* c, nint ldc, BlockStore store)
        where TKernel : struct, IGemmKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int thin = mc % mr <= 2 ? mc % mr : 0;
        int regular = mc - thin;
        int span = thin == 0 ? nr : (thin == 1 ? 4 : 2) * nr; // the columns of one wide tile
        float* scratch = stackalloc float[mr * nr]; // MR ≥ 4, so a wide tile (4·NR values) fits too
        if (regular == 0)
        {
            ThinTiles<TKernel>(packedA, b, thin, 0, 0, nc, span, kc, c, ldc, store, scratch); // a batch of 1 or 2: one pass
            return;
        }

        for (int group = 0; group < nc; group += span)
        {
            int end = Math.Min(nc, group + span);
            for (int jr = group; jr < end; jr += nr)
            {
                RegularTiles<TKernel>(packedA, b, regular, jr, Math.Min(nr, nc - jr), kc, c, ldc, store, scratch);
            }

            if (thin > 0)
            {
                ThinTiles<TKernel>(packedA + (nint)regular * kc, b, thin, regular, group, end - group, span, kc, c, ldc, store, scratch);
            }
        }
    }

    /// <summary>The tiles of rows [0, <paramref name="rows"/>) of a block at B panel <paramref name="jr"/> (<paramref name="columns"/> ≤ NR wide).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RegularTiles<TKernel>(float* packedA, PanelsB b, int rows, int jr, int columns, int kc, float* c, nint ldc, BlockStore store, float* scratch)
        where TKernel : struct, IGemmKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        float* panelB = b.Panel(jr, columns < nr, out nint ldb);
        float* bias = store.Bias == null ? null : store.Bias + jr;
        for (int ir = 0; ir < rows; ir += mr)
        {
            float* panelA = packedA + (nint)ir * kc;
            int tileRows = Math.Min(mr, rows - ir);
            if (columns == nr && !store.TransposeC)
            {
                TKernel.Tile(tileRows, kc, panelA, panelB, ldb, c + ir * ldc + jr, ldc, store.Overwrite, bias);
            }
            else
            {
                TKernel.Tile(tileRows, kc, panelA, panelB, ldb, scratch, nr, overwrite: true, bias: null);
                Merge(scratch, nr, tileRows, columns, c, ldc, ir, jr, store);
            }
        }
    }

    /// <summary>
    /// The <paramref name="thin"/> (1 or 2) last rows of a block, row <paramref name="row0"/> on, at columns
    /// [<paramref name="column0"/>, + <paramref name="columns"/>): a wide tile per whole group of
    /// <paramref name="span"/> columns, then panel by panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ThinTiles<TKernel>(
        float* thinA, PanelsB b, int thin, int row0, int column0, int columns, int span, int kc, float* c, nint ldc, BlockStore store, float* scratch)
        where TKernel : struct, IGemmKernel
    {
        int nr = TKernel.NR, column = column0, end = column0 + columns;
        for (; column + span <= end; column += span)
        {
            float* panelB = b.Panel(column, partial: false, out nint ldb);
            if (!store.TransposeC)
            {
                float* bias = store.Bias == null ? null : store.Bias + column;
                TKernel.TileWide(thin, kc, thinA, panelB, ldb, nr * b.ColumnScale, c + row0 * ldc + column, ldc, store.Overwrite, bias);
            }
            else
            {
                TKernel.TileWide(thin, kc, thinA, panelB, ldb, nr * b.ColumnScale, scratch, span, overwrite: true, bias: null);
                Merge(scratch, span, thin, span, c, ldc, row0, column, store);
            }
        }

        for (; column < end; column += nr)
        {
            int width = Math.Min(nr, end - column);
            TKernel.Tile(thin, kc, thinA, b.Panel(column, width < nr, out nint ldb), ldb, scratch, nr, overwrite: true, bias: null);
            Merge(scratch, nr, thin, width, c, ldc, row0, column, store);
        }
    }

    /// <summary>
    /// Stores (or adds) the sums of a tile computed into scratch (rows, columns; row stride lds) to C at block
    /// position (row0, column0), as <paramref name="store"/> says: the same single rounding as a kernel's own store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Merge(float* scratch, int lds, int rows, int columns, float* c, nint ldc, int row0, int column0, BlockStore store)
    {
        nint step = store.TransposeC ? ldc : 1;
        float* bias = store.Bias == null ? null : store.Bias + column0;
        for (int r = 0; r < rows; r++)
        {
            float* sums = scratch + r * lds;
            float* target = store.TransposeC ? c + column0 * ldc + row0 + r : c + (row0 + r) * ldc + column0;
            for (int q = 0; q < columns; q++, target += step)
            {
                *target = !store.Overwrite ? *target + sums[q] : bias != null ? bias[q] + sums[q] : sums[q];
            }
        }
    }

    /// <summary>
    /// Asks for the C rows of a tile (every cache line of the first <paramref name="columns"/> of each) to be brought
    /// into L1 while the k loop runs, so that the load of C at its end does not wait for memory. A hint only;
    /// nothing where it is not supported.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void PrefetchRows(float* c, nint ldc, int rows, int columns)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (int r = 0; r < rows; r++, c += ldc)
        {
            for (int q = 0; q < columns; q += 16)
            {
                Sse.Prefetch0(c + q);
            }

            if (columns > 0)
            {
                Sse.Prefetch0(c + columns - 1);
            }
        }
    }

    /// <summary>One product's operands and blocking, shared by its chunks.</summary>
    private struct Problem
    {
        public float* A, B, PackedB, C, Bias; // Bias (N) or null: added to every row of a packed-B product's C (see MultiplyPlusBias)
        public nint Lda, Ldb, Ldc, PaddedColumns;
        public int M, N, K, KC, MC, NC, Chunks, PanelWidth;
        public bool TransposeA, TransposeB, TransposeC, Accumulate, SplitColumns, DirectB;
    }

    /// <summary>
    /// Where the B panels of one block are: packed (the panel at block column j at start + j·kc, its rows NR apart)
    /// or in place in a row-major B (at start + j, rows ldb apart), with then a last, partial panel packed apart
    /// (zero-padded, rows NR apart) so that no read passes the end of B.
    /// </summary>
    private readonly struct PanelsB
    {
        private readonly float* start;
        private readonly nint ldb;
        private readonly float* edge;
        private readonly nint edgeStride;

        public PanelsB(float* start, nint ldb, nint columnScale, float* edge = null, nint edgeStride = 0)
        {
            this.start = start;
            this.ldb = ldb;
            ColumnScale = columnScale;
            this.edge = edge;
            this.edgeStride = edgeStride;
        }

        /// <summary>The panel at block column j (a multiple of NR) starts at start + j·ColumnScale: kc packed, 1 in place.</summary>
        public nint ColumnScale { get; }

        /// <summary>The panel at block column <paramref name="column"/> (<paramref name="partial"/>: the last, cut one) and its row stride.</summary>
        public float* Panel(int column, bool partial, out nint rowStride)
        {
            if (partial && edge != null)
            {
                rowStride = edgeStride;
                return edge;
            }

            rowStride = ldb;
            return start + column * ColumnScale;
        }
    }

    /// <summary>One thread's packing buffers, grown to the largest product it has run and then reused.</summary>
    private sealed class PackingBuffers
    {
        public AlignedBuffer A;
        public AlignedBuffer B;
    }
}
