// Dimension legend: M = rows of A and C, K = the shared dimension, N = columns of the packed B and of C; NR = the
// packed panel width, KC = the K block depth, MC = the row block. A is stored (M, K) with row stride K + 3 and C (M, N)
// with row stride N + 5 (ColumnCase), so the padding of C must come through untouched.
using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Tests.Layers;

namespace Carnet.Tests.Kernels;

/// <summary>
/// The products that add a bias row as they store their first K block (<see cref="Gemm.MultiplyPlusBias"/>, and
/// <see cref="Gemm.MultiplyColumns"/> given a bias): in every kernel family (forced), bit for bit what the layers did
/// before, the bias broadcast into C and then the product accumulated onto it, with one bias or the sum of two; full
/// tiles, ragged panels (the scratch path), the one- and two-row edge tiles, several K and M blocks, K = 0, every chunk
/// count; the reference switch; and <see cref="WeightOperand{T}"/> in float (packed), double and int8.
/// </summary>
public sealed class GemmBiasTests
{
    public static TheoryData<string> Families() => new() { "Vector128", "Vector256", "Vector512" };

    [Theory]
    [MemberData(nameof(Families))]
    public void TheWholeProductPlusBiasEqualsTheBiasBroadcastThenAccumulated(string family)
    {
        using var forced = new ForcedGemmFamily(family);
        int nr = forced.Layout.PanelWidth, kc = forced.Layout.BlockDepth, mc = forced.Layout.RowBlock;
        foreach (var (m, k, n) in new[] { (1, 37, 4 * nr), (2, 5, 5 * nr + 3), (9, 1, nr), (10, kc, 3 * nr + 1), (13, kc + 1, 2 * nr), (mc + 7, 2 * kc + 9, 3), (33, 0, nr + 2) })
        {
            var operands = new ColumnCase(m, k, n, seed: (ulong)(400 + m + k + n));
            var (bias, second) = Biases(n, seed: (ulong)(500 + n));
            foreach (bool two in new[] { false, true })
            {
                float[] expected = operands.Run(c => BroadcastThenAccumulate(operands, m, c, bias, two ? second : null));
                foreach (int chunks in new[] { 1, 2, 3 })
                {
                    float[] actual = operands.Run(
                        c => GemmSimd.MultiplyPlusBias(operands.A, operands.Lda, operands.Packed, m, c, operands.Ldc, bias, two ? second : default, chunks));
                    StackCase.AssertBits(expected, actual, $"{family} M={m} K={k} N={n} two biases {two} chunks {chunks}");
                }

                float[] viaGemm = operands.Run(c => Gemm.MultiplyPlusBias(operands.A, operands.Lda, operands.Packed, m, c, operands.Ldc, bias, two ? second : default));
                StackCase.AssertBits(expected, viaGemm, $"{family} M={m} K={k} N={n} two biases {two}, Gemm");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void ColumnRangesPlusBiasEqualTheBiasCopiedThenAccumulated(string family)
    {
        using var forced = new ForcedGemmFamily(family);
        int nr = forced.Layout.PanelWidth, kc = forced.Layout.BlockDepth;
        int hidden = 3 * nr, n = 3 * hidden; // GRU-like: three gate blocks
        foreach (var (m, k) in new[] { (1, 37), (2, 5), (7, kc), (13, kc + 1), (33, 0) })
        {
            var operands = new ColumnCase(m, k, n, seed: (ulong)(600 + m + k));
            var (bias, _) = Biases(n, seed: 601);
            foreach (var (u0, count) in new[] { (0, nr), (nr, 2 * nr), (0, hidden), (2 * nr, nr - 1) })
            {
                int[] starts = [u0, hidden + u0, 2 * hidden + u0];
                float[] expected = operands.Run(c =>
                {
                    foreach (int start in starts)
                    {
                        Elementwise.CopyRows<float>(bias.AsSpan(start, count), 0, m, count, c.AsSpan(start), operands.Ldc);
                    }

                    Gemm.MultiplyColumns(operands.A, operands.Lda, operands.Packed, m, starts, count, c, operands.Ldc, accumulate: true);
                });
                float[] actual = operands.Run(c => Gemm.MultiplyColumns(operands.A, operands.Lda, operands.Packed, m, starts, count, c, operands.Ldc, false, bias));
                StackCase.AssertBits(expected, actual, $"{family} M={m} K={k} units [{u0}, +{count})");

                // accumulating, the bias is not added: C += A · B
                float[] accumulated = operands.Run(c => Gemm.MultiplyColumns(operands.A, operands.Lda, operands.Packed, m, starts, count, c, operands.Ldc, true, bias));
                StackCase.AssertBits(operands.Columns(starts, count, accumulate: true), accumulated, $"{family} M={m} K={k} accumulating");
            }
        }
    }

    [Fact]
    public void TheReferenceSwitchAddsTheBiasThroughTheReference()
    {
        int nr = GemmLayout.Current.PanelWidth;
        const int M = 9;
        var operands = new ColumnCase(M, 270, 4 * nr + 3, seed: 602);
        var (bias, second) = Biases(operands.N, seed: 603);
        float[] expected = operands.Run(c =>
        {
            for (int i = 0; i < M; i++)
            {
                Elementwise.BroadcastRowsReference<float>(bias, second, 1, operands.N, c.AsSpan(i * operands.Ldc, operands.N));
            }

            GemmReference.Multiply(false, operands.A, operands.Lda, operands.Packed, M, c, operands.Ldc, accumulate: true);
        });
        float[] fast = operands.Run(c => Gemm.MultiplyPlusBias(operands.A, operands.Lda, operands.Packed, M, c, operands.Ldc, bias, second));
        float[] viaSwitch;
        using (KernelSettings.Use(KernelMode.Reference))
        {
            viaSwitch = operands.Run(c => Gemm.MultiplyPlusBias(operands.A, operands.Lda, operands.Packed, M, c, operands.Ldc, bias, second));
            Assert.Throws<ArgumentOutOfRangeException>(
                () => operands.Run(c => Gemm.MultiplyPlusBias(operands.A, operands.Lda, operands.Packed, M, c, operands.Ldc, bias.AsSpan(1), default)));
        }

        StackCase.AssertBits(expected, viaSwitch, "reference switch");
        for (int i = 0; i < fast.Length; i++)
        {
            Assert.True(Math.Abs(fast[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"fast against reference at {i}: {fast[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [InlineData(WeightPrecision.Float)]
    [InlineData(WeightPrecision.Int8)]
    public void WeightOperandsAddTheBiasAsTheBroadcastDid(WeightPrecision precision)
    {
        const int M = 7, K = 41, Hidden = 64, N = 3 * Hidden;
        var random = new RandomSource(604);
        float[] a = new float[M * K], b = new float[N * K], c0 = new float[M * N];
        random.FillGaussian<float>(a, 0, 1);
        random.FillGaussian<float>(b, 0, 1);
        random.FillGaussian<float>(c0, 0, 1);
        var (bias, second) = Biases(N, seed: 605);
        using var single = WeightOperand<float>.Create(true, b, K, K, N, precision);
        Check(single, a, c0, bias, second, single.ColumnAlignment);
        if (precision == WeightPrecision.Float)
        {
            using var wide = WeightOperand<double>.Create(true, Wide(b), K, K, N);
            static double[] Wide(float[] values) => Array.ConvertAll(values, x => (double)x);
            Check(wide, Wide(a), Wide(c0), Wide(bias), Wide(second), 5);
        }

        void Check<T>(WeightOperand<T> operand, T[] left, T[] initial, T[] first, T[] other, int unitStart)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            T[] expected = (T[])initial.Clone();
            Elementwise.BroadcastRows<T>(first, other, M, N, expected);
            operand.Multiply(left, M, expected, N, accumulate: true);
            T[] whole = (T[])initial.Clone();
            operand.MultiplyPlusBias(left, M, whole, first, other);
            Assert.Equal(expected, whole);

            int[] starts = [unitStart, Hidden + unitStart, 2 * Hidden + unitStart];
            T[] part = (T[])initial.Clone();
            operand.MultiplyColumns(left, M, part, N, accumulate: false, starts, 20, first);
            T[] copied = (T[])initial.Clone();
            foreach (int start in starts)
            {
                Elementwise.CopyRows<T>(first.AsSpan(start, 20), 0, M, 20, copied.AsSpan(start), N);
            }

            operand.MultiplyColumns(left, M, copied, N, accumulate: true, starts, 20);
            Assert.Equal(copied, part);
        }
    }

    private static void BroadcastThenAccumulate(ColumnCase operands, int m, float[] c, float[] bias, float[]? second)
    {
        for (int i = 0; i < m; i++)
        {
            Elementwise.BroadcastRows<float>(bias, second, 1, operands.N, c.AsSpan(i * operands.Ldc, operands.N));
        }

        Gemm.Multiply(false, operands.A, operands.Lda, operands.Packed, m, c, operands.Ldc, accumulate: true);
    }

    private static (float[] Bias, float[] Second) Biases(int n, ulong seed)
    {
        var random = new RandomSource(seed);
        float[] bias = new float[n], second = new float[n];
        random.FillGaussian<float>(bias, 0, 1);
        random.FillGaussian<float>(second, 0, 1);
        return (bias, second);
    }

}
