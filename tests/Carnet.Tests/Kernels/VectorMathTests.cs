using System.Globalization;
using System.Runtime.Intrinsics;
using Carnet.Kernels;
using Xunit.Abstractions;

namespace Carnet.Tests.Kernels;

/// <summary>
/// <see cref="VectorMath"/>'s σ and tanh against the exact values (computed in double), at every vector width
/// against the scalar twin bit for bit, and at the edge values the kernels must propagate.
/// </summary>
public sealed class VectorMathTests(ITestOutputHelper output)
{
    private const double MaximumUlps = 3; // measured over every float in [−30, 30]: 2.48 (σ) and 2.50 (tanh)
    private const double SmallestNormal = 1.1754943508222875e-38;

    [Fact]
    public void SigmoidIsWithinThreeUlpsOnMinusThirtyToThirty()
    {
        double worst = WorstUlps(VectorMath.Sigmoid, x => 1 / (1 + Math.Exp(-x)));
        output.WriteLine($"σ: {worst:F3} ulp");
        Assert.True(worst <= MaximumUlps, $"σ is {worst:F3} ulps off.");
    }

    [Fact]
    public void TanhIsWithinThreeUlpsOnMinusThirtyToThirty()
    {
        double worst = WorstUlps(VectorMath.Tanh, Math.Tanh);
        output.WriteLine($"tanh: {worst:F3} ulp");
        Assert.True(worst <= MaximumUlps, $"tanh is {worst:F3} ulps off.");
    }

    [Fact]
    public void EveryWidthEqualsTheScalarTwinBitForBit()
    {
        var random = new RandomSource(5);
        var x = new float[16 * 4096];
        random.FillGaussian<float>(x, 0, 12);
        x[0] = float.NaN;
        x[1] = float.PositiveInfinity;
        x[2] = float.NegativeInfinity;
        x[3] = -0f;
        x[4] = 1e-40f;
        x[5] = -88.5f;
        for (int i = 0; i < x.Length; i += 16)
        {
            var v512 = Vector512.Create<float>(x.AsSpan(i, 16));
            Vector512<float> sigmoid512 = VectorMath.Sigmoid(v512), tanh512 = VectorMath.Tanh(v512);
            for (int k = 0; k < 16; k++)
            {
                float xi = x[i + k], sigmoid = VectorMath.Sigmoid(xi), tanh = VectorMath.Tanh(xi);
                AssertSameBits(sigmoid, sigmoid512[k], "σ", 512, xi);
                AssertSameBits(tanh, tanh512[k], "tanh", 512, xi);
                AssertSameBits(sigmoid, VectorMath.Sigmoid(Vector256.Create<float>(x.AsSpan(i + k / 8 * 8, 8)))[k % 8], "σ", 256, xi);
                AssertSameBits(tanh, VectorMath.Tanh(Vector256.Create<float>(x.AsSpan(i + k / 8 * 8, 8)))[k % 8], "tanh", 256, xi);
                AssertSameBits(sigmoid, VectorMath.Sigmoid(Vector128.Create<float>(x.AsSpan(i + k / 4 * 4, 4)))[k % 4], "σ", 128, xi);
                AssertSameBits(tanh, VectorMath.Tanh(Vector128.Create<float>(x.AsSpan(i + k / 4 * 4, 4)))[k % 4], "tanh", 128, xi);
            }
        }
    }

    [Theory]
    [InlineData(float.NaN, float.NaN, float.NaN)]
    [InlineData(float.PositiveInfinity, 1f, 1f)]
    [InlineData(float.NegativeInfinity, 0f, -1f)]
    [InlineData(0f, 0.5f, 0f)]
    [InlineData(1e-40f, 0.5f, 1e-40f)]
    [InlineData(-1e-30f, 0.5f, -1e-30f)]
    [InlineData(float.MaxValue, 1f, 1f)]
    [InlineData(float.MinValue, 0f, -1f)]
    [InlineData(1e30f, 1f, 1f)]
    [InlineData(17.5f, 1f, 1f)]
    [InlineData(-89f, 0f, -1f)]
    public void EdgeValues(float x, float sigmoid, float tanh)
    {
        foreach (Func<float, float> f in new Func<float, float>[] { VectorMath.Sigmoid, v => VectorMath.Sigmoid(Vector256.Create(v))[3] })
        {
            float y = f(x);
            Assert.True(Same(sigmoid, y), $"σ({x:R}) = {y:R}, expected {sigmoid:R}");
        }

        foreach (Func<float, float> f in new Func<float, float>[] { VectorMath.Tanh, v => VectorMath.Tanh(Vector256.Create(v))[5] })
        {
            float y = f(x);
            Assert.True(Same(tanh, y), $"tanh({x:R}) = {y:R}, expected {tanh:R}");
        }
    }

