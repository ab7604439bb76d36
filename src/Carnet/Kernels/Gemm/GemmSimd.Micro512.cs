// Dimension legend: W = 16 floats per Vector512<float>; the micro-kernel on it (GemmMicroKernel<Float512, Rows8>)
// has MR = 8 rows and NR = 2·W = 32 columns of C per micro-tile.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Carnet.Kernels;

/// <summary>
/// Float512 as the vector of the AVX-512 micro-kernel: an 8×32 tile of C in sixteen accumulators (with two B
/// vectors and one broadcast A value, nineteen of the thirty-two zmm registers; sixteen independent chains cover
/// the FMA latency of two ports).
/// </summary>
internal readonly unsafe partial struct Float512 : IGemmVector<Float512>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddProduct(ref Float512 sum, Float512 a, Float512 b)
        => Unsafe.AsRef(in sum.Value) = Vector512.FusedMultiplyAdd(a.Value, b.Value, sum.Value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddProduct(ref Float512 sum, Float512 a, float* b)
        => Unsafe.AsRef(in sum.Value) = Vector512.FusedMultiplyAdd(a.Value, Vector512.Load(b), sum.Value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(float* destination, Float512 sum)
        => (Vector512.Load(destination) + sum.Value).Store(destination);
}
