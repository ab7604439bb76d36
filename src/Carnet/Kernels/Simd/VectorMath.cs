// Widths: N = floats per vector, 16 (Vector512), 8 (Vector256), 4 (Vector128) or 1 (a tail element).
// σ, tanh and the gate kernels are written once, generic in an IFloatVector<TVector>, and the JIT specialises
// them for each width; Columns.ForEach runs a kernel over a row at the widest accelerated width, then narrower.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Carnet.Kernels;

/// <summary>
/// σ and tanh of float vectors, within 2.5 float32 ulps of the exact values, for the SIMD gate kernels.
/// <para>
/// Both rest on one exponential: t = n·ln 2 + r with n = round(t·log₂e) and |r| ≤ ln 2 / 2 (Cody–Waite, ln 2
/// split in two), e^r − 1 = r + r²·P(r) with Cephes' degree-5 minimax P, and 2ⁿ built in the exponent bits.
/// σ(x) = 1 / (1 + e^(−x)) with e^(−x) = 2ⁿ·(1 + (e^r − 1)); tanh|x| = −m / (m + 2) with
/// m = e^(−2|x|) − 1 = (2ⁿ − 1) + 2ⁿ·(e^r − 1), which keeps full relative precision near 0; the sign of x
/// is then copied onto the result.
/// </para>
/// <para>
/// Edge values: NaN gives NaN; σ(+∞) = 1, σ(−∞) = 0, σ(±0) = 0.5; tanh(±∞) = ±1, tanh(±0) = ±0, and
/// subnormal x gives tanh(x) = x. σ is exactly 1 from x ≈ 17.33 (as float rounding gives) and exactly 0 below
/// x ≈ −88.38, where the exact σ is a subnormal below 4e−39 (the scalar reference gives subnormals down to
/// −88.72); tanh is exactly ±1 from |x| = 9.5 (its float value is 1 from 9.011, 1 − 2⁻²⁴ just below).
/// </para>
/// </summary>
internal static class VectorMath
{
    /// <summary>The bits of 1f: 127 in the exponent field, added to n·2^23 to make the bits of 2ⁿ.</summary>
    internal const int ExponentBias = 0x3F800000;

    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f; // 9 significant bits: n·Ln2High is exact for |n| < 2^15
    private const float Ln2Low = -2.12194440e-4f; // ln 2 − Ln2High
    private const float RoundingShifter = 12582912f; // 1.5·2^23: adding it rounds to an integer held in the low bits
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    private const float SigmoidExponentLow = -88f; // n ≥ −127, whose 2ⁿ is built as 0; e^t is nothing next to 1
    private const float SigmoidExponentHigh = 89f; // n ≤ 128, whose 2ⁿ is built as +∞, so σ = 0
    private const float TanhSaturation = 9.5f; // tanh(9.5) rounds to 1

    /// <summary>σ(x) = 1 / (1 + e^(−x)), lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Sigmoid<TVector>(TVector x)
        where TVector : struct, IFloatVector<TVector>
    {
        TVector t = TVector.Min(TVector.Max(-x, TVector.Create(SigmoidExponentLow)), TVector.Create(SigmoidExponentHigh));
        TVector expMinusOne = ExpMinusOneReduced(t, out TVector scale);
        TVector one = TVector.Create(1f);
        TVector exp = scale * (expMinusOne + one); // e^t = 2ⁿ·e^r: 0 when n = −127, +∞ when n = 128
        return TVector.NaNOr(x, one / (one + exp));
    }

