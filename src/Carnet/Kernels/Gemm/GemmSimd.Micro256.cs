// Dimension legend: W = 8 floats per Vector256<float>; the micro-kernel on it (GemmMicroKernel<Float256, Rows6>)
// has MR = 6 rows and NR = 2·W = 16 columns of C per micro-tile.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Carnet.Kernels;

/// <summary>
/// Float256 as the vector of the AVX2 micro-kernel: a 6×16 tile of C in twelve accumulators (with two B vectors
/// and one broadcast A value, fifteen of the sixteen ymm registers).
/// </summary>
internal readonly unsafe partial struct Float256 : IGemmVector<Float256>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddProduct(ref Float256 sum, Float256 a, Float256 b)
        => Unsafe.AsRef(in sum.Value) = Vector256.FusedMultiplyAdd(a.Value, b.Value, sum.Value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddProduct(ref Float256 sum, Float256 a, float* b)
        => Unsafe.AsRef(in sum.Value) = Vector256.FusedMultiplyAdd(a.Value, Vector256.Load(b), sum.Value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(float* destination, Float256 sum)
        => (Vector256.Load(destination) + sum.Value).Store(destination);
}
