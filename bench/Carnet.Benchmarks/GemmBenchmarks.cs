// Dimension legend: T = time steps, B = batch, I = input size of a layer, H = hidden size, G = gate blocks
// (4 for the LSTM, which these shapes follow; a GRU's products are the same with 3H columns instead of 4H).
// GEMM: C (M, N) = op(A) (M, K) · op(B) (K, N); FLOPs = 2·M·N·K per call.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Carnet.Kernels;

namespace Carnet.Benchmarks;

/// <summary>Which of the layers' matrix products a <see cref="GemmShape"/> is.</summary>
public enum GemmKind
{
    /// <summary>All steps' input projection: gates (T·B, G·H) += x (T·B, I) · W_ihᵀ, W_ih (G·H, I).</summary>
    InputProjection,

    /// <summary>One step's recurrent product: gates (B, G·H) += h (B, H) · W_hhᵀ, W_hh (G·H, H).</summary>
    Recurrent,

    /// <summary>A weight gradient over all steps: dW (G·H, I) += dGatesᵀ · x, dGates (T·B, G·H), x (T·B, I).</summary>
    WeightGradient,

    /// <summary>One step's hidden-state gradient in backward: dH (B, H) = dGates (B, G·H) · W_hh, W_hh (G·H, H).</summary>
    HiddenGradient,

    /// <summary>The input gradient over all steps: dX (T·B, I) += dGates (T·B, G·H) · W_ih, W_ih (G·H, I).</summary>
    InputGradient,
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

    /// <summary>Whether A is stored transposed, (K, M): the weight gradients.</summary>
    public bool TransposeA => Kind == GemmKind.WeightGradient;

    /// <summary>Whether B is stored transposed, (N, K): the products with Wᵀ.</summary>
    public bool TransposeB => Kind is GemmKind.InputProjection or GemmKind.Recurrent;

    /// <summary>Whether the layers accumulate into C for this product.</summary>
    public bool Accumulate => Kind != GemmKind.HiddenGradient;

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>A and B filled with uniform values in [−1, 1), C cleared: (M, K) or (K, M), (K, N) or (N, K), (M, N).</summary>
    internal (float[] A, float[] B, float[] C) Operands(ulong seed)
    {
        var random = new RandomSource(seed);
        var a = new float[M * K];
        var b = new float[N * K];
        random.FillUniform<float>(a, -1, 1);
        random.FillUniform<float>(b, -1, 1);
        return (a, b, new float[M * N]);
    }

    /// <summary>One call of the product through the fast <see cref="Gemm"/>, with the strides of packed storage.</summary>
    internal void Multiply(float[] a, float[] b, float[] c)
        => Gemm.Multiply<float>(TransposeA, TransposeB, a, TransposeA ? M : K, b, TransposeB ? K : N, M, N, K, c, N, Accumulate);
}