    /// <summary>tanh(x), lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Tanh<TVector>(TVector x)
        where TVector : struct, IFloatVector<TVector>
    {
        TVector t = TVector.Min(TVector.Abs(x), TVector.Create(TanhSaturation)) * TVector.Create(-2f);
        TVector expMinusOne = ExpMinusOneReduced(t, out TVector scale);

        // m = e^t − 1 = (2ⁿ − 1) + 2ⁿ·(e^r − 1), in (−1, 0]; tanh|x| = (1 − e^t) / (1 + e^t) = −m / (m + 2)
        TVector m = TVector.MultiplyAdd(scale, expMinusOne, scale - TVector.Create(1f));
        TVector magnitude = m / (TVector.Create(-2f) - m);
        return TVector.NaNOr(x, TVector.CopySign(magnitude, x));
    }

    /// <summary>σ of one float: the vector algorithm in one lane, so a tail equals a vector lane bit for bit.</summary>
    public static float Sigmoid(float x) => Sigmoid(Float1.Create(x)).Value.ToScalar();

    /// <summary>tanh of one float, bit for bit as a vector lane.</summary>
    public static float Tanh(float x) => Tanh(Float1.Create(x)).Value.ToScalar();

    /// <summary>σ of four floats.</summary>
    public static Vector128<float> Sigmoid(Vector128<float> x) => Sigmoid(new Float128(x)).Value;

    /// <summary>σ of eight floats.</summary>
    public static Vector256<float> Sigmoid(Vector256<float> x) => Sigmoid(new Float256(x)).Value;

    /// <summary>σ of sixteen floats.</summary>
    public static Vector512<float> Sigmoid(Vector512<float> x) => Sigmoid(new Float512(x)).Value;

    /// <summary>tanh of four floats.</summary>
    public static Vector128<float> Tanh(Vector128<float> x) => Tanh(new Float128(x)).Value;

    /// <summary>tanh of eight floats.</summary>
    public static Vector256<float> Tanh(Vector256<float> x) => Tanh(new Float256(x)).Value;

    /// <summary>tanh of sixteen floats.</summary>
    public static Vector512<float> Tanh(Vector512<float> x) => Tanh(new Float512(x)).Value;

    /// <summary>
    /// Splits t (in [−88, 89]) as n·ln 2 + r: returns e^r − 1 and sets <paramref name="scale"/> = 2ⁿ
    /// (built as 0 for n = −127 and +∞ for n = 128).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ExpMinusOneReduced<TVector>(TVector t, out TVector scale)
        where TVector : struct, IFloatVector<TVector>
    {
        TVector shifted = TVector.MultiplyAdd(t, TVector.Create(Log2E), TVector.Create(RoundingShifter));
        TVector n = shifted - TVector.Create(RoundingShifter);
        TVector r = TVector.MultiplyAdd(n, TVector.Create(-Ln2High), t);
        r = TVector.MultiplyAdd(n, TVector.Create(-Ln2Low), r);

        TVector p = TVector.MultiplyAdd(TVector.Create(P0), r, TVector.Create(P1));
        p = TVector.MultiplyAdd(p, r, TVector.Create(P2));
        p = TVector.MultiplyAdd(p, r, TVector.Create(P3));
        p = TVector.MultiplyAdd(p, r, TVector.Create(P4));
        p = TVector.MultiplyAdd(p, r, TVector.Create(P5));
        scale = TVector.PowerOfTwo(shifted);
        return TVector.MultiplyAdd(r * r, p, r);
    }
}

/// <summary>
/// The arithmetic the SIMD kernels use, over a vector of <see cref="Count"/> floats, so that a kernel body is
/// written once and instantiated at every width. Loads and stores take a reference and an element offset and
/// do not check bounds: the kernels check their spans' lengths before the loop.
/// </summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
internal interface IFloatVector<TSelf>
    where TSelf : struct, IFloatVector<TSelf>
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on SIMD hardware here.</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TSelf Create(float value);

    /// <summary>Count floats from <paramref name="source"/> + <paramref name="offset"/>.</summary>
    static abstract TSelf Load(ref float source, nuint offset);

    /// <summary>Writes the lanes to <paramref name="destination"/> + <paramref name="offset"/>.</summary>
    static abstract void Store(TSelf value, ref float destination, nuint offset);

