// Dimension legend: MR, NR = rows and columns of C per micro-tile; KC = depth of a K block; MC, NC = rows of op(A)
// and columns of op(B) packed per cache block.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Carnet.Kernels;

/// <summary>A register-blocked micro-kernel and the cache blocking that feeds it.</summary>
internal unsafe interface IGemmKernel
{
    /// <summary>MR: rows of C per micro-tile.</summary>
    static abstract int MR { get; }

    /// <summary>NR: columns of C per micro-tile, the width of a packed B panel.</summary>
    static abstract int NR { get; }

    /// <summary>
    /// C (rows, NR) = (or +=, unless <paramref name="overwrite"/>) the packed A panel (kc, MR, first
    /// <paramref name="rows"/> used) times the B panel (kc, NR, row stride <paramref name="ldb"/>: NR when packed,
    /// B's own when read in place): each element summed from zero with one fused multiply-add per k in ascending
    /// order, then stored or added to C; stored plus <paramref name="bias"/> (the bias row at the tile's first column,
    /// the same for every row) when overwriting with a bias, which sums as adding to a C that held the bias would.
    /// </summary>
    static abstract void Tile(int rows, nint kc, float* a, float* b, nint ldb, float* c, nint ldc, bool overwrite, float* bias);

    /// <summary>
    /// The same for the thin tiles a short edge leaves, with more columns so that eight accumulators hide the FMA
    /// latency: <paramref name="rows"/> = 1 → C (1, 4·NR) from four B panels; 2 → C (2, 2·NR) from two. Panel q
    /// of B starts at b + q·<paramref name="panelStride"/>. Each element is summed exactly as by <see cref="Tile"/>.
    /// </summary>
    static abstract void TileWide(int rows, nint kc, float* a, float* b, nint ldb, nint panelStride, float* c, nint ldc, bool overwrite, float* bias);
}

/// <summary>A compile-time row count, so one generic micro-kernel body serves every edge tile.</summary>
internal interface IRowCount
{
    /// <summary>The number of rows.</summary>
    static abstract int Count { get; }
}

#pragma warning disable CS1591 // the eight row counts are self-describing
internal readonly struct Rows1 : IRowCount { public static int Count => 1; }
internal readonly struct Rows2 : IRowCount { public static int Count => 2; }
internal readonly struct Rows3 : IRowCount { public static int Count => 3; }
internal readonly struct Rows4 : IRowCount { public static int Count => 4; }
internal readonly struct Rows5 : IRowCount { public static int Count => 5; }
internal readonly struct Rows6 : IRowCount { public static int Count => 6; }
internal readonly struct Rows7 : IRowCount { public static int Count => 7; }
internal readonly struct Rows8 : IRowCount { public static int Count => 8; }
#pragma warning restore CS1591

/// <summary>The micro-kernel families, one per vector width.</summary>
internal enum GemmKernelKind
{
    /// <summary>Vector128 (SSE, Arm64 AdvSimd): 6×8 tiles.</summary>
    Vector128,

    /// <summary>Vector256 with FMA (AVX2): 6×16 tiles.</summary>
    Vector256,

    /// <summary>Vector512 (AVX-512): 8×32 tiles.</summary>
    Vector512,
}

/// <summary>
/// The blocking of one micro-kernel family: what a <see cref="PackedMatrix"/> is laid out for, and which kernel
/// the fast path uses on this machine (the widest accelerated one).
/// </summary>
internal sealed class GemmLayout
{
    /// <summary>
    /// KC = 256 for the 128-bit family: a 6×8 tile's B panel is then 8 KiB and its A panel 6 KiB; the sum of each
    /// element is split into one partial sum per KC terms.
    /// </summary>
    private const int Depth = 256;

    /// <summary>The 6×8 Vector128 family: MC = 120 rows (120 KiB of A per L2), NC = 2048.</summary>
    public static readonly GemmLayout Vector128 = new(GemmKernelKind.Vector128, 6, 8, Depth, 120, 2048);

    /// <summary>
    /// The 6×16 AVX2 family: KC = 512 (32 KiB B panels; one 64-byte row of B per twelve FMAs, which L2 feeds as
    /// easily as L1), MC = 120 rows (a 240 KiB block of A), NC = 2048 columns (a 4 MiB block of B in L3). On the
    /// 2-core EPYC (Zen 3) of 2026-11-22, MC from 72 to 240 and NC from 1024 to 4096 measured within noise of each
    /// other at KC 256. On the Zen 5 of 2026-12-06 with AVX-512 turned off, KC 512 against 256 ran S3's products
    /// 1–2% faster on one thread (32×2048×512 108.7 vs 107.4 GFLOP/s, 3200×2048×512 110.0 vs 107.8, medians of 6)
    /// and 2–10% on two: a tile's set-up and store, and each pass of C between K blocks, come half as often.
    /// </summary>
    public static readonly GemmLayout Vector256 = new(GemmKernelKind.Vector256, 6, 16, 2 * Depth, 120, 2048);

