// Dimension legend: M = rows of both C (gate columns), K = the summed dimension (T·B), N1, N2 = columns of C1 and C2;
// NR = the panel width, KC, MC = the K and row blocks. A and A2 are stored (K, M); B1 (K, N1), B2 (K, N2).
using Carnet.Kernels;
using Carnet.Tests.Layers;

namespace Carnet.Tests.Kernels;

/// <summary>
/// <see cref="Gemm.AccumulateTransposedAPair{T}"/>, a layer's two weight gradients in one pass: in every kernel family
/// (forced) and at every chunk count, bit for bit the two <see cref="Gemm.AccumulateTransposedA{T}"/> it replaces, with
/// A2 the same matrix as A (LSTM, RNN), A2 equal to A in its first rows only (GRU: the n block differs; the shared rows
/// ending inside a row block or a tile), ragged and narrow widths, several K blocks, K = 0; double and the reference
/// switch run the two products.
/// </summary>
public sealed class GemmPairTests
{
    public static TheoryData<string> Families() => new() { "Vector128", "Vector256", "Vector512" };

    [Theory]
    [MemberData(nameof(Families))]
    public void ThePairEqualsItsTwoProductsBitForBit(string family)
    {
        using var forced = new ForcedGemmFamily(family);
        int nr = forced.Layout.PanelWidth, kc = forced.Layout.BlockDepth, mc = forced.Layout.RowBlock;
        foreach (var (m, k, n1, n2) in new[] { (4 * nr, 3 * kc + 5, 2 * nr, 2 * nr), (3 * 40, 77, 3, nr + 5), (mc + 9, kc, nr + 1, 2), (2, 9, 5, 7), (9, 0, nr, nr) })
        {
            foreach (int sharedRows in new[] { m, 2 * m / 3, m / 2 + 1, 0 })
            {
                var pair = new PairCase(m, k, n1, n2, seed: (ulong)(700 + m + k + sharedRows));
                var (expected1, expected2) = pair.Separate(sharedRows);
                foreach (int chunks in new[] { 1, 2, 3, 5 })
                {
                    var (c1, c2) = pair.Run(sharedRows, (a, a2, c1, c2) => GemmSimd.AccumulateTransposedAPair(a, a2, sharedRows, m, k, pair.B1, n1, c1, pair.B2, n2, c2, chunks));
                    string what = $"{family} M={m} K={k} N1={n1} N2={n2} shared {sharedRows} chunks {chunks}";
                    StackCase.AssertBits(expected1, c1, what + ", C1");
                    StackCase.AssertBits(expected2, c2, what + ", C2");
                }

                var (g1, g2) = pair.Run(sharedRows, (a, a2, c1, c2) => Gemm.AccumulateTransposedAPair<float>(a, a2, sharedRows, m, k, pair.B1, n1, c1, pair.B2, n2, c2));
                StackCase.AssertBits(expected1, g1, $"{family} M={m} shared {sharedRows}, Gemm, C1");
                StackCase.AssertBits(expected2, g2, $"{family} M={m} shared {sharedRows}, Gemm, C2");
            }
        }
    }

    [Fact]
    public void DoubleAndTheReferenceSwitchRunTheTwoProducts()
    {
        const int M = 12, K = 30, N1 = 5, N2 = 7;
        var pair = new PairCase(M, K, N1, N2, seed: 710);
        using (KernelSettings.Use(KernelMode.Reference))
        {
            var (expected1, expected2) = pair.Separate(8);
            var (c1, c2) = pair.Run(8, (a, a2, c1, c2) => Gemm.AccumulateTransposedAPair<float>(a, a2, 8, M, K, pair.B1, N1, c1, pair.B2, N2, c2));
            StackCase.AssertBits(expected1, c1, "reference, C1");
            StackCase.AssertBits(expected2, c2, "reference, C2");
        }

        static double[] Wide(float[] values) => Array.ConvertAll(values, x => (double)x);
        double[] a = Wide(pair.A), a2 = Wide(pair.A2(8)), b1 = Wide(pair.B1), b2 = Wide(pair.B2);
        double[] d1 = Wide(pair.C1), d2 = Wide(pair.C2), e1 = Wide(pair.C1), e2 = Wide(pair.C2);
        Gemm.AccumulateTransposedAPair<double>(a, a2, 8, M, K, b1, N1, d1, b2, N2, d2);
        Gemm.AccumulateTransposedA<double>(a, b1, M, N1, K, e1);
        Gemm.AccumulateTransposedA<double>(a2, b2, M, N2, K, e2);
        Assert.Equal(e1, d1);
        Assert.Equal(e2, d2);
        Assert.Throws<ArgumentException>(
            () => Gemm.AccumulateTransposedAPair<float>(pair.A, pair.A.AsSpan(1), 8, M, K, pair.B1, N1, new float[M * N1], pair.B2, N2, new float[M * N2]));
    }

    /// <summary>Random A, B1, B2 and starting C1, C2; A2 is A with its columns from sharedRows on replaced.</summary>
    private sealed class PairCase
    {
        private readonly int m, k, n1, n2;
        private readonly float[] other;

        public PairCase(int m, int k, int n1, int n2, ulong seed)
        {
            (this.m, this.k, this.n1, this.n2) = (m, k, n1, n2);
            var random = new RandomSource(seed);
            float[] Fill(int length)
            {
                var values = new float[length];
                random.FillGaussian<float>(values, 0, 1);
                return values;
            }

            (A, other, B1, B2, C1, C2) = (Fill(k * m), Fill(k * m), Fill(k * n1), Fill(k * n2), Fill(m * n1), Fill(m * n2));
        }

        public float[] A { get; }

        public float[] B1 { get; }

        public float[] B2 { get; }

        public float[] C1 { get; }

        public float[] C2 { get; }

        /// <summary>A with every column from <paramref name="sharedRows"/> on (a row of Aᵀ) taken from another matrix; A itself when all are shared.</summary>
        public float[] A2(int sharedRows)
        {
            if (sharedRows >= m)
            {
                return A;
            }

            float[] a2 = (float[])A.Clone();
            for (int p = 0; p < k; p++)
            {
                Array.Copy(other, p * m + sharedRows, a2, p * m + sharedRows, m - sharedRows);
            }

            return a2;
        }

        /// <summary>The two products one after the other, from copies of C1 and C2.</summary>
        public (float[] C1, float[] C2) Separate(int sharedRows)
            => Run(sharedRows, (a, a2, c1, c2) =>
            {
                Gemm.AccumulateTransposedA<float>(a, B1, m, n1, k, c1);
                Gemm.AccumulateTransposedA<float>(a2, B2, m, n2, k, c2);
            });

        public (float[] C1, float[] C2) Run(int sharedRows, Action<float[], float[], float[], float[]> product)
        {
            float[] c1 = (float[])C1.Clone(), c2 = (float[])C2.Clone();
            product(A, A2(sharedRows), c1, c2);
            return (c1, c2);
        }
    }
}
