// Dimension legend: R = rows of the weight matrix (outputs), K = its columns (inputs, the shared dimension), Kp = K
// rounded up to a multiple of 64 (rows and vectors are stored padded with zeros to Kp).
// Symmetric int8 quantisation as PyTorch's dynamic quantisation: q = round_half_even(v / s) clamped to [−127, 127]
// with s = max|v| / 127, one scale per weight row (fixed) and one per activation vector (at each step). Products are
// summed in int32, which is exact, so every SIMD width gives the scalar reference's sums bit for bit. The SIMD paths
// multiply |a| (unsigned) by w·sign(a) with (v)pmaddubsw, whose pairs are at most 2 · 127 · 127 < 2^15 and so never
// saturate, then widen the pairs to int32 with (v)pmaddwd by 1: Σ |a|·w·sign(a) = Σ w·a. |Σ w·a| ≤ 127 · 127 · K stays
// below 2^31 for K up to 2^17.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Carnet.Kernels;

/// <summary>Int8 quantisation and int8 matrix–vector products with int32 sums: a scalar reference and 128-, 256- and 512-bit paths.</summary>
internal static class Int8Kernels
{
    /// <summary>The largest quantised magnitude: weights and activations lie in [−127, 127].</summary>
    public const int Limit = 127;

    /// <summary>The most columns a product takes: beyond, an int32 sum of 127 × 127 terms could overflow.</summary>
    public const int MaximumColumns = 1 << 17;

    private const int Block = 64; // rows and vectors are padded with zeros to a multiple of this