#pragma warning disable CS1591 // the arithmetic operators and functions below need no words
    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator *(TSelf left, TSelf right);

    static abstract TSelf operator /(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf value);

    static abstract TSelf Abs(TSelf value);
#pragma warning restore CS1591

    /// <summary>a·b + c, fused where the hardware has FMA (then every width fuses).</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>The smaller lane, by the platform's NaN rule (callers restore NaN with <see cref="NaNOr"/>).</summary>
    static abstract TSelf Min(TSelf left, TSelf right);

    /// <summary>The larger lane, with the platform's NaN rule.</summary>
    static abstract TSelf Max(TSelf left, TSelf right);

    /// <summary>The magnitude of <paramref name="magnitude"/> with the sign of <paramref name="sign"/>.</summary>
    static abstract TSelf CopySign(TSelf magnitude, TSelf sign);

    /// <summary><paramref name="source"/> where it is NaN, else <paramref name="value"/>.</summary>
    static abstract TSelf NaNOr(TSelf source, TSelf value);

    /// <summary><paramref name="value"/> where <paramref name="condition"/> &gt; 0, else +0 (also where NaN).</summary>
    static abstract TSelf WherePositive(TSelf condition, TSelf value);

    /// <summary>2ⁿ from s = n + 1.5·2^23 (n an integer in [−127, 128], in the low mantissa bits of s).</summary>
    static abstract TSelf PowerOfTwo(TSelf shifted);
}

/// <summary>One step of a kernel over N consecutive columns, N being the vector width it is instantiated at.</summary>
internal interface IColumnStep
{
    /// <summary>Computes columns [<paramref name="column"/>, <paramref name="column"/> + N).</summary>
    void Run<TVector>(nuint column)
        where TVector : struct, IFloatVector<TVector>;
}

/// <summary>The loop every SIMD kernel shares.</summary>
internal static class Columns
{
    /// <summary>
    /// Runs <paramref name="step"/> over columns [0, <paramref name="count"/>), each exactly once (so in-place
    /// steps are safe). <paramref name="width"/> 0 takes 16 columns at a time where Vector512 is accelerated,
    /// then 8 where Vector256 is, then 4, then one; 16, 8 or 4 forces that width alone (emulated where it is not
    /// accelerated, which is how the tests cover every width on any machine) before the one-column tail.
    /// A column's value does not depend on the width that computed it, as far as
    /// <see cref="IFloatVector{TSelf}.MultiplyAdd"/> fuses alike at every width (it does on FMA hardware).
    /// </summary>
    public static void ForEach<TStep>(ref TStep step, int count, int width)
        where TStep : struct, IColumnStep, allows ref struct
    {
        nuint j = 0, n = (nuint)count;
        if (width == Float512.Count || (width == 0 && Float512.IsHardwareAccelerated))
        {
            j = Run<Float512, TStep>(ref step, j, n);
        }

        if (width == Float256.Count || (width == 0 && Float256.IsHardwareAccelerated))
        {
            j = Run<Float256, TStep>(ref step, j, n);
        }

        if (width == Float128.Count || (width == 0 && Float128.IsHardwareAccelerated))
        {
            j = Run<Float128, TStep>(ref step, j, n);
        }

        Run<Float1, TStep>(ref step, j, n);
    }

    /// <summary>
    /// Checks that columns [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) lie within a
    /// row of <paramref name="width"/>: the range of units a kernel runs when threads share a step.
    /// </summary>
    public static void CheckRange(int width, int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, width, nameof(count));
    }

    /// <summary>
    /// Runs the step at width N from column <paramref name="j"/> while N columns remain; returns the next column.
    /// Never inlined: a step inlines some hundred small methods (σ, tanh and the vector operators), and as a root
    /// of its own it gets the JIT's whole inlining budget, which a caller that has inlined it would run out of
    /// (leaving the vector operators as calls, several times slower). Optimised fully on its first call, rather
    /// than starting at tier 0, which short runs would otherwise spend most of their time in.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static nuint Run<TVector, TStep>(ref TStep step, nuint j, nuint count)
        where TVector : struct, IFloatVector<TVector>
        where TStep : struct, IColumnStep, allows ref struct
    {
        for (; j + (nuint)TVector.Count <= count; j += (nuint)TVector.Count)
        {
            step.Run<TVector>(j);
        }

        return j;
    }
}