    [Fact]
    public void NegativeZeroKeepsItsSign()
    {
        Assert.True(Same(-0f, VectorMath.Tanh(-0f)));
        Assert.True(Same(-0f, VectorMath.Tanh(Vector512.Create(-0f))[15]));
        Assert.Equal(0.5f, VectorMath.Sigmoid(-0f));
    }

    [Fact]
    public void SaturatesWhereTheReferenceDoesAndStaysInRange()
    {
        // σ reaches 1 and tanh reaches ±1 exactly; no value ever leaves [0, 1] or [−1, 1]
        for (float x = -100f; x <= 100f; x += 0.001953125f)
        {
            float sigmoid = VectorMath.Sigmoid(x), tanh = VectorMath.Tanh(x);
            Assert.InRange(sigmoid, 0f, 1f);
            Assert.InRange(tanh, -1f, 1f);
            if (x >= 17.5f)
            {
                Assert.Equal(1f, sigmoid);
                Assert.Equal(Activations.Sigmoid(x), sigmoid);
            }

            if (Math.Abs(x) >= 9.5f)
            {
                Assert.Equal((float)Math.Sign(x), tanh);
                Assert.Equal(Activations.Tanh(x), tanh);
            }

            Assert.True(Math.Abs(sigmoid - Activations.Sigmoid(x)) <= 3e-7f, $"σ({x:R}) {sigmoid:R} vs reference {Activations.Sigmoid(x):R}");
            Assert.True(Math.Abs(tanh - Activations.Tanh(x)) <= 3e-7f, $"tanh({x:R}) {tanh:R} vs reference {Activations.Tanh(x):R}");
        }
    }

    /// <summary>
    /// The largest error in ulps of the exact value, over a sample of the floats in [−30, 30] that covers every
    /// binade (every 61st bit pattern of each sign, about 36 million values).
    /// </summary>
    private static double WorstUlps(Func<float, float> function, Func<double, double> exact)
    {
        uint top = BitConverter.SingleToUInt32Bits(30f);
        double worst = 0;
        float worstAt = 0;
        for (uint bits = 0; bits <= top; bits += 61)
        {
            foreach (uint sign in new[] { 0u, 0x80000000u })
            {
                float x = BitConverter.UInt32BitsToSingle(bits | sign);
                double expected = exact(x);
                double ulps = Math.Abs(function(x) - expected) / Ulp(expected);
                if (ulps > worst)
                {
                    worst = ulps;
                    worstAt = x;
                }
            }
        }

        Assert.True(worst <= MaximumUlps, string.Create(CultureInfo.InvariantCulture, $"{worst:F3} ulps at x = {worstAt:R}"));
        return worst;
    }

    /// <summary>The spacing of the floats at the magnitude of <paramref name="value"/> (taken below it at powers of two).</summary>
    private static double Ulp(double value)
    {
        double magnitude = Math.Abs(value);
        return magnitude < SmallestNormal ? float.Epsilon : Math.ScaleB(1.0, Math.ILogB(magnitude) - 23);
    }

    private static bool Same(float expected, float actual)
        => BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual)
            || (float.IsNaN(expected) && float.IsNaN(actual));

    private static void AssertSameBits(float expected, float actual, string function, int width, float x)
        => Assert.True(Same(expected, actual), $"{function}({x:R}) at {width} bits: {actual:R}, scalar twin {expected:R}");
}
