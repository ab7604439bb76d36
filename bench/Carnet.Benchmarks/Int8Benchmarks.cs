// Dimension legend: R = weight rows (4H of an LSTM layer), K = the shared dimension (a layer's I + P: x and h side by side).
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Carnet.Kernels;

namespace Carnet.Benchmarks;

/// <summary>
/// One streaming step's product of an LSTM layer of the S4 shape (H = 256, B = 1), on one thread: gates (R) = W (R, K) · [x; h] (K),
/// in float through the fast GEMM with the weights packed once (as <c>RecurrentStream</c> runs it), against int8 weights with
/// the vector quantised at the step (<see cref="Int8Kernels"/>: quantise, int32 sums on the widest path and on the scalar
/// reference, dequantise). Layer 0 of S4 reads K = 128 + 256, layer 1 K = 256 + 256. The float weights are 4 bytes a value,
/// the int8 weights 1 byte plus one float scale a row.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class Int8Benchmarks
{
    private const int Rows = 1024;
    private float[] vector = [], output = [], rowScales = [];
    private sbyte[] quantizedWeights = [], quantizedVector = [];
    private int[] sums = [], rowSums = [];
    private PackedMatrix packed = null!;

    /// <summary>K.</summary>
    [Params(384, 512)]
    public int Columns { get; set; }

    /// <summary>Draws the weights (N(0, 0.05)) and the vector (uniform in [−1, 1)), packs and quantises the weights.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new RandomSource(5);
        var weights = new float[Rows * Columns];
        random.FillGaussian<float>(weights, 0, 0.05);
        vector = new float[Columns];
        random.FillUniform<float>(vector, -1, 1);
        output = new float[Rows];
        packed = Gemm.PackB(transposeB: true, weights, Columns, Columns, Rows);
        quantizedWeights = new sbyte[Rows * Columns]; // 384 and 512 need no padding
        rowScales = new float[Rows];
        Int8Kernels.QuantizeRows(weights, Columns, quantizedWeights, rowScales);
        rowSums = new int[Rows];
        Int8Kernels.RowSums(quantizedWeights, Columns, rowSums);
        quantizedVector = new sbyte[Columns];
        sums = new int[Rows];
    }

    /// <summary>Float: (1, K) · Wᵀ with W packed, one thread.</summary>
    [Benchmark(Baseline = true)]
    public void Float()
    {
        using (KernelSettings.Use(maximumThreads: 1))
        {
            Gemm.Multiply(transposeA: false, vector, Columns, packed, 1, output, Rows, accumulate: false);
        }
    }

    /// <summary>The int8 paths this processor runs, fastest first, and the scalar reference.</summary>
    public static IEnumerable<string> Paths => Int8Kernels.Paths.Append(Int8Path.Reference).Select(path => path.ToString());

    /// <summary>The int8 product's instruction path (an <c>Int8Path</c> name: the enum is internal to the library).</summary>
    [ParamsSource(nameof(Paths))]
    public string Path { get; set; } = "";

    /// <summary>Int8 on <see cref="Path"/>: quantise the vector, int32 sums, back to floats.</summary>
    [Benchmark]
    public void Int8()
    {
        float scale = Int8Kernels.QuantizeActivations(vector, quantizedVector);
        Int8Kernels.DotRows(quantizedWeights, Columns, quantizedVector, rowSums, sums, Enum.Parse<Int8Path>(Path));
        Int8Kernels.Dequantize(sums, rowScales, scale, output);
    }
}
