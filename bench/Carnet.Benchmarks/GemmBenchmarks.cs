// Dimension legend: T = time steps, B = batch, I = input size of a layer, H = hidden size, G = gate blocks
// (4 for the LSTM, which these shapes follow; a GRU's products are the same with 3H columns instead of 4H).
// GEMM: C (M, N) = op(A) (M, K) · op(B) (K, N); FLOPs = 2·M·N·K per call.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Carnet.Kernels;

namespace Carnet.Benchmarks;

/// <summary>Which of the layers' three matrix products a <see cref="GemmShape"/> is.</summary>
public enum GemmKind
{
    /// <summary>All steps' input projection: gates (T·B, G·H) += x (T·B, I) · W_ihᵀ, W_ih (G·H, I).</summary>
    InputProjection,

    /// <summary>One step's recurrent product: gates (B, G·H) += h (B, H) · W_hhᵀ, W_hh (G·H, H).</summary>
    Recurrent,

    /// <summary>A weight gradient over all steps: dW (G·H, I) += dGatesᵀ · x, dGates (T·B, G·H), x (T·B, I).</summary>
    WeightGradient,
}

/// <summary>A named GEMM shape from one of the reference shapes S1–S5 of /work/shared/reference/ANCHORS.md.</summary>
public sealed class GemmShape
{
    /// <summary>Creates a shape.</summary>
    public GemmShape(string name, GemmKind kind, int m, int n, int k)
    {
        Name = name;
        Kind = kind;
        M = m;
        N = n;
        K = k;
    }

    /// <summary>The name shown in the summary and matched by --filter, e.g. <c>S1.input.l0</c>.</summary>
    public string Name { get; }

    /// <summary>Which product this is, and so which <see cref="Gemm"/> entry point it calls.</summary>
    public GemmKind Kind { get; }

    /// <summary>Rows of C.</summary>
    public int M { get; }

    /// <summary>Columns of C.</summary>
    public int N { get; }

    /// <summary>The summed dimension.</summary>
    public int K { get; }

    /// <summary>Floating-point operations per call: one multiply and one add per (i, j, p).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// The matrix products of the recurrent layers at the reference shapes, one call per invocation.
/// S1 and S4 are complete (both layers' input projections and weight gradients; a layer-1 weight gradient
/// also has the shape of the W_hh gradient). For S2, S3 and S5 only the per-step recurrent product and the
/// S5 input projection are here, as the scalar reference GEMM needs seconds for their larger products.
/// </summary>
[Config(typeof(Config))]
public class GemmBenchmarks
{
    private float[] a = [];
    private float[] b = [];
    private float[] c = [];

    /// <summary>The shape under test.</summary>
    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = Shapes.First();

    /// <summary>
    /// The shapes, LSTM (G = 4). MFLOP per call in brackets.
    /// S1 I=2 H=64 B=32 T=100 · S2 I=256 H=256 B=64 · S3 I=512 H=512 B=64 · S4 I=128 H=256 B=1 T=100 ·
    /// S5 I=64 H=512 B=32 T=128.
    /// </summary>
    public static IEnumerable<GemmShape> Shapes =>
    [
        new("S1.input.l0", GemmKind.InputProjection, 3200, 256, 2), // [3.3]
        new("S1.input.l1", GemmKind.InputProjection, 3200, 256, 64), // [104.9]
        new("S1.recurrent", GemmKind.Recurrent, 32, 256, 64), // [1.05]
        new("S1.wgrad.l0", GemmKind.WeightGradient, 256, 2, 3200), // [3.3]
        new("S1.wgrad.l1", GemmKind.WeightGradient, 256, 64, 3200), // [104.9]
        new("S2.recurrent", GemmKind.Recurrent, 64, 1024, 256), // [33.6]
        new("S3.recurrent", GemmKind.Recurrent, 64, 2048, 512), // [134.2]
        new("S4.input.l0", GemmKind.InputProjection, 100, 1024, 128), // [26.2]
        new("S4.input.l1", GemmKind.InputProjection, 100, 1024, 256), // [52.4]
        new("S4.recurrent", GemmKind.Recurrent, 1, 1024, 256), // [0.52]
        new("S4.wgrad.l0", GemmKind.WeightGradient, 1024, 128, 100), // [26.2]
        new("S4.wgrad.l1", GemmKind.WeightGradient, 1024, 256, 100), // [52.4]
        new("S5.input.l0", GemmKind.InputProjection, 4096, 2048, 64), // [1073.7]
        new("S5.recurrent", GemmKind.Recurrent, 32, 2048, 512), // [67.1]
    ];

    /// <summary>Fills A and B with uniform values in [−1, 1) and clears C.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new RandomSource(42);
        a = new float[Shape.M * Shape.K]; // (M, K), or (K, M) for a weight gradient
        b = new float[Shape.N * Shape.K]; // (N, K), or (K, N) for a weight gradient
        c = new float[Shape.M * Shape.N]; // (M, N)
        random.FillUniform<float>(a, -1, 1);
        random.FillUniform<float>(b, -1, 1);
    }

    /// <summary>One product, accumulating into C as the layers do.</summary>
    [Benchmark]
    public float Multiply()
    {
        var s = Shape;
        if (s.Kind == GemmKind.WeightGradient)
        {
            Gemm.AccumulateTransposedA<float>(a, b, s.M, s.N, s.K, c);
        }
        else
        {
            Gemm.MultiplyTransposedB<float>(a, b, s.M, s.N, s.K, c, accumulate: true);
        }

        return c[^1];
    }

    /// <summary>Adds the FLOP count and GFLOP/s columns.</summary>
    public sealed class Config : ManualConfig
    {
        /// <summary>Creates the configuration.</summary>
        public Config()
        {
            AddColumn(new GflopsColumn(FlopsOf, showCount: true), new GflopsColumn(FlopsOf));
        }

        private static double FlopsOf(BenchmarkDotNet.Running.BenchmarkCase benchmarkCase)
            => GflopsColumn.ParameterOf(benchmarkCase, nameof(Shape)) is GemmShape shape ? shape.Flops : 0;
    }
}