/// <summary>Sixteen floats (AVX-512).</summary>
internal readonly partial struct Float512(Vector512<float> value) : IFloatVector<Float512>
{
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    /// <summary>The lanes.</summary>
    public readonly Vector512<float> Value = value;

    public static int Count => 16;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    [MethodImpl(Inline)] public static Float512 Create(float value) => new(Vector512.Create(value));

    [MethodImpl(Inline)] public static Float512 Load(ref float source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));

    [MethodImpl(Inline)] public static void Store(Float512 value, ref float destination, nuint offset) => value.Value.StoreUnsafe(ref destination, offset);

    [MethodImpl(Inline)] public static Float512 operator +(Float512 left, Float512 right) => new(left.Value + right.Value);

    [MethodImpl(Inline)] public static Float512 operator -(Float512 left, Float512 right) => new(left.Value - right.Value);

    [MethodImpl(Inline)] public static Float512 operator *(Float512 left, Float512 right) => new(left.Value * right.Value);

    [MethodImpl(Inline)] public static Float512 operator /(Float512 left, Float512 right) => new(left.Value / right.Value);

    [MethodImpl(Inline)] public static Float512 operator -(Float512 value) => new(-value.Value);

    [MethodImpl(Inline)] public static Float512 Abs(Float512 value) => new(Vector512.Abs(value.Value));

    [MethodImpl(Inline)] public static Float512 MultiplyAdd(Float512 a, Float512 b, Float512 c) => new(Vector512.MultiplyAddEstimate(a.Value, b.Value, c.Value));

    [MethodImpl(Inline)] public static Float512 Min(Float512 left, Float512 right) => new(Vector512.MinNative(left.Value, right.Value));

    [MethodImpl(Inline)] public static Float512 Max(Float512 left, Float512 right) => new(Vector512.MaxNative(left.Value, right.Value));

    [MethodImpl(Inline)] public static Float512 CopySign(Float512 magnitude, Float512 sign) => new(Vector512.CopySign(magnitude.Value, sign.Value));

    [MethodImpl(Inline)]
    public static Float512 NaNOr(Float512 source, Float512 value)
        => new(Vector512.ConditionalSelect(Vector512.Equals(source.Value, source.Value), value.Value, source.Value));

    [MethodImpl(Inline)]
    public static Float512 WherePositive(Float512 condition, Float512 value)
        => new(value.Value & Vector512.GreaterThan(condition.Value, Vector512<float>.Zero));

    [MethodImpl(Inline)]
    public static Float512 PowerOfTwo(Float512 shifted)
        => new((Vector512.ShiftLeft(shifted.Value.AsInt32(), 23) + Vector512.Create(VectorMath.ExponentBias)).AsSingle());
}