    /// <summary>
    /// The 8×32 AVX-512 family: KC = 512 (64 KiB B panels, streamed from L2 past a 48 KiB L1), MC = 128 (a 256 KiB
    /// block of A), NC = 2048. On the 2-core Zen 5 of 2026-12-06, KC 512 against 256 ran S3's products 2–4% faster
    /// (2 threads: 3200×2048×512 prepacked 402.6 vs 389.7 and 413.3 vs 398.8 GFLOP/s, 2048×1024×3200 382.0 vs 368.7
    /// and 378.0 vs 365.5): a tile's set-up and store, and each pass of C between K blocks, come half as often. KC 768
    /// and 1024 measured within noise of 512; MC 64–512 and NC 512–2048 within noise of each other.
    /// </summary>
    public static readonly GemmLayout Vector512 = new(GemmKernelKind.Vector512, 8, 32, 2 * Depth, 128, 2048);

    [ThreadStatic]
    private static GemmLayout? forced;

    /// <summary>Every family, narrowest first.</summary>
    public static IReadOnlyList<GemmLayout> All { get; } = [Vector128, Vector256, Vector512];

    private GemmLayout(GemmKernelKind kind, int tileRows, int panelWidth, int blockDepth, int rowBlock, int columnBlock)
    {
        Kind = kind;
        TileRows = tileRows;
        PanelWidth = panelWidth;
        BlockDepth = blockDepth;
        RowBlock = rowBlock;
        ColumnBlock = columnBlock;
    }

    /// <summary>The widest family this machine accelerates, or null when it has no SIMD (the reference runs then).</summary>
    public static GemmLayout? Hardware { get; } = Detect();

    /// <summary>
    /// The family products on this thread use: <see cref="Hardware"/>, unless a test forced another with
    /// <see cref="Force"/>; <see cref="Vector128"/> for packing on a machine without SIMD.
    /// </summary>
    public static GemmLayout Current => forced ?? Hardware ?? Vector128;

    /// <summary>Whether the fast path can run on this thread.</summary>
    public static bool IsAvailable => forced is not null || Hardware is not null;

    /// <summary>Which micro-kernel.</summary>
    public GemmKernelKind Kind { get; }

    /// <summary>MR.</summary>
    public int TileRows { get; }

    /// <summary>NR.</summary>
    public int PanelWidth { get; }

    /// <summary>KC.</summary>
    public int BlockDepth { get; }

    /// <summary>MC, a multiple of MR.</summary>
    public int RowBlock { get; }

    /// <summary>NC, a multiple of NR.</summary>
    public int ColumnBlock { get; }

    /// <summary>
    /// For tests: runs the products of the calling thread with <paramref name="layout"/> (even a family the machine
    /// only emulates, such as Vector512 without AVX-512), or with the hardware's again when null.
    /// </summary>
    internal static void Force(GemmLayout? layout) => forced = layout;

    /// <inheritdoc />
    public override string ToString() => $"{Kind} ({TileRows}×{PanelWidth}, KC {BlockDepth}, MC {RowBlock}, NC {ColumnBlock})";

    private static GemmLayout? Detect()
    {
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            return Vector512;
        }

        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && Fma.IsSupported)
        {
            return Vector256;
        }

        return System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? Vector128 : null;
    }
}

/// <summary>A pinned float buffer whose usable part starts on a 64-byte boundary (a cache line, an AVX-512 vector).</summary>
internal unsafe struct AlignedBuffer
{
    private float[]? array;
    private int offset;

    /// <summary>How many floats fit.</summary>
    public readonly int Capacity => array is null ? 0 : array.Length - 16;

    /// <summary>The first aligned float; valid for as long as this buffer is not grown.</summary>
    public readonly float* Pointer => array is null ? null : (float*)Unsafe.AsPointer(ref array[offset]);

    /// <summary>Grows (dropping the contents) when fewer than <paramref name="length"/> floats fit.</summary>
    public void EnsureCapacity(int length)
    {
        if (length <= Capacity && array is not null)
        {
            return;
        }

        array = GC.AllocateUninitializedArray<float>(length + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref array[0]);
        offset = (int)((64 - (address & 63)) & 63) / sizeof(float);
    }

    /// <summary>The first <paramref name="length"/> aligned floats.</summary>
    public readonly Span<float> AsSpan(int length) => array is null ? [] : array.AsSpan(offset, length);
}

/// <summary>The fused multiply-add each Vector128 kernel uses: fused where the hardware has it.</summary>
internal static class VectorFma
{
    /// <summary>a·b + c, rounded once on FMA and Arm64 hardware, twice elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        => Fma.IsSupported || AdvSimd.IsSupported ? System.Runtime.Intrinsics.Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;
}
