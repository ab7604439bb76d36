// Dimension legend: R = rows of the weight matrix (outputs), Kp = its columns padded with zeros to a multiple of 64.
// The int8 matrix–vector products sums (R) = W (R, Kp) · a (Kp) in int32: the scalar reference and the SIMD paths,
// which all give the reference's sums bit for bit (see Int8Kernels.cs for the arithmetic of each path).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Carnet.Kernels;

/// <summary>The instruction paths of the int8 products.</summary>
internal enum Int8Path
{
    /// <summary>The scalar reference: one product and one add per term.</summary>
    Reference,

    /// <summary>128-bit SSSE3: pmaddubsw and pmaddwd.</summary>
    Ssse3,

    /// <summary>256-bit AVX2: vpmaddubsw and vpmaddwd, eight rows at a time.</summary>
    Avx2,

    /// <summary>512-bit AVX-512BW: vpmaddubsw and vpmaddwd, four rows at a time.</summary>
    Avx512,

    /// <summary>256-bit AVX-VNNI: vpdpbusd, four bytes multiplied and added into int32 in one instruction, eight rows at a time.</summary>
    AvxVnni,
}

internal static partial class Int8Kernels
{
    /// <summary>rowSums[r] = Σ_k weights[r, k] (R): what the AVX-VNNI path takes back off its sums (128 · Σ w).</summary>
    public static void RowSums(ReadOnlySpan<sbyte> weights, int paddedColumns, Span<int> rowSums) // (R, Kp), (R)
    {
        for (int r = 0; r < rowSums.Length; r++)
        {
            int sum = 0;
            foreach (sbyte w in weights.Slice(r * paddedColumns, paddedColumns))
            {
                sum += w;
            }

            rowSums[r] = sum;
        }
    }

    /// <summary>
    /// sums[r] = Σ_k weights[r, k] · vector[k], (R, Kp) · (Kp) → (R), on the fastest path this processor runs;
    /// <paramref name="rowSums"/> (R) are the rows' sums (<see cref="RowSums"/>).
    /// </summary>
    public static void DotRows(ReadOnlySpan<sbyte> weights, int paddedColumns, ReadOnlySpan<sbyte> vector, ReadOnlySpan<int> rowSums, Span<int> sums)
        => DotRows(weights, paddedColumns, vector, rowSums, sums, KernelSettings.Mode == KernelMode.Reference ? Int8Path.Reference : FastestPath);

    /// <summary><see cref="DotRows(ReadOnlySpan{sbyte}, int, ReadOnlySpan{sbyte}, ReadOnlySpan{int}, Span{int})"/> on <paramref name="path"/>.</summary>
    internal static void DotRows(ReadOnlySpan<sbyte> weights, int paddedColumns, ReadOnlySpan<sbyte> vector, ReadOnlySpan<int> rowSums, Span<int> sums, Int8Path path)
    {
        if ((uint)paddedColumns > MaximumColumns || paddedColumns % Block != 0 || vector.Length < paddedColumns
            || weights.Length < sums.Length * paddedColumns || rowSums.Length < sums.Length)
        {
            throw new ArgumentException($"int8 product of {sums.Length} rows of {paddedColumns} columns (a multiple of {Block}): " +
                $"the vector holds {vector.Length}, the weights {weights.Length}, the row sums {rowSums.Length}");
        }

        int r = 0, rows = path == Int8Path.Avx512 ? 4 : 8;
        if (path is Int8Path.AvxVnni or Int8Path.Avx2 or Int8Path.Avx512)
        {
            for (; r + rows <= sums.Length; r += rows)
            {
                var block = weights.Slice(r * paddedColumns, rows * paddedColumns);
                switch (path)
                {
                    case Int8Path.AvxVnni: DotVnni8(block, paddedColumns, vector, rowSums.Slice(r, 8), sums.Slice(r, 8)); break;
                    case Int8Path.Avx2: Dot256x8(block, paddedColumns, vector, sums.Slice(r, 8)); break;
                    default: Dot512x4(block, paddedColumns, vector, sums.Slice(r, 4)); break;
                }
            }
        }

        for (; r < sums.Length; r++)
        {
            var row = weights.Slice(r * paddedColumns, paddedColumns);
            sums[r] = path switch
            {
                Int8Path.AvxVnni => DotVnni(row, vector, rowSums[r]), // the last rows (fewer than a block)
                Int8Path.Avx512 or Int8Path.Avx2 => Dot256(row, vector),
                Int8Path.Ssse3 => Dot128(row, vector),
                _ => DotReference(row, vector),
            };
        }
    }

