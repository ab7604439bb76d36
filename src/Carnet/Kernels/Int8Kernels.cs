// Dimension legend: R = rows of the weight matrix (outputs), K = its columns (inputs, the shared dimension), Kp = K
// rounded up to a multiple of 64 (rows and vectors are stored padded with zeros to Kp).
// Symmetric int8 quantisation as PyTorch's dynamic quantisation: q = round_half_even(v / s) clamped to [−127, 127]
// with s = max|v| / 127, one scale per weight row (fixed) and one per activation vector (at each step). Products are
// summed in int32, which is exact, so every SIMD path gives the scalar reference's sums bit for bit. The AVX2, AVX-512 and SSSE3 paths
// multiply |a| (unsigned) by w·sign(a) with (v)pmaddubsw, whose pairs are at most 2 · 127 · 127 < 2^15 and so never
// saturate, then widen the pairs to int32 with (v)pmaddwd by 1: Σ |a|·w·sign(a) = Σ w·a. |Σ w·a| ≤ 127 · 127 · K stays
// below 2^31 for K up to 2^17. With AVX-VNNI, vpdpbusd multiplies unsigned by signed bytes and adds groups of four
// straight into int32 (no intermediate saturation): the vector goes in as a + 128 (its sign bit flipped) and each row's
// Σ w, kept beside the weights, takes 128 · Σ w back off: Σ (a + 128)·w − 128 · Σ w = Σ w·a, exact in wrapping int32.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Carnet.Kernels;

/// <summary>Int8 quantisation and dequantisation, and (Int8DotKernels.cs) int8 matrix–vector products with int32 sums on every <see cref="Int8Path"/>.</summary>
internal static partial class Int8Kernels
{
    /// <summary>The largest quantised magnitude: weights and activations lie in [−127, 127].</summary>
    public const int Limit = 127;

    /// <summary>The most columns a product takes: beyond, an int32 sum of 127 × 127 terms could overflow.</summary>
    public const int MaximumColumns = 1 << 17;

    private const int Block = 64; // rows and vectors are padded with zeros to a multiple of this

    /// <summary>The fastest path this processor runs (AVX-VNNI, then AVX-512, AVX2, SSSE3, the scalar reference).</summary>
    public static Int8Path FastestPath { get; } = Paths.Length > 0 ? Paths[0] : Int8Path.Reference;

    /// <summary>Every SIMD path this processor runs, fastest first.</summary>
    public static Int8Path[] Paths => [.. new[]
    {
        (Int8Path.AvxVnni, AvxVnni.IsSupported),
        (Int8Path.Avx512, Avx512BW.IsSupported && Vector512.IsHardwareAccelerated),
        (Int8Path.Avx2, Avx2.IsSupported),
        (Int8Path.Ssse3, Ssse3.IsSupported),
    }.Where(path => path.Item2).Select(path => path.Item1)];

    /// <summary>Kp: <paramref name="columns"/> rounded up to the padding block (64), the stored length of a row.</summary>
    public static int PaddedColumns(int columns) => (columns + Block - 1) / Block * Block;

    /// <summary>
    /// Quantises each row (R, K) of <paramref name="values"/> with its own scale (a row of zeros gets scale 0) into
    /// <paramref name="quantized"/> (R, Kp), zeros in the padding.
    /// </summary>
    public static void QuantizeRows(ReadOnlySpan<float> values, int columns, Span<sbyte> quantized, Span<float> scales) // (R, K), (R, Kp), (R)
    {
        int padded = PaddedColumns(columns);
        for (int r = 0; r < scales.Length; r++)
        {
            var row = quantized.Slice(r * padded, padded);
            scales[r] = Quantize(values.Slice(r * columns, columns), row);
            row[columns..].Clear();
        }
    }

    /// <summary>
    /// Quantises an activation vector (K) into <paramref name="quantized"/> (its first K values) with one
    /// scale, which it returns: 0 for all zeros, NaN when a value is not finite (its quantised values are then 0, and
    /// the NaN scale carries into every output). The caller keeps the padding up to Kp at zero.
    /// </summary>
    public static float QuantizeActivations(ReadOnlySpan<float> values, Span<sbyte> quantized) // (K), (K)
        => KernelSettings.Mode == KernelMode.Reference || !Vector256.IsHardwareAccelerated || values.Length < 32
            ? Quantize(values, quantized)
            : QuantizeActivations256(values, quantized);