    /// <summary>The widest SIMD path this processor runs: 512, 256, 128, or 0 for the scalar reference only.</summary>
    public static int WidestPath { get; } =
        Avx512BW.IsSupported && Vector512.IsHardwareAccelerated ? 512 : Avx2.IsSupported ? 256 : Ssse3.IsSupported ? 128 : 0;

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
            largest = Vector256.Max(largest, magnitude);
            finite &= Vector256.LessThanOrEqual(magnitude, highest); // false for NaN and ±∞
        }

        float top = 0;
        for (int k = count - (count % 8); k < count; k++)
        {
            top = float.IsFinite(values[k]) ? MathF.Max(top, MathF.Abs(values[k])) : float.NaN;
        }

        if (finite != Vector256<float>.AllBitsSet || float.IsNaN(top))
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
            var first = Vector256.Narrow(Level(ref v, k, divisor, low, high), Level(ref v, k + 8, divisor, low, high)); // (16)
            var second = Vector256.Narrow(Level(ref v, k + 16, divisor, low, high), Level(ref v, k + 24, divisor, low, high));
            Vector256.Narrow(first, second).StoreUnsafe(ref q, (nuint)k); // (32), in order
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

    /// <summary>Eight quantised levels: v / s rounded half to even, clamped to [low, high], as integers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Level(ref float values, int at, Vector256<float> scale, Vector256<float> low, Vector256<float> high)
        => Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.LoadUnsafe(ref values, (nuint)at) / scale), low), high));

    /// <summary>sums[r] = Σ_k weights[r, k] · vector[k], (R, Kp) · (Kp) → (R), on the widest path this processor runs.</summary>
    public static void DotRows(ReadOnlySpan<sbyte> weights, int paddedColumns, ReadOnlySpan<sbyte> vector, Span<int> sums)
        => DotRows(weights, paddedColumns, vector, sums, KernelSettings.Mode == KernelMode.Reference ? 0 : WidestPath);

    /// <summary><see cref="DotRows(ReadOnlySpan{sbyte}, int, ReadOnlySpan{sbyte}, Span{int})"/> on the path of <paramref name="width"/> bits (0: the scalar reference).</summary>
    internal static void DotRows(ReadOnlySpan<sbyte> weights, int paddedColumns, ReadOnlySpan<sbyte> vector, Span<int> sums, int width)
    {
        if ((uint)paddedColumns > MaximumColumns || paddedColumns % Block != 0 || vector.Length < paddedColumns || weights.Length < sums.Length * paddedColumns)
        {
            throw new ArgumentException(
                $"int8 product of {sums.Length} rows of {paddedColumns} columns (a multiple of {Block}): the vector holds {vector.Length}, the weights {weights.Length}");
        }

        int r = 0;
        if (width == 256)
        {
            for (; r + 8 <= sums.Length; r += 8)
            {
                Dot256x8(weights.Slice(r * paddedColumns, 8 * paddedColumns), paddedColumns, vector, sums.Slice(r, 8));
            }
        }

        if (width == 512)
        {
            for (; r + 4 <= sums.Length; r += 4)
            {
                Dot512x4(weights.Slice(r * paddedColumns, 4 * paddedColumns), paddedColumns, vector, sums.Slice(r, 4));
            }
        }

        for (; r < sums.Length; r++)
        {
            var row = weights.Slice(r * paddedColumns, paddedColumns);
            sums[r] = width switch
            {
                512 or 256 => Dot256(row, vector), // the wide paths' last rows (fewer than four)
                128 => Dot128(row, vector),
                _ => DotReference(row, vector),
            };
        }
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

    /// <summary>The scalar reference: one product and one add per term.</summary>
    private static int DotReference(ReadOnlySpan<sbyte> row, ReadOnlySpan<sbyte> vector)
    {
        int sum = 0;
        for (int k = 0; k < row.Length; k++)
        {
            sum += row[k] * vector[k];
        }

        return sum;
    }

    // Each SIMD path multiplies |a| (unsigned) by w·sign(a) in pairs into int16 ((v)pmaddubsw: at most 2 · 127 · 127, no
    // saturation), and pairs of those into int32 ((v)pmaddwd by 1). AVX-512 has no vpsignb: w·sign(a) is (w ^ m) − m
    // with m all ones where a < 0 (where a = 0, |a| = 0 whatever the weight).

    /// <summary>Four rows at once on the 512-bit path, |a| and the sign mask of each vector chunk used four times.</summary>
    private static void Dot512x4(ReadOnlySpan<sbyte> rows, int columns, ReadOnlySpan<sbyte> vector, Span<int> sums) // (4, Kp), (Kp), (4)
    {
        ref sbyte w = ref MemoryMarshal.GetReference(rows), x = ref MemoryMarshal.GetReference(vector);
        Vector512<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
        var ones = Vector512.Create((short)1);
        nuint stride = (nuint)columns;
        for (nuint k = 0; k < stride; k += (nuint)Vector512<sbyte>.Count)
        {
            var a = Vector512.LoadUnsafe(ref x, k);
            var magnitude = Vector512.Abs(a).AsByte();
            var negative = Vector512.LessThan(a, Vector512<sbyte>.Zero);
            sum0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(magnitude, Signed(Vector512.LoadUnsafe(ref w, k), negative)), ones);
            sum1 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(magnitude, Signed(Vector512.LoadUnsafe(ref w, stride + k), negative)), ones);
            sum2 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(magnitude, Signed(Vector512.LoadUnsafe(ref w, (2 * stride) + k), negative)), ones);
            sum3 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(magnitude, Signed(Vector512.LoadUnsafe(ref w, (3 * stride) + k), negative)), ones);
        }

        Reduce4(sum0.GetLower() + sum0.GetUpper(), sum1.GetLower() + sum1.GetUpper(), sum2.GetLower() + sum2.GetUpper(), sum3.GetLower() + sum3.GetUpper())
            .CopyTo(sums);
    }

    /// <summary>w where the mask is 0, −w where it is all ones: (w ^ m) − m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Signed(Vector512<sbyte> weights, Vector512<sbyte> negative) => (weights ^ negative) - negative;

    /// <summary>Eight rows at once on the 256-bit path (vpsignb applies a's sign to the weights): |a| loaded and taken once for eight rows.</summary>
    private static void Dot256x8(ReadOnlySpan<sbyte> rows, int columns, ReadOnlySpan<sbyte> vector, Span<int> sums) // (8, Kp), (Kp), (8)
    {
        ref sbyte w = ref MemoryMarshal.GetReference(rows), x = ref MemoryMarshal.GetReference(vector);
        Vector256<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default, sum4 = default, sum5 = default, sum6 = default, sum7 = default;
        var ones = Vector256.Create((short)1);
        nuint stride = (nuint)columns;
        for (nuint k = 0; k < stride; k += (nuint)Vector256<sbyte>.Count)
        {
            var a = Vector256.LoadUnsafe(ref x, k);
            var magnitude = Avx2.Abs(a);
            sum0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(Vector256.LoadUnsafe(ref w, k), a)), ones);
            sum1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(Vector256.LoadUnsafe(ref w, stride + k), a)), ones);
            sum2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(Vector256.LoadUnsafe(ref w, (2 * stride) + k), a)), ones);
            sum3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(Vector256.LoadUnsafe(ref w, (3 * stride) + k), a)), ones);
            sum4 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(Vector256.LoadUnsafe(ref w, (4 * stride) + k), a)), ones);
            sum5 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(Vector256.LoadUnsafe(ref w, (5 * stride) + k), a)), ones);
            sum6 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(Vector256.LoadUnsafe(ref w, (6 * stride) + k), a)), ones);
            sum7 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(Vector256.LoadUnsafe(ref w, (7 * stride) + k), a)), ones);
        }

        Reduce4(sum0, sum1, sum2, sum3).CopyTo(sums);
        Reduce4(sum4, sum5, sum6, sum7).CopyTo(sums[4..]);
    }

    /// <summary>The four sums of four vectors at once: [Σ a, Σ b, Σ c, Σ d], by pairwise horizontal adds (integer sums: any order is exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Reduce4(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d)
    {
        var pairs = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a, b), Avx2.HorizontalAdd(c, d)); // [a, b, c, d] of each 128-bit half
        return pairs.GetLower() + pairs.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Dot256(ReadOnlySpan<sbyte> row, ReadOnlySpan<sbyte> vector)
    {
        ref sbyte w = ref MemoryMarshal.GetReference(row), x = ref MemoryMarshal.GetReference(vector);
        var sum = Vector256<int>.Zero;
        var ones = Vector256.Create((short)1);
        for (nuint k = 0; k < (nuint)row.Length; k += (nuint)Vector256<sbyte>.Count)
        {
            var a = Vector256.LoadUnsafe(ref x, k);
            sum += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(a), Avx2.Sign(Vector256.LoadUnsafe(ref w, k), a)), ones);
        }

        return Vector256.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Dot128(ReadOnlySpan<sbyte> row, ReadOnlySpan<sbyte> vector)
    {
        ref sbyte w = ref MemoryMarshal.GetReference(row), x = ref MemoryMarshal.GetReference(vector);
        var sum = Vector128<int>.Zero;
        var ones = Vector128.Create((short)1);
        for (nuint k = 0; k < (nuint)row.Length; k += (nuint)Vector128<sbyte>.Count)
        {
            var a = Vector128.LoadUnsafe(ref x, k);
            sum += Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(Ssse3.Abs(a), Ssse3.Sign(Vector128.LoadUnsafe(ref w, k), a)), ones);
        }

        return Vector128.Sum(sum);
    }
}