/// <summary>
/// The matrix products of the recurrent layers at the reference shapes, one call per invocation of the fast
/// (SIMD, multi-threaded) single-precision GEMM, through the entry points the layers call. Every product of S1,
/// S2 and S4 is here, and the recurrent, input-projection and weight-gradient products of S3 and S5.
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
    /// S1 I=2 H=64 B=32 T=100 · S2 I=256 H=256 B=64 T=50 · S3 I=512 H=512 B=64 T=50 · S4 I=128 H=256 B=1 T=100 ·
    /// S5 I=64 H=512 B=32 T=128.
    /// </summary>
    public static IEnumerable<GemmShape> Shapes =>
    [
        new("S1.input.l0", GemmKind.InputProjection, 3200, 256, 2), // [3.3]
        new("S1.input.l1", GemmKind.InputProjection, 3200, 256, 64), // [104.9]
        new("S1.recurrent", GemmKind.Recurrent, 32, 256, 64), // [1.05]
        new("S1.wgrad.l0", GemmKind.WeightGradient, 256, 2, 3200), // [3.3]
        new("S1.wgrad.l1", GemmKind.WeightGradient, 256, 64, 3200), // [104.9]
        new("S1.dhidden", GemmKind.HiddenGradient, 32, 64, 256), // [1.05]
        new("S1.dinput.l0", GemmKind.InputGradient, 3200, 2, 256), // [3.3]
        new("S2.input", GemmKind.InputProjection, 3200, 1024, 256), // [1677.7]
        new("S2.recurrent", GemmKind.Recurrent, 64, 1024, 256), // [33.6]
        new("S2.wgrad", GemmKind.WeightGradient, 1024, 256, 3200), // [1677.7]
        new("S2.dhidden", GemmKind.HiddenGradient, 64, 256, 1024), // [33.6]
        new("S3.input", GemmKind.InputProjection, 3200, 2048, 512), // [6710.9]
        new("S3.recurrent", GemmKind.Recurrent, 64, 2048, 512), // [134.2]
        new("S3.wgrad", GemmKind.WeightGradient, 2048, 512, 3200), // [6710.9]
        new("S4.input.l0", GemmKind.InputProjection, 100, 1024, 128), // [26.2]
        new("S4.input.l1", GemmKind.InputProjection, 100, 1024, 256), // [52.4]
        new("S4.recurrent", GemmKind.Recurrent, 1, 1024, 256), // [0.52]
        new("S4.wgrad.l0", GemmKind.WeightGradient, 1024, 128, 100), // [26.2]
        new("S4.wgrad.l1", GemmKind.WeightGradient, 1024, 256, 100), // [52.4]
        new("S4.dhidden", GemmKind.HiddenGradient, 1, 256, 1024), // [0.52]
        new("S5.input.l0", GemmKind.InputProjection, 4096, 2048, 64), // [1073.7]
        new("S5.input.l1", GemmKind.InputProjection, 4096, 2048, 512), // [8589.9]
        new("S5.recurrent", GemmKind.Recurrent, 32, 2048, 512), // [67.1]
        new("S5.wgrad.l0", GemmKind.WeightGradient, 2048, 64, 4096), // [1073.7]
    ];

    /// <summary>Fills A and B with uniform values in [−1, 1) and clears C.</summary>
    [GlobalSetup]
    public void Setup() => (a, b, c) = Shape.Operands(42);

    /// <summary>One product, accumulating into C where the layers do.</summary>
    [Benchmark]
    public float Multiply()
    {
        Shape.Multiply(a, b, c);
        return c[^1];
    }

    /// <summary>Adds the FLOP count and GFLOP/s columns.</summary>
    public sealed class Config : ManualConfig
    {
        /// <summary>Creates the configuration.</summary>
        public Config()
        {
            AddColumn(RateColumn.Flops(FlopsOf, showCount: true), RateColumn.Flops(FlopsOf));
        }

        private static double FlopsOf(BenchmarkDotNet.Running.BenchmarkCase benchmarkCase)
            => RateColumn.ParameterOf(benchmarkCase, nameof(Shape)) is GemmShape shape ? shape.Flops : 0;
    }
}

/// <summary>
/// The per-step products with the weights packed once beforehand (<see cref="PackedMatrix"/>), as a layer packs
/// W_hh once per forward or backward call and reuses it every step; and the cost of that packing.
/// </summary>
[Config(typeof(Config))]
public class GemmPackedBenchmarks
{
    private float[] a = [];
    private float[] b = [];
    private float[] c = [];
    private readonly PackedMatrix packed = new();

    /// <summary>The shape under test.</summary>
    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = Shapes.First();

    /// <summary>The per-step shapes of <see cref="GemmBenchmarks"/>: recurrent products and hidden-state gradients.</summary>
    public static IEnumerable<GemmShape> Shapes
        => GemmBenchmarks.Shapes.Where(s => s.Kind is GemmKind.Recurrent or GemmKind.HiddenGradient);

