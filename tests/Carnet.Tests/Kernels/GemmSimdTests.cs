// Dimension legend: M = rows of op(A) and C, N = columns of op(B) and C, K = the shared dimension; MR, NR = a
// micro-tile; KC, MC, NC = the cache blocks over K, M and N. Every matrix is stored with padding columns
// (row stride = width + 3) whose values must come through untouched.
using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>
/// The fast single-precision GEMM (every micro-kernel family, forced on this machine even where it is only
/// emulated) against the scalar reference: every transpose, accumulate on and off, strided operands, every M and
/// N up to 40, the edges of every cache block, a large product; the packed-B entry point and every thread count
/// bit for bit; NaN and infinities.
/// </summary>
public sealed class GemmSimdTests
{
    private static readonly int[] SmallDepths = [0, 1, 7, 33];

    public static TheoryData<string> Families() => new() { "Vector128", "Vector256", "Vector512" };

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void EverySmallShapeMatchesTheReference(bool transposeA, bool transposeB)
    {
        var operands = new GemmOperands(40, 40, 33, seed: 5);
        foreach (int k in SmallDepths)
        {
            for (int m = 0; m <= 40; m++)
            {
                for (int n = 0; n <= 40; n++)
                {
                    operands.Check(transposeA, transposeB, m, n, k, accumulate: (m + n + k) % 2 == 0, GemmLayout.All);
                }
            }
        }

        for (int size = 0; size <= 40; size += 3)
        {
            operands.Check(transposeA, transposeB, size, 40 - size, 33, accumulate: (size & 4) == 0, GemmLayout.All);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void ShapesAcrossEveryBlockEdgeMatchTheReference(bool transposeA, bool transposeB)
    {
        var shapes = new List<(int M, int N, int K, GemmLayout Family)>();
        foreach (var layout in GemmLayout.All)
        {
            int kc = layout.BlockDepth, mc = layout.RowBlock, nc = layout.ColumnBlock, mr = layout.TileRows, nr = layout.PanelWidth;
            shapes.AddRange([
                (mc + 1, 2 * nr + 3, kc + 1, layout), (mc - 1, nr - 1, kc - 1, layout), (mc, nr + 1, kc, layout),
                (2 * mc + mr + 1, 5, 2 * kc + 1, layout), (mr + 1, nc + 1, 9, layout), (3, nc - 1, kc + 1, layout),
                (mr - 1, nc, 2, layout), (1, nc + nr + 1, kc + 7, layout),
                (mr + 2, 5 * nr + 3, kc + 3, layout), (2 * mr + 1, 9 * nr - 2, 11, layout), // 2 and 1 rows over the tiles
            ]);
        }

        var operands = new GemmOperands(shapes.Max(s => s.M), shapes.Max(s => s.N), shapes.Max(s => s.K), seed: 6);
        foreach (var (m, n, k, family) in shapes)
        {
            operands.Check(transposeA, transposeB, m, n, k, accumulate: false, [family]);
            operands.Check(transposeA, transposeB, m, n, k, accumulate: true, [family]);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void LargeProductMatchesTheReference(bool transposeA, bool transposeB)
    {
        var operands = new GemmOperands(200, 1030, 300, seed: 7);
        operands.Check(transposeA, transposeB, 200, 1030, 300, accumulate: transposeA, [GemmLayout.Current]);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void PackedBEqualsUnpackedBitForBit(string family)
    {
        using var forced = Force(family);
        var operands = new GemmOperands(70, 300, 600, seed: 8);
        var reused = new PackedMatrix(10, 10); // too small at first: packing grows it
        foreach (var (m, n, k) in new[] { (1, 300, 600), (70, 37, 257), (13, 1, 5), (6, 33, 1), (64, 256, 64), (5, 7, 0), (0, 9, 9) })
        {
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    foreach (bool accumulate in new[] { false, true })
                    {
                        var (lda, ldb, ldc) = operands.Strides(transposeA, transposeB, m, n, k);
                        float[] unpacked = operands.Run(c => Gemm.Multiply<float>(transposeA, transposeB, operands.A, lda, operands.B, ldb, m, n, k, c, ldc, accumulate));
                        Gemm.PackB(transposeB, operands.B, ldb, k, n, reused);
                        float[] packed = operands.Run(c => Gemm.Multiply(transposeA, operands.A, lda, reused, m, c, ldc, accumulate));
                        float[] fresh = operands.Run(c => Gemm.Multiply(transposeA, operands.A, lda, Gemm.PackB(transposeB, operands.B, ldb, k, n), m, c, ldc, accumulate));
                        Assert.Equal(unpacked, packed);
                        Assert.Equal(unpacked, fresh);
                    }
                }
            }
        }
    }

    [Fact]
    public void PackedMatrixHoldsTheElementsOfOpB()
    {
        var random = new RandomSource(9);
        var b = new float[300 * 41];
        random.FillGaussian<float>(b, 0, 1);
        var plain = Gemm.PackB(false, b, 41, 300, 37); // op(B) = B (300, 37) inside rows of 41
        var transposed = Gemm.PackB(true, b, 300, 37, 41); // op(B) = Bᵀ (300, 41) of B (41, 300)
        for (int p = 0; p < 300; p++)
        {
            for (int j = 0; j < 37; j++)
            {
                Assert.Equal(b[p * 41 + j], plain[p, j]);
            }
        }

        for (int p = 0; p < 37; p++)
        {
            for (int j = 0; j < 41; j++)
            {
                Assert.Equal(b[j * 300 + p], transposed[p, j]);
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => plain[300, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => plain[0, 37]);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void EveryThreadCountGivesTheSameBits(string family)
    {
        using var forced = Force(family);
        var operands = new GemmOperands(150, 400, 300, seed: 10);
        foreach (var (m, n, k) in new[] { (150, 40, 300), (7, 400, 300), (150, 400, 33), (150, 5, 300) })
        {
            foreach (bool transposeA in new[] { false, true })
            {
                var (lda, ldb, ldc) = operands.Strides(transposeA, true, m, n, k);
                var packedB = Gemm.PackB(true, operands.B, ldb, k, n);
                float[] single = operands.Run(c => GemmSimd.Multiply(transposeA, true, operands.A, lda, operands.B, ldb, m, n, k, c, ldc, true, chunks: 1));
                foreach (int chunks in new[] { 2, 3, 5 })
                {
                    Assert.Equal(single, operands.Run(c => GemmSimd.Multiply(transposeA, true, operands.A, lda, operands.B, ldb, m, n, k, c, ldc, true, chunks)));
                    Assert.Equal(single, operands.Run(c => GemmSimd.Multiply(transposeA, operands.A, lda, packedB, m, c, ldc, true, chunks)));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void ChunksOfRowsSharingOnePackedBGiveTheSameBits(string family)
    {
        // many rows and few columns, several K blocks: the product is cut into chunks of rows, which read one
        // packing of op(B) made up front (GemmSimd.ShareB) instead of each packing it for itself
        using var forced = Force(family);
        var operands = new GemmOperands(310, 610, 610, seed: 12);
        foreach (var (m, n, k) in new[] { (310, 37, 610), (301, 3, 257), (64, 50, 513) })
        {
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    var (lda, ldb, ldc) = operands.Strides(transposeA, transposeB, m, n, k);
                    float[] single = operands.Run(c => GemmSimd.Multiply(transposeA, transposeB, operands.A, lda, operands.B, ldb, m, n, k, c, ldc, false, chunks: 1));
                    foreach (int chunks in new[] { 2, 4, 7 })
                    {
                        Assert.Equal(single, operands.Run(c => GemmSimd.Multiply(transposeA, transposeB, operands.A, lda, operands.B, ldb, m, n, k, c, ldc, false, chunks)));
                    }
                }
            }
        }
    }

    [Fact]
    public void MaximumThreadsChangesNoBit()
    {
        var operands = new GemmOperands(300, 500, 200, seed: 11);
        var (lda, ldb, ldc) = operands.Strides(false, true, 300, 500, 200);
        float[] Run(int threads)
        {
            using (KernelSettings.Use(maximumThreads: threads))
            {
                return operands.Run(c => Gemm.Multiply<float>(false, true, operands.A, lda, operands.B, ldb, 300, 500, 200, c, ldc, false));
            }
        }

        float[] one = Run(1);
        float[] two = Run(2);
        Assert.Equal(one, two);

        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.Use(maximumThreads: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.DefaultMaximumThreads = 0);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void NaNAndInfinitiesPropagateLikeTheReference(string family)
    {
        using var forced = Force(family);
        const int M = 13, K = 300;
        foreach (int n in new[] { 37, 5 }) // 5: fewer columns than a panel, computed as Cᵀ
        {
            int column9 = 9 % n, column11 = 11 % n, column20 = 20 % n;
            var random = new RandomSource(12);
            var a = new float[M * K];
            var b = new float[K * n];
            random.FillGaussian<float>(a, 0, 1);
            random.FillGaussian<float>(b, 0, 1);
            a[2 * K + 5] = float.NaN; // row 2: NaN everywhere
            a[4 * K + 7] = float.PositiveInfinity; // row 4: ±∞ by the sign of b[7, j], NaN where b[7, j] = 0
            b[7 * n + 3] = 0f;
            a[6 * K + 1] = float.PositiveInfinity; // row 6 meets −∞ in column 9 at k = 1 and +∞ at k = 280 → NaN there
            a[6 * K + 280] = float.PositiveInfinity;
            b[1 * n + column9] = float.NegativeInfinity;
            b[280 * n + column9] = float.PositiveInfinity;
            b[100 * n + column20] = float.NegativeInfinity; // column 20: −∞ times the sign of a[i, 100]
            foreach (bool accumulate in new[] { false, true })
            {
                var expected = new float[M * n];
                var actual = new float[M * n];
                expected[5 * n + column11] = actual[5 * n + column11] = float.PositiveInfinity; // stays so when accumulating
                GemmReference.Multiply<float>(false, false, a, K, b, n, M, n, K, expected, n, accumulate);
                Gemm.Multiply<float>(false, false, a, K, b, n, M, n, K, actual, n, accumulate);
                for (int i = 0; i < expected.Length; i++)
                {
                    if (float.IsNaN(expected[i]) || float.IsInfinity(expected[i]))
                    {
                        Assert.Equal(expected[i], actual[i]); // NaN equals NaN here; ∞ must match in sign
                    }
                    else
                    {
                        Assert.True(float.IsFinite(actual[i]), $"N={n} element {i}: {actual[i]}, expected {expected[i]}");
                    }
                }

                Assert.True(float.IsNaN(actual[2 * n]) && float.IsNaN(actual[4 * n + 3]) && float.IsNaN(actual[6 * n + column9]));
            }
        }
    }

    [Fact]
    public void ShortOperandsAreRejected()
    {
        var a = new float[6 * 5];
        var b = new float[5 * 4];
        var c = new float[6 * 4];
        Gemm.Multiply<float>(false, false, a, 5, b, 4, 6, 4, 5, c, 4, false);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(false, false, a, 6, b, 4, 6, 4, 5, c, 4, false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(false, true, a, 5, b, 6, 6, 4, 5, c, 4, false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(false, false, a, 5, b, 4, 6, 4, 5, c, 5, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply<float>(false, false, a, 5, b, 4, -1, 4, 5, c, 4, false));
        var packed = Gemm.PackB(false, b, 4, 5, 4);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(true, a, 7, packed, 6, c, 4, false));
    }

    private static ForcedGemmFamily Force(string family) => new(family);
}

/// <summary>
/// The reference kernels chosen by a scope (<see cref="KernelSettings.Use"/>): only the code inside it sees the choice,
/// so these tests run in parallel with the others.
/// </summary>
public sealed class GemmReferenceSwitchTests
{
    [Fact]
    public void DoubleAndTheReferenceSwitchRunTheReference()
    {
        var operands = new GemmOperands(9, 11, 300, seed: 13);
        var (lda, ldb, ldc) = operands.Strides(true, false, 9, 11, 300);
        double[] a = Array.ConvertAll(operands.A, x => (double)x), b = Array.ConvertAll(operands.B, x => (double)x);
        var expected = new double[9 * ldc];
        var actual = new double[9 * ldc];
        GemmReference.Multiply<double>(true, false, a, lda, b, ldb, 9, 11, 300, expected, ldc, false);
        Gemm.Multiply<double>(true, false, a, lda, b, ldb, 9, 11, 300, actual, ldc, false);
        Assert.Equal(expected, actual);

        float[] reference = operands.Run(c => GemmReference.Multiply<float>(true, false, operands.A, lda, operands.B, ldb, 9, 11, 300, c, ldc, true));
        float[] fast = operands.Run(c => Gemm.Multiply<float>(true, false, operands.A, lda, operands.B, ldb, 9, 11, 300, c, ldc, true));
        if (GemmLayout.Hardware is not null)
        {
            Assert.NotEqual(reference, fast); // FMA and blocked sums: not the reference's bits
        }

        Assert.Equal(reference, WithReference(() => operands.Run(c => Gemm.Multiply<float>(true, false, operands.A, lda, operands.B, ldb, 9, 11, 300, c, ldc, true))));
        var packed = Gemm.PackB(false, operands.B, ldb, 300, 11);
        Assert.Equal(reference, WithReference(() => operands.Run(c => Gemm.Multiply(true, operands.A, lda, packed, 9, c, ldc, true))));
    }

    /// <summary>Runs <paramref name="action"/> with the reference kernels forced, then restores the setting.</summary>
    private static T WithReference<T>(Func<T> action)
    {
        using (KernelSettings.Use(KernelMode.Reference))
        {
            return action();
        }
    }
}

/// <summary>
/// Tests that need the GEMM worker threads to themselves (they check that work really is shared between threads): not
/// run in parallel with any other test. Settings need no such collection: they are scoped.
/// </summary>
[CollectionDefinition(nameof(GemmWorkersCollection), DisableParallelization = true)]
public sealed class GemmWorkersCollection
{
}

/// <summary>
/// Random operands N(0, 1) large enough for every product of a test, stored with row stride width + 3, a
/// random C₀ with the same padding, and the comparison with the reference.
/// </summary>
internal sealed class GemmOperands
{
    /// <summary>
    /// Relative agreement with the reference, on the scale of the terms: |Δ| ≤ 1e-5 · (|C₀| + ‖op(A) row‖·‖op(B) column‖),
    /// the second term (Cauchy–Schwarz) bounding Σₚ |a·b| without another product.
    /// </summary>
    private const double Tolerance = 1e-5;
    private const int Padding = 3;
    private readonly float[] initial;

    public GemmOperands(int maxM, int maxN, int maxK, ulong seed)
    {
        int rows = Math.Max(maxM, maxK) + 1, width = Math.Max(Math.Max(maxM, maxN), maxK) + Padding;
        var random = new RandomSource(seed);
        A = new float[rows * width];
        B = new float[Math.Max(maxN, maxK) * width];
        initial = new float[maxM * (maxN + Padding)];
        random.FillGaussian<float>(A, 0, 1);
        random.FillGaussian<float>(B, 0, 1);
        random.FillGaussian<float>(initial, 0, 1);
    }

    public float[] A { get; }

    public float[] B { get; }

    public (int Lda, int Ldb, int Ldc) Strides(bool transposeA, bool transposeB, int m, int n, int k)
        => ((transposeA ? m : k) + Padding, (transposeB ? k : n) + Padding, n + Padding);

    /// <summary>A copy of C₀ after <paramref name="product"/> has run on it.</summary>
    public float[] Run(Action<float[]> product)
    {
        float[] c = (float[])initial.Clone();
        product(c);
        return c;
    }

    /// <summary>Checks the product in every one of <paramref name="families"/> against one run of the reference.</summary>
    public void Check(bool transposeA, bool transposeB, int m, int n, int k, bool accumulate, IEnumerable<GemmLayout> families)
    {
        var (lda, ldb, ldc) = Strides(transposeA, transposeB, m, n, k);
        float[] expected = Run(c => GemmReference.Multiply<float>(transposeA, transposeB, A, lda, B, ldb, m, n, k, c, ldc, accumulate));
        var rowNorms = new double[m];
        var columnNorms = new double[n];
        for (int p = 0; p < k; p++)
        {
            for (int i = 0; i < m; i++)
            {
                double x = transposeA ? A[p * lda + i] : A[i * lda + p];
                rowNorms[i] += x * x;
            }

            for (int j = 0; j < n; j++)
            {
                double x = transposeB ? B[j * ldb + p] : B[p * ldb + j];
                columnNorms[j] += x * x;
            }
        }

        foreach (var family in families)
        {
            GemmLayout.Force(family);
            try
            {
                float[] actual = Run(c => Gemm.Multiply<float>(transposeA, transposeB, A, lda, B, ldb, m, n, k, c, ldc, accumulate));
                for (int i = 0; i < Math.Min(initial.Length, (m + 1) * ldc); i++)
                {
                    int row = i / ldc, column = i % ldc;
                    bool inside = row < m && column < n;
                    double bound = inside
                        ? Tolerance * ((accumulate ? Math.Abs(initial[i]) : 0) + Math.Sqrt(rowNorms[row] * columnNorms[column]))
                        : 0;
                    double error = inside ? Math.Abs((double)actual[i] - expected[i]) : BitConverter.SingleToInt32Bits(actual[i]) ^ BitConverter.SingleToInt32Bits(initial[i]);
                    if (!(error <= bound))
                    {
                        Assert.Fail($"{family.Kind}: {(transposeA ? "Aᵀ" : "A")}·{(transposeB ? "Bᵀ" : "B")} M={m} N={n} K={k} accumulate={accumulate} " +
                            $"C[{row}, {column}]: got {actual[i]:R}, expected {(inside ? expected[i] : initial[i]):R} (|Δ| {error:E2} > {bound:E2})." +
                            (inside ? string.Empty : " Padding columns and the row past M must stay untouched."));
                    }
                }
            }
            finally
            {
                GemmLayout.Force(null);
            }
        }
    }
}