    /// <summary>Eight rows at once with vpdpbusd: a + 128 formed once a chunk for the eight rows, then 128 · Σ w taken off each sum.</summary>
    private static void DotVnni8(ReadOnlySpan<sbyte> rows, int columns, ReadOnlySpan<sbyte> vector, ReadOnlySpan<int> rowSums, Span<int> sums) // (8, Kp), (Kp), (8), (8)
    {
        ref sbyte w = ref MemoryMarshal.GetReference(rows), x = ref MemoryMarshal.GetReference(vector);
        Vector256<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default, sum4 = default, sum5 = default, sum6 = default, sum7 = default;
        var flip = Vector256.Create((byte)0x80);
        nuint stride = (nuint)columns;
        for (nuint k = 0; k < stride; k += (nuint)Vector256<sbyte>.Count)
        {
            var a = Vector256.LoadUnsafe(ref x, k).AsByte() ^ flip; // a + 128, unsigned
            sum0 = AvxVnni.MultiplyWideningAndAdd(sum0, a, Vector256.LoadUnsafe(ref w, k));
            sum1 = AvxVnni.MultiplyWideningAndAdd(sum1, a, Vector256.LoadUnsafe(ref w, stride + k));
            sum2 = AvxVnni.MultiplyWideningAndAdd(sum2, a, Vector256.LoadUnsafe(ref w, (2 * stride) + k));
            sum3 = AvxVnni.MultiplyWideningAndAdd(sum3, a, Vector256.LoadUnsafe(ref w, (3 * stride) + k));
            sum4 = AvxVnni.MultiplyWideningAndAdd(sum4, a, Vector256.LoadUnsafe(ref w, (4 * stride) + k));
            sum5 = AvxVnni.MultiplyWideningAndAdd(sum5, a, Vector256.LoadUnsafe(ref w, (5 * stride) + k));
            sum6 = AvxVnni.MultiplyWideningAndAdd(sum6, a, Vector256.LoadUnsafe(ref w, (6 * stride) + k));
            sum7 = AvxVnni.MultiplyWideningAndAdd(sum7, a, Vector256.LoadUnsafe(ref w, (7 * stride) + k));
        }

        (Reduce4(sum0, sum1, sum2, sum3) - (Vector128.Create(rowSums) << 7)).CopyTo(sums);
        (Reduce4(sum4, sum5, sum6, sum7) - (Vector128.Create(rowSums[4..]) << 7)).CopyTo(sums[4..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DotVnni(ReadOnlySpan<sbyte> row, ReadOnlySpan<sbyte> vector, int rowSum)
    {
        ref sbyte w = ref MemoryMarshal.GetReference(row), x = ref MemoryMarshal.GetReference(vector);
        var sum = Vector256<int>.Zero;
        var flip = Vector256.Create((byte)0x80);
        for (nuint k = 0; k < (nuint)row.Length; k += (nuint)Vector256<sbyte>.Count)
        {
            sum = AvxVnni.MultiplyWideningAndAdd(sum, Vector256.LoadUnsafe(ref x, k).AsByte() ^ flip, Vector256.LoadUnsafe(ref w, k));
        }

        return Vector256.Sum(sum) - (rowSum << 7);
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

    // The AVX2, AVX-512 and SSSE3 paths multiply |a| (unsigned) by w·sign(a) in pairs into int16 ((v)pmaddubsw: at most 2 · 127 · 127, no
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