/// <summary>Eight floats (AVX, AVX2).</summary>
internal readonly partial struct Float256(Vector256<float> value) : IFloatVector<Float256>
{
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    /// <summary>The lanes.</summary>
    public readonly Vector256<float> Value = value;

    public static int Count => 8;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    [MethodImpl(Inline)] public static Float256 Create(float value) => new(Vector256.Create(value));

    [MethodImpl(Inline)] public static Float256 Load(ref float source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));

    [MethodImpl(Inline)] public static void Store(Float256 value, ref float destination, nuint offset) => value.Value.StoreUnsafe(ref destination, offset);

    [MethodImpl(Inline)] public static Float256 operator +(Float256 left, Float256 right) => new(left.Value + right.Value);

    [MethodImpl(Inline)] public static Float256 operator -(Float256 left, Float256 right) => new(left.Value - right.Value);

    [MethodImpl(Inline)] public static Float256 operator *(Float256 left, Float256 right) => new(left.Value * right.Value);

    [MethodImpl(Inline)] public static Float256 operator /(Float256 left, Float256 right) => new(left.Value / right.Value);

    [MethodImpl(Inline)] public static Float256 operator -(Float256 value) => new(-value.Value);

    [MethodImpl(Inline)] public static Float256 Abs(Float256 value) => new(Vector256.Abs(value.Value));

    [MethodImpl(Inline)] public static Float256 MultiplyAdd(Float256 a, Float256 b, Float256 c) => new(Vector256.MultiplyAddEstimate(a.Value, b.Value, c.Value));

    [MethodImpl(Inline)] public static Float256 Min(Float256 left, Float256 right) => new(Vector256.MinNative(left.Value, right.Value));

    [MethodImpl(Inline)] public static Float256 Max(Float256 left, Float256 right) => new(Vector256.MaxNative(left.Value, right.Value));

    [MethodImpl(Inline)] public static Float256 CopySign(Float256 magnitude, Float256 sign) => new(Vector256.CopySign(magnitude.Value, sign.Value));

    [MethodImpl(Inline)]
    public static Float256 NaNOr(Float256 source, Float256 value)
        => new(Vector256.ConditionalSelect(Vector256.Equals(source.Value, source.Value), value.Value, source.Value));

    [MethodImpl(Inline)]
    public static Float256 WherePositive(Float256 condition, Float256 value)
        => new(value.Value & Vector256.GreaterThan(condition.Value, Vector256<float>.Zero));

    [MethodImpl(Inline)]
    public static Float256 PowerOfTwo(Float256 shifted)
        => new((Vector256.ShiftLeft(shifted.Value.AsInt32(), 23) + Vector256.Create(VectorMath.ExponentBias)).AsSingle());
}

/// <summary>Four floats (SSE, AdvSimd).</summary>
internal readonly partial struct Float128(Vector128<float> value) : IFloatVector<Float128>
{
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    /// <summary>The lanes.</summary>
    public readonly Vector128<float> Value = value;

    public static int Count => 4;

    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    [MethodImpl(Inline)] public static Float128 Create(float value) => new(Vector128.Create(value));

    [MethodImpl(Inline)] public static Float128 Load(ref float source, nuint offset) => new(Vector128.LoadUnsafe(ref source, offset));

    [MethodImpl(Inline)] public static void Store(Float128 value, ref float destination, nuint offset) => value.Value.StoreUnsafe(ref destination, offset);

    [MethodImpl(Inline)] public static Float128 operator +(Float128 left, Float128 right) => new(left.Value + right.Value);

    [MethodImpl(Inline)] public static Float128 operator -(Float128 left, Float128 right) => new(left.Value - right.Value);

    [MethodImpl(Inline)] public static Float128 operator *(Float128 left, Float128 right) => new(left.Value * right.Value);

    [MethodImpl(Inline)] public static Float128 operator /(Float128 left, Float128 right) => new(left.Value / right.Value);

    [MethodImpl(Inline)] public static Float128 operator -(Float128 value) => new(-value.Value);

    [MethodImpl(Inline)] public static Float128 Abs(Float128 value) => new(Vector128.Abs(value.Value));

    [MethodImpl(Inline)] public static Float128 MultiplyAdd(Float128 a, Float128 b, Float128 c) => new(Vector128.MultiplyAddEstimate(a.Value, b.Value, c.Value));

    [MethodImpl(Inline)] public static Float128 Min(Float128 left, Float128 right) => new(Vector128.MinNative(left.Value, right.Value));

    [MethodImpl(Inline)] public static Float128 Max(Float128 left, Float128 right) => new(Vector128.MaxNative(left.Value, right.Value));

    [MethodImpl(Inline)] public static Float128 CopySign(Float128 magnitude, Float128 sign) => new(Vector128.CopySign(magnitude.Value, sign.Value));

    [MethodImpl(Inline)]
    public static Float128 NaNOr(Float128 source, Float128 value)
        => new(Vector128.ConditionalSelect(Vector128.Equals(source.Value, source.Value), value.Value, source.Value));

    [MethodImpl(Inline)]
    public static Float128 WherePositive(Float128 condition, Float128 value)
        => new(value.Value & Vector128.GreaterThan(condition.Value, Vector128<float>.Zero));

    [MethodImpl(Inline)]
    public static Float128 PowerOfTwo(Float128 shifted)
        => new((Vector128.ShiftLeft(shifted.Value.AsInt32(), 23) + Vector128.Create(VectorMath.ExponentBias)).AsSingle());
}

