// Dimension legend: M = rows of the left operand (the batch at one step), K = shared dimension, N = output columns
// (the weight matrix's rows).
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// A float weight matrix W (N, K) kept as int8 rows with one scale each, multiplied from the left by float rows that
/// are quantised as they come (dynamic quantisation, as PyTorch's <c>quantize_dynamic</c>): C (M, N) (+)= A (M, K) · Wᵀ.
/// A row of C does not depend on which columns are computed with it, so any slicing by columns gives the same numbers.
/// </summary>
internal sealed class QuantizedRows
{
    private readonly sbyte[] weights; // (N, Kp): each row padded with zeros to Kp (a multiple of 64)
    private readonly float[] scales; // (N)
    private readonly int[] rowSums; // (N): Σ_k of each int8 row, for the AVX-VNNI products
    private readonly int k, padded;

    /// <summary>Quantises <paramref name="matrix"/> (N, K) row by row.</summary>
    public QuantizedRows(ReadOnlySpan<float> matrix, int k, int n) // (N, K)
    {
        (this.k, padded) = (k, Int8Kernels.PaddedColumns(k));
        weights = new sbyte[n * padded];
        scales = new float[n];
        Int8Kernels.QuantizeRows(matrix[..(n * k)], k, weights, scales);
        rowSums = new int[n];
        Int8Kernels.RowSums(weights, padded, rowSums);
    }

    /// <summary>Takes rows already quantised (as a model file holds them): <paramref name="rows"/> (N, K), <paramref name="scales"/> (N).</summary>
    public QuantizedRows(ReadOnlySpan<sbyte> rows, float[] scales, int k)
    {
        if (rows.Length != scales.Length * k)
        {
            throw new ArgumentException($"{rows.Length} int8 weights are not {scales.Length} rows of {k}.", nameof(rows));
        }

        (this.k, padded, this.scales) = (k, Int8Kernels.PaddedColumns(k), scales);
        weights = new sbyte[scales.Length * padded];
        for (int r = 0; r < scales.Length; r++)
        {
            rows.Slice(r * k, k).CopyTo(weights.AsSpan(r * padded));
        }

        rowSums = new int[scales.Length];
        Int8Kernels.RowSums(weights, padded, rowSums);
    }

    /// <summary>One scale per row (N): row r stands for <c>Weights[r] · Scales[r]</c>.</summary>
    public ReadOnlySpan<float> Scales => scales;

    /// <summary>The int8 rows (N, K) as a model file stores them, without the padding.</summary>
    public sbyte[] Weights()
    {
        var rows = new sbyte[scales.Length * k];
        for (int r = 0; r < scales.Length; r++)
        {
            weights.AsSpan(r * padded, k).CopyTo(rows.AsSpan(r * k));
        }

        return rows;
    }

    /// <summary>Writes the float matrix the rows stand for, w = q · scale, into <paramref name="matrix"/> (N, K).</summary>
    public void Dequantize(Span<float> matrix)
    {
        for (int r = 0; r < scales.Length; r++)
        {
            Int8Kernels.DequantizeRow(weights.AsSpan(r * padded, k), scales[r], matrix.Slice(r * k, k));
        }
    }

    /// <summary>For each start s, columns [s, s + count) of C (M, N) (+)= A (M, K) · Wᵀ; rows of C are <paramref name="ldc"/> apart.</summary>
    public void Multiply(ReadOnlySpan<float> a, int m, Span<float> c, int ldc, bool accumulate, ReadOnlySpan<int> columnStarts, int columnCount)
    {
        Span<sbyte> row = Scratch.Row(padded); // (Kp)
        Span<int> sums = Scratch.Sums(columnCount); // (count)
        row[k..].Clear(); // the padding: zeros
        for (int i = 0; i < m; i++)
        {
            float rowScale = Int8Kernels.QuantizeActivations(a.Slice(i * k, k), row);
            foreach (int start in columnStarts)
            {
                Int8Kernels.DotRows(weights.AsSpan(start * padded, columnCount * padded), padded, row, rowSums.AsSpan(start, columnCount), sums);
                Int8Kernels.DequantizeInto(sums, scales.AsSpan(start, columnCount), rowScale, c.Slice((i * ldc) + start, columnCount), accumulate);
            }
        }
    }

    /// <summary>C (M, N) (+)= A (M, K) · Wᵀ, every column.</summary>
    public void Multiply(ReadOnlySpan<float> a, int m, Span<float> c, bool accumulate) => Multiply(a, m, c, scales.Length, accumulate, [0], scales.Length);
}

/// <summary>Each thread's buffers for the quantised activation row and the int32 sums: grown when needed, never allocated per product.</summary>
internal static class Scratch
{
    [ThreadStatic]
    private static sbyte[]? row;

    [ThreadStatic]
    private static int[]? sums;

    /// <summary>A row of <paramref name="padded"/> int8 values, holding whatever the thread's last product left.</summary>
    public static Span<sbyte> Row(int padded)
    {
        if (row is null || row.Length < padded)
        {
            row = new sbyte[Math.Max(padded, 2 * (row?.Length ?? 0))];
        }

        return row.AsSpan(0, padded);
    }

    /// <summary>Room for <paramref name="count"/> int32 sums.</summary>
    public static Span<int> Sums(int count)
    {
        if (sums is null || sums.Length < count)
        {
            sums = new int[Math.Max(count, 2 * (sums?.Length ?? 0))];
        }

        return sums.AsSpan(0, count);
    }
}