    /// <summary>Fills the operands and packs B.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (a, b, c) = Shape.Operands(42);
        Pack();
    }

    /// <summary>One product with the packed B.</summary>
    [Benchmark]
    public float MultiplyPacked()
    {
        Gemm.Multiply(Shape.TransposeA, a, Shape.TransposeA ? Shape.M : Shape.K, packed, Shape.M, c, Shape.N, Shape.Accumulate);
        return c[^1];
    }

    /// <summary>Packing op(B) (K, N) into the reused buffer: paid once per layer call.</summary>
    [Benchmark]
    public int Pack()
    {
        Gemm.PackB(Shape.TransposeB, b, Shape.TransposeB ? Shape.K : Shape.N, Shape.K, Shape.N, packed);
        return packed.Columns;
    }

    /// <summary>Adds the FLOP count and GFLOP/s columns (for the products, not the packing).</summary>
    public sealed class Config : ManualConfig
    {
        /// <summary>Creates the configuration.</summary>
        public Config()
        {
            AddColumn(RateColumn.Flops(FlopsOf, showCount: true), RateColumn.Flops(FlopsOf));
        }

        private static double FlopsOf(BenchmarkDotNet.Running.BenchmarkCase benchmarkCase)
            => benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(MultiplyPacked)
                && RateColumn.ParameterOf(benchmarkCase, nameof(Shape)) is GemmShape shape ? shape.Flops : 0;
    }
}

/// <summary>
/// The scalar reference against the fast path on one shape (S1's recurrent step, 32 × 256 × 64, the product
/// called most often), both single precision, through the same arguments: the Ratio column is the speed-up.
/// </summary>
[Config(typeof(GemmBenchmarks.Config))]
public class GemmReferenceComparison
{
    private float[] a = [];
    private float[] b = [];
    private float[] c = [];

    /// <summary>The shape: S1's recurrent step.</summary>
    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = Shapes.First();

    /// <summary>The one shape compared.</summary>
    public static IEnumerable<GemmShape> Shapes => GemmBenchmarks.Shapes.Where(s => s.Name == "S1.recurrent");

    /// <summary>Fills the operands.</summary>
    [GlobalSetup]
    public void Setup() => (a, b, c) = Shape.Operands(42);

    /// <summary>The scalar reference (<see cref="GemmReference"/>).</summary>
    [Benchmark(Baseline = true)]
    public float Reference()
    {
        var s = Shape;
        GemmReference.Multiply<float>(false, true, a, s.K, b, s.K, s.M, s.N, s.K, c, s.N, accumulate: true);
        return c[^1];
    }

    /// <summary>The fast path (<see cref="Gemm"/>, dispatching to the SIMD kernel).</summary>
    [Benchmark]
    public float Fast()
    {
        Shape.Multiply(a, b, c);
        return c[^1];
    }
}

/// <summary>
/// A square 2048 × 2048 × 2048 product (17.2 GFLOP) on one and on two threads: the SGEMM ceiling of
/// ANCHORS.md, to compare with the machine's FMA peak.
/// </summary>
[Config(typeof(Config))]
public class GemmSquareBenchmarks
{
    private const int Size = 2048;
    private float[] a = [];
    private float[] b = [];
    private float[] c = [];

    /// <summary>Threads the product may use (<see cref="KernelSettings.MaximumThreads"/>).</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    /// <summary>Fills A and B, and sets the thread count for this process.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (a, b, c) = new GemmShape("square", GemmKind.InputProjection, Size, Size, Size).Operands(42);
        KernelSettings.DefaultMaximumThreads = Threads;
    }

    /// <summary>C = A · B, all three (2048, 2048).</summary>
    [Benchmark]
    public float Multiply()
    {
        Gemm.Multiply<float>(false, false, a, Size, b, Size, Size, Size, Size, c, Size, accumulate: false);
        return c[^1];
    }

    /// <summary>Adds the FLOP count and GFLOP/s columns.</summary>
    public sealed class Config : ManualConfig
    {
        /// <summary>Creates the configuration.</summary>
        public Config()
        {
            AddColumn(RateColumn.Flops(_ => 2.0 * Size * Size * Size, showCount: true), RateColumn.Flops(_ => 2.0 * Size * Size * Size));
        }
    }
}
