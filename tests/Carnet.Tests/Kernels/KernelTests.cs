using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>The reference kernels against independent definitions, at odd sizes, strides and edge values.</summary>
public sealed class KernelTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void GemmHonoursTransposesStridesAndAccumulation(bool transposeA, bool transposeB)
    {
        var random = new RandomSource(17);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 5, 7), (8, 1, 13), (5, 9, 0) })
        {
            int lda = (transposeA ? m : k) + 2, ldb = (transposeB ? k : n) + 1, ldc = n + 3;
            var a = new double[(transposeA ? k : m) * lda];
            var b = new double[(transposeB ? n : k) * ldb];
            var c = new double[m * ldc];
            random.FillGaussian<double>(a, 0, 1);
            random.FillGaussian<double>(b, 0, 1);
            random.FillGaussian<double>(c, 0, 1);
            double[] before = (double[])c.Clone();
            foreach (bool accumulate in new[] { false, true })
            {
                before.CopyTo(c, 0);
                Gemm.Multiply<double>(transposeA, transposeB, a, lda, b, ldb, m, n, k, c, ldc, accumulate);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < ldc; j++)
                    {
                        if (j >= n)
                        {
                            Assert.Equal(before[i * ldc + j], c[i * ldc + j]); // padding between rows untouched
                            continue;
                        }

                        double expected = accumulate ? before[i * ldc + j] : 0;
                        for (int p = 0; p < k; p++)
                        {
                            expected += (transposeA ? a[p * lda + i] : a[i * lda + p]) * (transposeB ? b[j * ldb + p] : b[p * ldb + j]);
                        }

                        Assert.Equal(expected, c[i * ldc + j], 12);
                    }
                }
            }
        }
    }

    [Fact]
    public void ActivationsAtEdgeValues()
    {
        Assert.Equal(0f, Activations.Sigmoid(float.NegativeInfinity));
        Assert.Equal(1f, Activations.Sigmoid(float.PositiveInfinity));
        Assert.Equal(0f, Activations.Sigmoid(-1000f));
        Assert.Equal(0.5f, Activations.Sigmoid(0f));
        Assert.Equal(-1f, Activations.Tanh(float.NegativeInfinity));
        Assert.True(float.IsNaN(Activations.Sigmoid(float.NaN)));
        Assert.True(float.IsNaN(Activations.Tanh(float.NaN)));
        Assert.Equal(0.0, Activations.Relu(-0.0));
        Assert.Equal(0.0, Activations.ReluDerivative(0.0));
        Assert.Equal(1 / (1 + Math.Exp(-0.3)), Activations.Sigmoid(0.3), 15);
    }

    [Fact]
    public void TransposeLeadingAxesSwapsBatchAndTime()
    {
        double[] source = Enumerable.Range(0, 2 * 3 * 2).Select(i => (double)i).ToArray(); // (2, 3, 2)
        var destination = new double[source.Length]; // (3, 2, 2)
        Elementwise.TransposeLeadingAxes<double>(source, 2, 3, 2, destination);
        Assert.Equal([0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11], destination);
    }
}
