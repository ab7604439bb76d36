// Dimension legend: W = 4 floats per Vector128<float>; the micro-kernel on it (GemmMicroKernel<Float128, Rows6>)
// has MR = 6 rows and NR = 2·W = 8 columns of C per micro-tile.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Carnet.Kernels;

/// <summary>
/// Float128 as the vector of the Vector128 micro-kernel (SSE, Arm64 AdvSimd): a 6×8 tile of C in twelve
/// accumulators (with two B vectors and one broadcast A value, fifteen of the sixteen xmm registers of x64;
/// Arm64 has thirty-two).
/// </summary>
internal readonly unsafe partial struct Float128 : IGemmVector<Float128>
{
    /// <inheritdoc />
    /// <remarks>Rounded once on FMA and Arm64 hardware, twice elsewhere (the SSE-only fallback).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddProduct(ref Float128 sum, Float128 a, Float128 b)
        => Unsafe.AsRef(in sum.Value) = VectorFma.MultiplyAdd(a.Value, b.Value, sum.Value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddProduct(ref Float128 sum, Float128 a, float* b)
        => Unsafe.AsRef(in sum.Value) = VectorFma.MultiplyAdd(a.Value, Vector128.Load(b), sum.Value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(float* destination, Float128 sum)
        => (Vector128.Load(destination) + sum.Value).Store(destination);
}