/// <summary>One float in every lane of a Vector128, so that a kernel's tail computes exactly as a vector lane does.</summary>
internal readonly struct Float1(Vector128<float> value) : IFloatVector<Float1>
{
    private const MethodImplOptions Inline = MethodImplOptions.AggressiveInlining;

    /// <summary>The lanes.</summary>
    public readonly Vector128<float> Value = value;

    public static int Count => 1;

    public static bool IsHardwareAccelerated => true;

    [MethodImpl(Inline)] public static Float1 Create(float value) => new(Vector128.Create(value));

    [MethodImpl(Inline)] public static Float1 Load(ref float source, nuint offset) => new(Vector128.Create(Unsafe.Add(ref source, offset)));

    [MethodImpl(Inline)] public static void Store(Float1 value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value.Value.ToScalar();

    [MethodImpl(Inline)] public static Float1 operator +(Float1 left, Float1 right) => new(left.Value + right.Value);

    [MethodImpl(Inline)] public static Float1 operator -(Float1 left, Float1 right) => new(left.Value - right.Value);

    [MethodImpl(Inline)] public static Float1 operator *(Float1 left, Float1 right) => new(left.Value * right.Value);

    [MethodImpl(Inline)] public static Float1 operator /(Float1 left, Float1 right) => new(left.Value / right.Value);

    [MethodImpl(Inline)] public static Float1 operator -(Float1 value) => new(-value.Value);

    [MethodImpl(Inline)] public static Float1 Abs(Float1 value) => new(Vector128.Abs(value.Value));

    [MethodImpl(Inline)] public static Float1 MultiplyAdd(Float1 a, Float1 b, Float1 c) => new(Vector128.MultiplyAddEstimate(a.Value, b.Value, c.Value));

    [MethodImpl(Inline)] public static Float1 Min(Float1 left, Float1 right) => new(Vector128.MinNative(left.Value, right.Value));

    [MethodImpl(Inline)] public static Float1 Max(Float1 left, Float1 right) => new(Vector128.MaxNative(left.Value, right.Value));

    [MethodImpl(Inline)] public static Float1 CopySign(Float1 magnitude, Float1 sign) => new(Vector128.CopySign(magnitude.Value, sign.Value));

    [MethodImpl(Inline)]
    public static Float1 NaNOr(Float1 source, Float1 value)
        => new(Vector128.ConditionalSelect(Vector128.Equals(source.Value, source.Value), value.Value, source.Value));

    [MethodImpl(Inline)]
    public static Float1 WherePositive(Float1 condition, Float1 value)
        => new(value.Value & Vector128.GreaterThan(condition.Value, Vector128<float>.Zero));

    [MethodImpl(Inline)]
    public static Float1 PowerOfTwo(Float1 shifted)
        => new((Vector128.ShiftLeft(shifted.Value.AsInt32(), 23) + Vector128.Create(VectorMath.ExponentBias)).AsSingle());
}
