// Dimension legend: M = rows of the left operand (the batch at one step), K = shared dimension, N = output columns
// (the weight matrix's rows).
using System.Buffers;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// A float weight matrix W (N, K) kept as int8 rows with one scale each, multiplied from the left by float rows that
/// are quantised as they come (dynamic quantisation, as PyTorch's <c>quantize_dynamic</c>): C (M, N) (+)= A (M, K) · Wᵀ.
/// A row of C does not depend on which columns are computed with it, so any slicing by columns gives the same numbers.
/// </summary>
internal sealed class QuantizedRows
{
    private const int StackBytes = 16 * 1024;
    private readonly sbyte[] weights; // (N, K)
    private readonly float[] scales; // (N)
    private readonly int k;

    /// <summary>Quantises <paramref name="matrix"/> (N, K) row by row.</summary>
    public QuantizedRows(ReadOnlySpan<float> matrix, int k, int n) // (N, K)
    {
        this.k = k;
        weights = new sbyte[n * k];
        scales = new float[n];
        Int8Kernels.QuantizeRows(matrix[..(n * k)], k, weights, scales);
    }

    /// <summary>Takes rows already quantised (as a model file holds them): <paramref name="weights"/> (N, K), <paramref name="scales"/> (N).</summary>
    public QuantizedRows(sbyte[] weights, float[] scales, int k)
    {
        if (weights.Length != scales.Length * k)
        {
            throw new ArgumentException($"{weights.Length} int8 weights are not {scales.Length} rows of {k}.", nameof(weights));
        }

        (this.weights, this.scales, this.k) = (weights, scales, k);
    }

    /// <summary>The int8 rows (N, K).</summary>
    public ReadOnlySpan<sbyte> Weights => weights;

    /// <summary>One scale per row (N): row r stands for <c>Weights[r] · Scales[r]</c>.</summary>
    public ReadOnlySpan<float> Scales => scales;

    /// <summary>Writes the float matrix the rows stand for, w = q · scale, into <paramref name="matrix"/> (N, K).</summary>
    public void Dequantize(Span<float> matrix)
    {
        for (int r = 0; r < scales.Length; r++)
        {
            Int8Kernels.DequantizeRow(weights.AsSpan(r * k, k), scales[r], matrix.Slice(r * k, k));
        }
    }

    /// <summary>For each start s, columns [s, s + count) of C (M, N) (+)= A (M, K) · Wᵀ; rows of C are <paramref name="ldc"/> apart.</summary>
    public void Multiply(ReadOnlySpan<float> a, int m, Span<float> c, int ldc, bool accumulate, ReadOnlySpan<int> columnStarts, int columnCount)
    {
        sbyte[]? rentedRow = k > StackBytes ? ArrayPool<sbyte>.Shared.Rent(k) : null;
        int[]? rentedSums = columnCount * sizeof(int) > StackBytes ? ArrayPool<int>.Shared.Rent(columnCount) : null;
        Span<sbyte> row = rentedRow is null ? stackalloc sbyte[k] : rentedRow.AsSpan(0, k); // (K)
        Span<int> sums = rentedSums is null ? stackalloc int[columnCount] : rentedSums.AsSpan(0, columnCount); // (count)
        for (int i = 0; i < m; i++)
        {
            float rowScale = Int8Kernels.Quantize(a.Slice(i * k, k), row);
            foreach (int start in columnStarts)
            {
                Int8Kernels.DotRows(weights.AsSpan(start * k, columnCount * k), k, row, sums);
                Int8Kernels.DequantizeInto(sums, scales.AsSpan(start, columnCount), rowScale, c.Slice((i * ldc) + start, columnCount), accumulate);
            }
        }

        if (rentedRow is not null)
        {
            ArrayPool<sbyte>.Shared.Return(rentedRow);
        }

        if (rentedSums is not null)
        {
            ArrayPool<int>.Shared.Return(rentedSums);
        }
    }

    /// <summary>C (M, N) (+)= A (M, K) · Wᵀ, every column.</summary>
    public void Multiply(ReadOnlySpan<float> a, int m, Span<float> c, bool accumulate) => Multiply(a, m, c, scales.Length, accumulate, [0], scales.Length);
}
