using Carnet.Tasks.Text;

namespace Carnet.Tests.Text;

/// <summary>The filtered distributions the sampling kernel produces, checked against their definitions, and seeded draws from them.</summary>
public sealed class SamplerTests
{
    private static readonly float[] Logits = [0.5f, -1.25f, 2f, 0.75f, -0.3f, 1.5f]; // (V = 6), every value different

    /// <summary>softmax(x / τ) in double, the definition.</summary>
    private static double[] Softmax(IReadOnlyList<float> logits, double temperature)
    {
        double max = logits.Max();
        double[] e = logits.Select(x => Math.Exp((x - max) / temperature)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void TemperatureGivesTheSoftmaxOfScaledLogits(double temperature)
    {
        double[] actual = Sampler.Distribution(Logits, new SamplingOptions { Temperature = temperature });
        double[] expected = Softmax(Logits, temperature);
        for (int k = 0; k < Logits.Length; k++)
        {
            Assert.Equal(expected[k], actual[k], 1e-14);
        }

        Assert.Equal(1.0, actual.Sum(), 1e-14);
    }

    [Fact]
    public void TemperatureZeroPutsAllMassOnTheLargestLogit()
    {
        Assert.Equal([0, 0, 1, 0, 0, 0], Sampler.Distribution(Logits, new SamplingOptions { Temperature = 0 }));
        Assert.Equal([0, 1, 0], Sampler.Distribution([1f, 3f, 3f], new SamplingOptions { Temperature = 0 })); // the lower id on ties
    }

    [Theory]
    [InlineData(1, new[] { 2 })]
    [InlineData(3, new[] { 2, 3, 5 })] // logits 2, 0.75 and 1.5
    [InlineData(5, new[] { 0, 2, 3, 4, 5 })]
    [InlineData(6, new[] { 0, 1, 2, 3, 4, 5 })]
    [InlineData(9, new[] { 0, 1, 2, 3, 4, 5 })]
    public void TopKKeepsExactlyTheKMostLikely(int k, int[] kept)
    {
        double[] p = Sampler.Distribution(Logits, new SamplingOptions { TopK = k });
        Assert.Equal(kept, Enumerable.Range(0, p.Length).Where(i => p[i] > 0));
        double[] full = Softmax(Logits, 1);
        double mass = kept.Sum(i => full[i]);
        foreach (int i in kept)
        {
            Assert.Equal(full[i] / mass, p[i], 1e-14); // renormalised over the kept ones
        }
    }

    [Theory]
    [InlineData(0.3, 1)] // 0.4 alone reaches 0.3
    [InlineData(0.65, 2)] // 0.4 + 0.3 = 0.7
    [InlineData(0.75, 3)] // 0.4 + 0.3 + 0.15 = 0.85
    [InlineData(0.9, 4)] // … + 0.1 = 0.95
    [InlineData(0.99, 5)]
    public void TopPKeepsTheSmallestPrefixReachingP(double topP, int count)
    {
        double[] probabilities = [0.1, 0.4, 0.05, 0.3, 0.15]; // ranked: 1, 3, 4, 0, 2
        float[] logits = probabilities.Select(v => (float)Math.Log(v)).ToArray();
        double[] p = Sampler.Distribution(logits, new SamplingOptions { TopP = topP });
        int[] ranked = [1, 3, 4, 0, 2];
        double[] exact = Softmax(logits, 1);
        double mass = ranked.Take(count).Sum(i => exact[i]);
        for (int r = 0; r < ranked.Length; r++)
        {
            Assert.Equal(r < count ? exact[ranked[r]] / mass : 0, p[ranked[r]], 1e-14);
        }
    }

    [Fact]
    public void TopPIsTakenOverTheTopKRenormalised()
    {
        double[] probabilities = [0.1, 0.4, 0.05, 0.3, 0.15];
        float[] logits = probabilities.Select(v => (float)Math.Log(v)).ToArray();

        // alone, top-p 0.8 needs 0.4 + 0.3 + 0.15; after top-k 3 (mass 0.85) the first two make 0.82 of what is left
        Assert.Equal([false, true, false, true, true], Sampler.Distribution(logits, new SamplingOptions { TopP = 0.8 }).Select(v => v > 0));
        double[] p = Sampler.Distribution(logits, new SamplingOptions { TopK = 3, TopP = 0.8 });
        Assert.Equal([false, true, false, true, false], p.Select(v => v > 0));
        Assert.Equal(4.0 / 7, p[1], 1e-6);
        Assert.Equal(3.0 / 7, p[3], 1e-6);
    }

    [Fact]
    public void EqualProbabilitiesAreRankedByLowerId()
    {
        double[] p = Sampler.Distribution([1f, 2f, 2f, 2f, 0f], new SamplingOptions { TopK = 2 });
        Assert.Equal([0, 0.5, 0.5, 0, 0], p);
    }

    [Fact]
    public void DrawsFollowTheDistributionWithinSamplingError()
    {
        var options = new SamplingOptions { Temperature = 0.7, TopK = 5 };
        double[] p = Sampler.Distribution(Logits, options);
        var sampler = new Sampler(Logits.Length, options, new RandomSource(11));
        const int draws = 200_000;
        var counts = new int[Logits.Length];
        for (int n = 0; n < draws; n++)
        {
            counts[sampler.Next(Logits)]++;
        }

        Assert.Equal(0, counts[1]); // the least likely is outside the top 5
        for (int k = 0; k < p.Length; k++)
        {
            double sigma = Math.Sqrt(p[k] * (1 - p[k]) / draws); // binomial standard error of a frequency
            Assert.InRange((double)counts[k] / draws, p[k] - 5 * sigma, p[k] + 5 * sigma);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameDraws()
    {
        int[] Draw(ulong seed)
        {
            var sampler = new Sampler(Logits.Length, new SamplingOptions { TopP = 0.9 }, new RandomSource(seed));
            return Enumerable.Range(0, 50).Select(_ => sampler.Next(Logits)).ToArray();
        }

        Assert.Equal(Draw(3), Draw(3));
        Assert.NotEqual(Draw(3), Draw(4));
    }

    [Theory]
    [InlineData(-1.0, 0, 1.0, "the temperature is -1; it must be a finite number, at least 0")]
    [InlineData(double.NaN, 0, 1.0, "the temperature is NaN; it must be a finite number, at least 0")]
    [InlineData(1.0, -2, 1.0, "top-k is -2; it must be at least 0 (0 keeps every character)")]
    [InlineData(1.0, 0, 0.0, "top-p is 0; it must be above 0 and at most 1 (1 keeps every character)")]
    [InlineData(1.0, 0, 1.5, "top-p is 1.5; it must be above 0 and at most 1 (1 keeps every character)")]
    public void SettingsOutOfRangeAreRefused(double temperature, int topK, double topP, string message)
    {
        var options = new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP };
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => new Sampler(3, options, new RandomSource(1))).Message);
    }
}
