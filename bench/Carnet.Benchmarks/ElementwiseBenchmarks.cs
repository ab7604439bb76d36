// Dimension legend: rows = T·B (every step of a batch), width = 4H (an LSTM's four gate blocks).
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Carnet.Kernels;

namespace Carnet.Benchmarks;

/// <summary>
/// The row-wise helpers the recurrent layers run on a whole sequence's gates, the scalar reference against the
/// SIMD kernel (bit-identical results): <see cref="Elementwise.BroadcastRows{T}"/> writing both biases into a
/// (T·B, 4H) buffer before the input projection, and <see cref="Elementwise.AccumulateColumnSums{T}(ReadOnlySpan{T}, int, int, Span{T})"/> summing
/// a (T·B, 4H) gradient into a bias gradient. The shape is T·B = 50·64 = 3200 rows of 4H = 2048 (H = 512):
/// 26 MB, far beyond the caches, so both are bound by memory bandwidth. Each category pairs the two (the
/// reference is the baseline of its Ratio).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class ElementwiseBenchmarks
{
    private float[] biasIh = []; // (4H)
    private float[] biasHh = []; // (4H)
    private float[] gates = []; // (T·B, 4H): the broadcast's output, and the column sums' input
    private float[] sums = []; // (4H): the bias gradient

    /// <summary>T·B.</summary>
    [Params(3200)]
    public int Rows { get; set; }

    /// <summary>4H.</summary>
    [Params(2048)]
    public int Width { get; set; }

    /// <summary>Draws the biases and a gradient-like (T·B, 4H) buffer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new RandomSource(7);
        biasIh = new float[Width];
        biasHh = new float[Width];
        gates = new float[Rows * Width];
        sums = new float[Width];
        random.FillUniform<float>(biasIh, -0.1, 0.1);
        random.FillUniform<float>(biasHh, -0.1, 0.1);
        random.FillUniform<float>(gates, -1, 1);
    }

    /// <summary>Bias broadcast, reference: every row = b_ih + b_hh.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("BroadcastRows")]
    public float BroadcastRowsReference()
    {
        Elementwise.BroadcastRowsReference<float>(biasIh, biasHh, Rows, Width, gates);
        return gates[^1];
    }

    /// <summary>Bias broadcast, SIMD.</summary>
    [Benchmark]
    [BenchmarkCategory("BroadcastRows")]
    public float BroadcastRowsSimd()
    {
        ElementwiseSimd.BroadcastRows<float>(biasIh, biasHh, Rows, Width, gates);
        return gates[^1];
    }

    /// <summary>Bias gradient, reference: sums += the column sums, rows in ascending order.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("AccumulateColumnSums")]
    public float AccumulateColumnSumsReference()
    {
        Elementwise.AccumulateColumnSumsReference<float>(gates, Rows, Width, sums);
        return sums[^1];
    }

    /// <summary>Bias gradient, SIMD.</summary>
    [Benchmark]
    [BenchmarkCategory("AccumulateColumnSums")]
    public float AccumulateColumnSumsSimd()
    {
        ElementwiseSimd.AccumulateColumnSums<float>(gates, Rows, Width, Width, sums, default);
        return sums[^1];
    }
}
