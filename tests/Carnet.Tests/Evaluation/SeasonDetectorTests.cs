using Carnet.Tasks.Data;
using Carnet.Tasks.Evaluation;
using Carnet.Tests.Support;
using Carnet.Tests.Training;

namespace Carnet.Tests.Evaluation;

/// <summary>The autocorrelation function by hand, and season detection on synthetic and real series.</summary>
public sealed class SeasonDetectorTests
{
    /// <summary>sin(2πt / period)·amplitude + slope·t + noise·N(0, 1), t = 0 .. length − 1, with seeded noise.</summary>
    private static double[] Sine(int length, double period, double slope, double noise, ulong seed)
    {
        var random = new RandomSource(seed);
        var series = new double[length];
        for (int t = 0; t < length; t++)
        {
            series[t] = Math.Sin(2 * Math.PI * t / period) + slope * t + noise * random.NextGaussian();
        }

        return series;
    }

    private static double[] WhiteNoise(int length, ulong seed)
    {
        var random = new RandomSource(seed);
        var series = new double[length];
        for (int t = 0; t < length; t++)
        {
            series[t] = random.NextGaussian();
        }

        return series;
    }

    private static double[] RandomWalk(int length, ulong seed)
    {
        double[] steps = WhiteNoise(length, seed);
        for (int t = 1; t < length; t++)
        {
            steps[t] += steps[t - 1];
        }

        return steps;
    }

    [Fact]
    public void AutocorrelationByHand()
    {
        // 1, 2, 3, 4: deviations −1.5, −0.5, 0.5, 1.5, Σ squares 5;
        // lag 1: (0.75 − 0.25 + 0.75) / 5, lag 2: (−0.75 − 0.75) / 5, lag 3: −2.25 / 5
        Close.Assert("acf", [1, 0.25, -0.3, -0.45], SeasonDetector.Autocorrelation([1, 2, 3, 4], 3), 1e-15);
        Assert.Equal([1.0], SeasonDetector.Autocorrelation([5, 1], 0));
    }

    [Fact]
    public void AutocorrelationOfTheAirlineSeriesMatchesNumpy()
    {
        // numpy: x − mean, r_k = Σ x_t x_{t+k} / Σ x_t², on the 144 raw monthly values
        double[] series = CsvTable.Read(SeriesDemoTests.AirPassengers).NumericColumn("passengers_thousands");
        double[] r = SeasonDetector.Autocorrelation(series, 12);
        Assert.Equal(13, r.Length);
        Assert.Equal(0.9480473407524918, r[1], 13);
        Assert.Equal(0.7603950422625558, r[12], 13);
    }

    [Fact]
    public void AutocorrelationOfAConstantSeriesIsNaN()
    {
        Assert.All(SeasonDetector.Autocorrelation([2, 2, 2], 2), value => Assert.True(double.IsNaN(value)));
    }