    /// <summary>
    /// <see cref="QuantizeActivations"/> on 256-bit vectors, the same arithmetic (|v| maximum, v / s, rounding half to
    /// even, clamping) element by element; a non-finite value hands over to the scalar reference.
    /// </summary>
    private static float QuantizeActivations256(ReadOnlySpan<float> values, Span<sbyte> quantized) // (K), (K)
    {
        ref float v = ref MemoryMarshal.GetReference(values);
        int count = values.Length, vectorEnd = count - (count % 32);
        Vector256<float> largest = default, finite = Vector256<float>.AllBitsSet, highest = Vector256.Create(float.MaxValue);
        for (int k = 0; k < count - 7; k += 8)
        {
            var magnitude = Vector256.Abs(Vector256.LoadUnsafe(ref v, (nuint)k));
            largest = Avx.IsSupported ? Avx.Max(largest, magnitude) : Vector256.Max(largest, magnitude); // no NaN here to order: vmaxps
            finite &= Vector256.LessThanOrEqual(magnitude, highest); // false for NaN and ±∞
        }

        float top = 0;
        for (int k = count - (count % 8); k < count; k++)
        {
            top = float.IsFinite(values[k]) ? MathF.Max(top, MathF.Abs(values[k])) : float.NaN;
        }

        if (!Vector256.EqualsAll(finite.AsInt32(), Vector256<int>.AllBitsSet) || float.IsNaN(top)) // as integers: all bits set is a NaN as floats
        {
            return Quantize(values, quantized);
        }

        var half = Vector128.Max(largest.GetLower(), largest.GetUpper());
        top = MathF.Max(top, MathF.Max(MathF.Max(half[0], half[1]), MathF.Max(half[2], half[3])));
        if (top == 0)
        {
            quantized[..count].Clear();
            return 0;
        }

        float scale = top / Limit;
        var divisor = Vector256.Create(scale);
        Vector256<float> low = Vector256.Create(-(float)Limit), high = Vector256.Create((float)Limit);
        ref sbyte q = ref MemoryMarshal.GetReference(quantized);
        for (int k = 0; k < vectorEnd; k += 32)
        {
            Pack(Level(ref v, k, divisor, low, high), Level(ref v, k + 8, divisor, low, high),
                Level(ref v, k + 16, divisor, low, high), Level(ref v, k + 24, divisor, low, high)).StoreUnsafe(ref q, (nuint)k); // (32), in order
        }

        for (int k = vectorEnd; k < count; k++)
        {
            quantized[k] = (sbyte)Math.Clamp(MathF.Round(values[k] / scale, MidpointRounding.ToEven), -Limit, Limit);
        }

        return scale;
    }

    private static float Quantize(ReadOnlySpan<float> values, Span<sbyte> quantized) // (K), (K)
    {
        float largest = 0;
        foreach (float v in values)
        {
            largest = float.IsFinite(v) ? MathF.Max(largest, MathF.Abs(v)) : float.NaN;
            if (float.IsNaN(largest))
            {
                break;
            }
        }

        if (largest == 0 || float.IsNaN(largest))
        {
            quantized[..values.Length].Clear();
            return largest;
        }

        float scale = largest / Limit;
        for (int k = 0; k < values.Length; k++)
        {
            quantized[k] = (sbyte)Math.Clamp(MathF.Round(values[k] / scale, MidpointRounding.ToEven), -Limit, Limit);
        }

        return scale;
    }

    /// <summary>
    /// Eight quantised levels: v / s rounded half to even, clamped to [low, high], as integers. On x86 the instructions
    /// themselves (vdivps, vroundps, vmaxps, vminps, vcvtps2dq): the portable operators order NaNs and saturate the
    /// conversion, which costs several instructions each and is not needed for finite values already in range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Level(ref float values, int at, Vector256<float> scale, Vector256<float> low, Vector256<float> high)
        => Avx.IsSupported
            ? Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(Avx.RoundToNearestInteger(Avx.Divide(Vector256.LoadUnsafe(ref values, (nuint)at), scale)), low), high))
            : Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.LoadUnsafe(ref values, (nuint)at) / scale), low), high));

    /// <summary>Four vectors of levels in [−127, 127] (8 each) as 32 bytes, in order: signed packs (exact in range) and a lane fix-up on AVX2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Pack(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d)
    {
        if (!Avx2.IsSupported)
        {
            return Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d));
        }

        var bytes = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(a, b), Avx2.PackSignedSaturate(c, d)); // 128-bit lanes: a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
        return Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte();
    }

    /// <summary>output[r] = sums[r] · (rowScales[r] · vectorScale) (R): back to floats, the same arithmetic on every path.</summary>
    public static void Dequantize(ReadOnlySpan<int> sums, ReadOnlySpan<float> rowScales, float vectorScale, Span<float> output) // (R), (R), (R)
    {
        for (int r = 0; r < sums.Length; r++)
        {
            output[r] = sums[r] * (rowScales[r] * vectorScale);
        }
    }

    /// <summary>values[k] = quantized[k] · scale (K): the float numbers an int8 row stands for.</summary>
    public static void DequantizeRow(ReadOnlySpan<sbyte> quantized, float scale, Span<float> values) // (K), (K)
    {
        for (int k = 0; k < quantized.Length; k++)
        {
            values[k] = quantized[k] * scale;
        }
    }

    /// <summary>output[r] (+)= sums[r] · (rowScales[r] · vectorScale) (R): <see cref="Dequantize"/>, added to the output when <paramref name="accumulate"/>.</summary>
    public static void DequantizeInto(ReadOnlySpan<int> sums, ReadOnlySpan<float> rowScales, float vectorScale, Span<float> output, bool accumulate) // (R), (R), (R)
    {
        int r = 0;
        if (KernelSettings.Mode != KernelMode.Reference && Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(vectorScale);
            for (; r + 8 <= sums.Length; r += 8)
            {
                var value = Vector256.ConvertToSingle(Vector256.Create(sums.Slice(r, 8))) * (Vector256.Create(rowScales.Slice(r, 8)) * scale);
                (accumulate ? Vector256.Create(output.Slice(r, 8)) + value : value).CopyTo(output.Slice(r, 8));
            }
        }

        for (; r < sums.Length; r++)
        {
            float value = sums[r] * (rowScales[r] * vectorScale);
            output[r] = accumulate ? output[r] + value : value;
        }
    }
}
