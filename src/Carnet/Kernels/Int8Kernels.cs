// Dimension legend: R = rows of the weight matrix (outputs), K = its columns (inputs, the shared dimension).
// Symmetric int8 quantisation as PyTorch's dynamic quantisation: q = round_half_even(v / s) clamped to [−127, 127]
// with s = max|v| / 127, one scale per weight row (fixed) and one per activation vector (at each step). Products are
// int8 × int8 summed in int32, which is exact (|q| ≤ 127, so K up to 2^17 cannot overflow): every SIMD width gives
// the scalar reference's sums bit for bit.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Carnet.Kernels;

/// <summary>Int8 quantisation and int8 matrix–vector products with int32 sums: a scalar reference and 128-, 256- and 512-bit paths.</summary>
internal static class Int8Kernels
{
    /// <summary>The largest quantised magnitude: the range is symmetric, [−127, 127].</summary>
    public const int Limit = 127;

    /// <summary>The most columns a product takes: beyond, an int32 sum of 127 × 127 terms could overflow.</summary>
    public const int MaximumColumns = 1 << 17;

    /// <summary>The widest SIMD path this processor runs: 512, 256, 128, or 0 for the scalar reference only.</summary>
    public static int WidestPath { get; } =
        Avx512BW.IsSupported && Vector512.IsHardwareAccelerated ? 512 : Avx2.IsSupported ? 256 : Sse2.IsSupported ? 128 : 0;

    /// <summary>Quantises each row (R, K) of <paramref name="values"/> with its own scale; a row of zeros gets scale 0.</summary>
    public static void QuantizeRows(ReadOnlySpan<float> values, int columns, Span<sbyte> quantized, Span<float> scales) // (R, K), (R, K), (R)
    {
        for (int r = 0; r < scales.Length; r++)
        {
            scales[r] = Quantize(values.Slice(r * columns, columns), quantized.Slice(r * columns, columns));
        }
    }

    /// <summary>
    /// Quantises <paramref name="values"/> (K) with one scale, which it returns: 0 for all zeros, NaN when a value is
    /// not finite (its quantised values are then 0, and the NaN scale carries into every output).
    /// </summary>
    public static float Quantize(ReadOnlySpan<float> values, Span<sbyte> quantized) // (K), (K)
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

    /// <summary>sums[r] = Σ_k weights[r, k] · vector[k] (R, K) · (K) → (R), on the widest path this processor runs.</summary>
    public static void DotRows(ReadOnlySpan<sbyte> weights, int columns, ReadOnlySpan<sbyte> vector, Span<int> sums)
        => DotRows(weights, columns, vector, sums, KernelSettings.Mode == KernelMode.Reference ? 0 : WidestPath);

    /// <summary><see cref="DotRows(ReadOnlySpan{sbyte}, int, ReadOnlySpan{sbyte}, Span{int})"/> on the path of <paramref name="width"/> bits (0: the scalar reference).</summary>
    internal static void DotRows(ReadOnlySpan<sbyte> weights, int columns, ReadOnlySpan<sbyte> vector, Span<int> sums, int width)
    {
        if ((uint)columns > MaximumColumns || vector.Length < columns || weights.Length < sums.Length * columns)
        {
            throw new ArgumentException($"int8 product of {sums.Length} rows of {columns} columns: the vector holds {vector.Length}, the weights {weights.Length}");
        }

        int r = 0;
        if (width == 512)
        {
            for (; r + 4 <= sums.Length; r += 4)
            {
                Dot512x4(weights.Slice(r * columns, 4 * columns), columns, vector, sums.Slice(r, 4));
            }
        }

        for (; r < sums.Length; r++)
        {
            var row = weights.Slice(r * columns, columns);
            sums[r] = width switch
            {
                512 or 256 => Dot256(row, vector), // the 512-bit path's last rows (fewer than four)
                128 => Dot128(row, vector),
                _ => DotReference(row, vector, 0),
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
        for (int r = 0; r < sums.Length; r++)
        {
            float value = sums[r] * (rowScales[r] * vectorScale);
            output[r] = accumulate ? output[r] + value : value;
        }
    }

    /// <summary>The scalar reference: one product and one add per term, from <paramref name="start"/> (the SIMD paths' tail).</summary>
    private static int DotReference(ReadOnlySpan<sbyte> row, ReadOnlySpan<sbyte> vector, int start)
    {
        int sum = 0;
        for (int k = start; k < row.Length; k++)
        {
            sum += row[k] * vector[k];
        }

        return sum;
    }

    // Each path widens 2·n int8 values to int16 and multiplies adjacent pairs into n int32 sums (pmaddwd): exact.
    /// <summary>Four rows at once on the 512-bit path, each widened vector chunk used four times.</summary>
    private static void Dot512x4(ReadOnlySpan<sbyte> rows, int columns, ReadOnlySpan<sbyte> vector, Span<int> sums) // (4, K), (K), (4)
    {
        ref sbyte w = ref MemoryMarshal.GetReference(rows), x = ref MemoryMarshal.GetReference(vector);
        Vector512<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
        nuint stride = (nuint)columns;
        int k = 0;
        for (; k + Vector256<sbyte>.Count <= columns; k += Vector256<sbyte>.Count)
        {
            var wideX = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref x, (nuint)k));
            sum0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref w, (nuint)k)), wideX);
            sum1 += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref w, stride + (nuint)k)), wideX);
            sum2 += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref w, (2 * stride) + (nuint)k)), wideX);
            sum3 += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref w, (3 * stride) + (nuint)k)), wideX);
        }

        sums[0] = Vector512.Sum(sum0) + DotReference(rows[..columns], vector, k);
        sums[1] = Vector512.Sum(sum1) + DotReference(rows.Slice(columns, columns), vector, k);
        sums[2] = Vector512.Sum(sum2) + DotReference(rows.Slice(2 * columns, columns), vector, k);
        sums[3] = Vector512.Sum(sum3) + DotReference(rows.Slice(3 * columns, columns), vector, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Dot256(ReadOnlySpan<sbyte> row, ReadOnlySpan<sbyte> vector)
    {
        ref sbyte w = ref MemoryMarshal.GetReference(row), x = ref MemoryMarshal.GetReference(vector);
        var sum = Vector256<int>.Zero;
        int k = 0;
        for (; k + Vector128<sbyte>.Count <= row.Length; k += Vector128<sbyte>.Count)
        {
            var wide = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref w, (nuint)k));
            sum += Avx2.MultiplyAddAdjacent(wide, Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref x, (nuint)k)));
        }

        return Vector256.Sum(sum) + DotReference(row, vector, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Dot128(ReadOnlySpan<sbyte> row, ReadOnlySpan<sbyte> vector)
    {
        ref sbyte w = ref MemoryMarshal.GetReference(row), x = ref MemoryMarshal.GetReference(vector);
        var sum = Vector128<int>.Zero;
        int k = 0;
        for (; k + Vector128<sbyte>.Count <= row.Length; k += Vector128<sbyte>.Count)
        {
            var (wLow, wHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref w, (nuint)k));
            var (xLow, xHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref x, (nuint)k));
            sum += Sse2.MultiplyAddAdjacent(wLow, xLow) + Sse2.MultiplyAddAdjacent(wHigh, xHigh);
        }

        return Vector128.Sum(sum) + DotReference(row, vector, k);
    }
}