    [Fact]
    public void AutocorrelationRejectsBadLags()
    {
        Assert.Throws<ArgumentException>("series", () => SeasonDetector.Autocorrelation([], 0));
        Assert.Throws<ArgumentOutOfRangeException>("maxLag", () => SeasonDetector.Autocorrelation([1, 2, 3], 3));
        Assert.Throws<ArgumentOutOfRangeException>("maxLag", () => SeasonDetector.Autocorrelation([1, 2, 3], -1));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void NoisySinePeriodTwelveOnATrend(ulong seed)
    {
        // the trend (slope 0.05 over 240 steps, 12 times the amplitude) is removed by the least-squares line
        Assert.Equal(12, SeasonDetector.Detect(Sine(240, 12, 0.05, 0.5, seed), 48));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void NoisySinePeriodSeven(ulong seed)
    {
        Assert.Equal(7, SeasonDetector.Detect(Sine(210, 7, -0.02, 0.5, seed), 30));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void FiveYearsOfMonthlyDataAreEnough(ulong seed)
    {
        // five cycles: the full Bartlett sum (which counts the cycle's own oscillation) would reject this peak
        Assert.Equal(12, SeasonDetector.Detect(Sine(60, 12, 0.03, 0.4, seed), 24));
    }

    [Fact]
    public void WhiteNoiseHasNoSeason()
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            Assert.Equal(1, SeasonDetector.Detect(WhiteNoise(300, seed), 50));
        }
    }

    [Fact]
    public void RandomWalkHasNoSeason()
    {
        // the detrended walk's ACF stays positive for a long initial run; the standard error summed over that run keeps
        // its later, slow bumps from counting (checked over seeds 1 .. 200 at length 500 while tuning: no false season)
        for (ulong seed = 1; seed <= 20; seed++)
        {
            Assert.Equal(1, SeasonDetector.Detect(RandomWalk(500, seed), 100));
            Assert.Equal(1, SeasonDetector.Detect(RandomWalk(2000, seed), 400));
        }
    }

    [Fact]
    public void AirlineSeriesIsMonthly()
    {
        // numpy by hand: least-squares line removed, ACF at lag 12 = 0.8023894324695497, the strongest peak
        double[] series = CsvTable.Read(SeriesDemoTests.AirPassengers).NumericColumn("passengers_thousands");
        var estimate = SeasonDetector.Estimate(series, 24);
        Assert.Equal(12, estimate.Period);
        Assert.Equal(0.8023894324695497, estimate.Autocorrelation, 13);
        Assert.Equal(12, SeasonDetector.Detect(series, 100));
    }

    [Fact]
    public void AShorterPeriodWinsWhenItsMultipleIsBarelyStronger()
    {
        // sin(2πt/12) + a·sin(2πt/24), t < 480, noiseless; numpy: with a = 0.15, r12 = 0.9323 and r24 = 0.9499 differ by
        // less than 2/√480 = 0.0913, so 12; with a = 0.3, r12 = 0.8145 and r24 = 0.9499, so the true period 24
        static double[] TwoCycles(double a)
        {
            var series = new double[480];
            for (int t = 0; t < series.Length; t++)
            {
                series[t] = Math.Sin(2 * Math.PI * t / 12) + a * Math.Sin(2 * Math.PI * t / 24);
            }

            return series;
        }

        var weak = SeasonDetector.Estimate(TwoCycles(0.15), 30);
        Assert.Equal(12, weak.Period);
        Assert.Equal(0.9323171854155448, weak.Autocorrelation, 12);
        var strong = SeasonDetector.Estimate(TwoCycles(0.3), 30);
        Assert.Equal(24, strong.Period);
        Assert.Equal(0.9499138222344204, strong.Autocorrelation, 12);
    }

    [Fact]
    public void PeriodsBeyondHalfTheSeriesAreNotReported()
    {
        // 36 values of a period-20 sine: lags stop at 18, where the ACF is still rising
        Assert.Equal(1, SeasonDetector.Detect(Sine(36, 20, 0, 0, 1), 100));
        Assert.Equal(20, SeasonDetector.Detect(Sine(100, 20, 0, 0, 1), 100));
    }

    [Fact]
    public void DegenerateSeriesHaveNoSeason()
    {
        Assert.Equal(1, SeasonDetector.Detect([1, 2, 1], 12));
        Assert.Equal(1, SeasonDetector.Detect([4, 4, 4, 4, 4, 4, 4, 4], 4));
        Assert.Equal(1, SeasonDetector.Detect([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5], 5));
        Assert.Equal(1, SeasonDetector.Detect([1, 2, 1, 2, double.NaN, 2, 1, 2], 4));
        var none = SeasonDetector.Estimate([4, 4, 4, 4], 2);
        Assert.Equal(1, none.Period);
        Assert.True(double.IsNaN(none.Autocorrelation));
    }

    [Fact]
    public void MaxPeriodBelowTwoIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>("maxPeriod", () => SeasonDetector.Detect([1, 2, 3, 4, 5], 1));
    }
}
