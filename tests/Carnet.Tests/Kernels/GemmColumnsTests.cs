// Dimension legend: M = rows of A and C, K = the shared dimension, N = columns of the packed B and of C; NR = the
// packed panel width (the column alignment), KC = the K block depth, MC = the row block. A is stored (M, K) with row
// stride K + 3 and C (M, N) with row stride N + 5, so the padding of both must come through untouched.
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Tests.Kernels;

/// <summary>
/// <see cref="Gemm.MultiplyColumns"/>: several column ranges of a packed product on one thread, in every kernel family
/// (forced), bit for bit the same columns as the whole <see cref="Gemm.Multiply(bool, ReadOnlySpan{float}, int, PackedMatrix, int, Span{float}, int, bool)"/>
/// and every other element of C untouched; across K and M blocks; K = 0; starts that are not on a panel rejected; the
/// scalar reference's twin; and <see cref="WeightOperand{T}.MultiplyColumns"/> for float (packed) and double (not).
/// </summary>
public sealed class GemmColumnsTests
{
    public static TheoryData<string> Families() => new() { "Vector128", "Vector256", "Vector512" };

    [Theory]
    [MemberData(nameof(Families))]
    public void ColumnRangesEqualTheWholeProductBitForBit(string family)
    {
        var layout = Layout(family);
        GemmLayout.Force(layout);
        try
        {
            int nr = layout.PanelWidth, kc = layout.BlockDepth, mc = layout.RowBlock;
            foreach (var (m, k) in new[] { (1, 37), (2, 5), (5, 1), (7, kc), (13, kc + 1), (6, 2 * kc + 9), (mc + 7, 61), (33, 300) })
            {
                // gate-like: G blocks of H = 3·NR + 5 columns is not aligned, so H = 3·NR; slices of one, two and three panels
                int hidden = 3 * nr;
                var gates = new ColumnCase(m, k, 4 * hidden, seed: (ulong)(100 + m + k));
                foreach (bool accumulate in new[] { false, true })
                {
                    foreach (var (u0, count) in new[] { (0, nr), (nr, nr), (2 * nr, nr), (0, 2 * nr), (nr, 2 * nr), (0, hidden), (nr, 5), (2 * nr, nr - 1) })
                    {
                        gates.Check([u0, hidden + u0, 2 * hidden + u0, 3 * hidden + u0], count, accumulate);
                        gates.Check([hidden + u0], count, accumulate);
                    }
                }

                // a width that is not a whole number of panels: the last range ends inside the padded panel
                int n = 5 * nr + 3;
                var ragged = new ColumnCase(m, k, n, seed: (ulong)(200 + m + k));
                foreach (bool accumulate in new[] { false, true })
                {
                    ragged.Check([0], n, accumulate);
                    ragged.Check([4 * nr], nr + 3, accumulate);
                    ragged.Check([nr, 3 * nr], nr + 1, accumulate);
                    ragged.Check([2 * nr, 0, 4 * nr], 3, accumulate); // any order
                    ragged.Check([nr], 0, accumulate); // nothing
                    ragged.Check([], nr, accumulate); // nothing
                }
            }
        }
        finally
        {
            GemmLayout.Force(null);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void RangesWiderThanAColumnBlockEqualTheWholeProduct(string family)
    {
        var layout = Layout(family);
        GemmLayout.Force(layout);
        try
        {
            int nr = layout.PanelWidth, nc = layout.ColumnBlock;
            var wide = new ColumnCase(3, 20, nc + 3 * nr + 7, seed: 300);
            wide.Check([0], nc + 3 * nr + 7, accumulate: false);
            wide.Check([nr, nc], 2 * nr + 7, accumulate: true);
            wide.Check([nc - nr], 2 * nr, accumulate: false); // across the NC edge of the whole product
        }
        finally
        {
            GemmLayout.Force(null);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void ZeroDepthClearsOnlyTheRangesUnlessAccumulating(string family)
    {
        var layout = Layout(family);
        GemmLayout.Force(layout);
        try
        {
            int nr = layout.PanelWidth;
            var empty = new ColumnCase(4, 0, 3 * nr + 2, seed: 301);
            empty.Check([0, 2 * nr], nr, accumulate: false);
            empty.Check([nr], 2 * nr + 2, accumulate: true);
            float[] cleared = empty.Columns([nr], 4, accumulate: false);
            Assert.Equal(0f, cleared[2 * empty.Ldc + nr + 3]); // inside: C = 0
            Assert.NotEqual(0f, cleared[2 * empty.Ldc + nr + 4]); // beside: untouched
        }
        finally
        {
            GemmLayout.Force(null);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void StartsOffAPanelAndRangesOutsideBAreRejected(string family)
    {
        var layout = Layout(family);
        GemmLayout.Force(layout);
        try
        {
            int nr = layout.PanelWidth;
            var operands = new ColumnCase(3, 9, 4 * nr, seed: 302);
            Assert.Equal(nr, Gemm.ColumnAlignment(operands.Packed));
            float[] c = (float[])operands.Initial.Clone();
            Assert.Throws<ArgumentException>(() => Gemm.MultiplyColumns(operands.A, operands.Lda, operands.Packed, 3, [1], 2, c, operands.Ldc, false));
            Assert.Throws<ArgumentException>(() => Gemm.MultiplyColumns(operands.A, operands.Lda, operands.Packed, 3, [0, nr + nr / 2], 2, c, operands.Ldc, false));
            Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyColumns(operands.A, operands.Lda, operands.Packed, 3, [-nr], 2, c, operands.Ldc, false));
            Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyColumns(operands.A, operands.Lda, operands.Packed, 3, [3 * nr], nr + 1, c, operands.Ldc, false));
            Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyColumns(operands.A, operands.Lda, operands.Packed, 3, [0], -1, c, operands.Ldc, false));
            Assert.Throws<ArgumentException>(() => Gemm.MultiplyColumns(operands.A.AsSpan(0, 2 * operands.Lda), operands.Lda, operands.Packed, 3, [0], 2, c, operands.Ldc, false));
            Assert.Throws<ArgumentException>(() => Gemm.MultiplyColumns(operands.A, operands.Lda, operands.Packed, 3, [0], 2, c.AsSpan(0, 2 * operands.Ldc), operands.Ldc, false));
            Assert.Equal(operands.Initial, c); // nothing was written by a rejected call
        }
        finally
        {
            GemmLayout.Force(null);
        }
    }

    [Fact]
    public void TheReferenceTwinEqualsTheWholeReferenceProduct()
    {
        var operands = new ColumnCase(11, 300, 70, seed: 303);
        foreach (bool accumulate in new[] { false, true })
        {
            float[] whole = operands.Run(c => GemmReference.Multiply(false, operands.A, operands.Lda, operands.Packed, 11, c, operands.Ldc, accumulate));
            foreach (var (start, count) in new[] { (0, 70), (3, 17), (69, 1), (16, 0) }) // the reference needs no alignment
            {
                float[] part = operands.Run(c => GemmReference.MultiplyColumns(operands.A, operands.Lda, operands.Packed, 11, start, count, c, operands.Ldc, accumulate));
                operands.AssertColumns(whole, part, [start], count, $"reference, start {start}, count {count}, accumulate {accumulate}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WeightOperandColumnsEqualItsWholeProduct(bool transposeB)
    {
        const int M = 7, K = 41, Hidden = 64, N = 3 * Hidden; // GRU-like: three gate blocks of 64 units
        var random = new RandomSource(304);
        float[] a = new float[M * K], b = new float[K * N], c0 = new float[M * N];
        random.FillGaussian<float>(a, 0, 1);
        random.FillGaussian<float>(b, 0, 1);
        random.FillGaussian<float>(c0, 0, 1);
        int ldb = transposeB ? K : N;
        using var single = WeightOperand<float>.Create(transposeB, b, ldb, K, N);
        using var wide = WeightOperand<double>.Create(transposeB, Array.ConvertAll(b, x => (double)x), ldb, K, N);
        Assert.Equal(1, wide.ColumnAlignment);
        int alignment = single.ColumnAlignment;
        Assert.Equal(0, Hidden % alignment);
        foreach (bool accumulate in new[] { false, true })
        {
            CheckOperand(single, a, c0, accumulate, alignment, alignment);
            CheckOperand(wide, Array.ConvertAll(a, x => (double)x), Array.ConvertAll(c0, x => (double)x), accumulate, 5, 11); // double: any start
        }

        void CheckOperand<T>(WeightOperand<T> operand, T[] left, T[] initial, bool accumulate, int unitStart, int unitCount)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            T[] whole = (T[])initial.Clone();
            operand.Multiply(left, M, whole, N, accumulate);
            T[] part = (T[])initial.Clone();
            int[] starts = [unitStart, Hidden + unitStart, 2 * Hidden + unitStart];
            operand.MultiplyColumns(left, M, part, N, accumulate, starts, unitCount);
            for (int i = 0; i < M; i++)
            {
                for (int j = 0; j < N; j++)
                {
                    bool inside = starts.Any(s => j >= s && j < s + unitCount);
                    Assert.True((inside ? whole : initial)[i * N + j] == part[i * N + j],
                        $"{typeof(T).Name} transposeB={transposeB} accumulate={accumulate} C[{i}, {j}] {(inside ? "inside" : "outside")} the ranges");
                }
            }
        }
    }

    private static GemmLayout Layout(string family) => ForcedGemmFamily.LayoutOf(family);
}

/// <summary>
/// A reference-kernel scope makes <see cref="Gemm.MultiplyColumns"/> run the reference twin.
/// </summary>
public sealed class GemmColumnsReferenceSwitchTests
{
    [Fact]
    public void TheReferenceSwitchRunsTheReferenceColumns()
    {
        int nr = GemmLayout.Current.PanelWidth;
        var operands = new ColumnCase(9, 270, 4 * nr + 3, seed: 305);
        int[] starts = [0, 2 * nr, 3 * nr];
        float[] expected = operands.Run(c =>
        {
            foreach (int start in starts)
            {
                GemmReference.MultiplyColumns(operands.A, operands.Lda, operands.Packed, 9, start, nr - 3, c, operands.Ldc, true);
            }
        });
        float[] fast = operands.Columns(starts, nr - 3, accumulate: true);
        float[] viaSwitch;
        using (KernelSettings.Use(KernelMode.Reference))
        {
            viaSwitch = operands.Columns(starts, nr - 3, accumulate: true);
            Assert.Throws<ArgumentException>(() => operands.Columns([1], 2, accumulate: false)); // still checked
        }

        Assert.Equal(expected, viaSwitch);
        if (GemmLayout.Hardware is not null)
        {
            Assert.NotEqual(expected, fast); // FMA and K blocks of 256: not the reference's bits
        }
    }
}

/// <summary>Random A (M, K), B (K, N) packed in this thread's layout, and C₀, with padded row strides.</summary>
internal sealed class ColumnCase
{
    private readonly int m;

    public ColumnCase(int m, int k, int n, ulong seed)
    {
        this.m = m;
        N = n;
        Lda = k + 3;
        Ldc = n + 5;
        var random = new RandomSource(seed);
        A = new float[Math.Max(1, m * Lda)];
        var b = new float[k * n];
        Initial = new float[m * Ldc];
        random.FillGaussian<float>(A, 0, 1);
        random.FillGaussian<float>(b, 0, 1);
        random.FillGaussian<float>(Initial, 0, 1);
        Packed = Gemm.PackB(false, b, n, k, n);
    }

    public float[] A { get; }

    public PackedMatrix Packed { get; }

    public float[] Initial { get; }

    public int N { get; }

    public int Lda { get; }

    public int Ldc { get; }

    /// <summary>A copy of C₀ after <paramref name="product"/> has run on it.</summary>
    public float[] Run(Action<float[]> product)
    {
        float[] c = (float[])Initial.Clone();
        product(c);
        return c;
    }

    /// <summary>C₀ after <see cref="Gemm.MultiplyColumns"/> of the given ranges.</summary>
    public float[] Columns(int[] starts, int count, bool accumulate)
        => Run(c => Gemm.MultiplyColumns(A, Lda, Packed, m, starts, count, c, Ldc, accumulate));

    /// <summary>Checks the ranges against the whole packed product: the same bits inside, C₀ outside.</summary>
    public void Check(int[] starts, int count, bool accumulate)
    {
        float[] whole = Run(c => Gemm.Multiply(false, A, Lda, Packed, m, c, Ldc, accumulate));
        float[] part = Columns(starts, count, accumulate);
        AssertColumns(whole, part, starts, count,
            $"{Packed.Layout.Kind} M={m} K={Packed.Rows} N={N} starts [{string.Join(", ", starts)}] count {count} accumulate {accumulate}");
    }

    public void AssertColumns(float[] whole, float[] part, int[] starts, int count, string what)
    {
        for (int i = 0; i < part.Length; i++)
        {
            int row = i / Ldc, column = i % Ldc;
            bool inside = row < m && starts.Any(s => column >= s && column < s + count);
            float expected = inside ? whole[i] : Initial[i];
            if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(part[i]))
            {
                Assert.Fail($"{what}: C[{row}, {column}] ({(inside ? "inside" : "outside")} the ranges) is {part[i]:R}, expected {expected:R}.");
            }
        }
    }
}
