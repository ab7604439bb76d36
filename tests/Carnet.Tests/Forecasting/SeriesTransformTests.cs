using Carnet.IO;
using Carnet.Kernels;
using Carnet.Tasks.Data;
using Carnet.Tasks.Evaluation;
using Carnet.Tasks.Forecasting;
using Carnet.Tests.Training;

namespace Carnet.Tests.Forecasting;

/// <summary>The automatic choice of logarithm and differencing, the scaling, the way back to the series, and the metadata.</summary>
public sealed class SeriesTransformTests
{
    /// <summary>100·e^{rate·t}·(1 + 0.2 sin(2πt / 12)): exponential growth whose seasonal swing grows with the level.</summary>
    internal static double[] Multiplicative(int length, double rate = 0.01) => Enumerable.Range(0, length)
        .Select(t => 100 * Math.Exp(rate * t) * (1 + 0.2 * Math.Sin(2 * Math.PI * t / 12))).ToArray();

    /// <summary>10 + sin(2πt / 12) + noise of deviation 0.3: level and spread stay put.</summary>
    private static double[] StationarySine(int length)
    {
        var random = new RandomSource(11);
        return Enumerable.Range(0, length).Select(t => 10 + Math.Sin(2 * Math.PI * t / 12) + 0.3 * random.NextGaussian()).ToArray();
    }

    /// <summary>50 + 0.5 t + noise of deviation 1: a trend, but a spread that does not grow with it.</summary>
    private static double[] LinearTrend(int length)
    {
        var random = new RandomSource(5);
        return Enumerable.Range(0, length).Select(t => 50 + 0.5 * t + random.NextGaussian()).ToArray();
    }

    private static SeriesTransform Fit(double[] series, int season, bool? logarithm = null, bool? difference = null)
        => SeriesTransform.Fit(series, [], 0, season, logarithm, difference is null ? null : difference.Value ? 1 : 0);

    [Fact]
    public void ExponentialGrowthWithAGrowingSwingIsLoggedAndDifferenced()
    {
        double[] series = Multiplicative(144);
        var (correlation, ratio) = ForecastKernels.LevelSpread(series, 12);
        Assert.True(correlation >= SeriesTransform.SpreadCorrelationThreshold, $"spread–level correlation {correlation}");
        Assert.True(ratio >= 1.5, $"level ratio {ratio}");
        Assert.True(ForecastKernels.LinearTrendExplainedVariance(series.Select(v => Math.Log(v)).ToArray()) >= SeriesTransform.TrendThreshold);

        var transform = Fit(series, 12);
        Assert.True(transform.Logarithm);
        Assert.True(transform.Difference);
        Assert.Equal(1, transform.First);
    }

    [Fact]
    public void TheAirlineTrainingPartIsLoggedAndDifferenced()
    {
        double[] series = CsvTable.Read(SeriesDemoTests.AirPassengers).NumericColumn("passengers_thousands");
        var transform = Fit(series[..120], 12);
        Assert.True(transform.Logarithm);
        Assert.True(transform.Difference);
    }

    [Fact]
    public void AStationaryNoisySineIsLeftAlone()
    {
        double[] series = StationarySine(144);
        Assert.True(ForecastKernels.LevelSpread(series, 12).LevelRatio < 1.5);
        Assert.True(ForecastKernels.LinearTrendExplainedVariance(series) < SeriesTransform.TrendThreshold);

        var transform = Fit(series, 12);
        Assert.False(transform.Logarithm);
        Assert.False(transform.Difference);
        Assert.Equal(0, transform.First);
        var (mean, deviation) = SeriesKernels.Moments(series);
        Assert.Equal(mean, transform.Mean);
        Assert.Equal(deviation, transform.Deviation);
    }

    [Fact]
    public void ALinearTrendWithConstantNoiseIsDifferencedButNotLogged()
    {
        double[] series = LinearTrend(144);
        var (correlation, ratio) = ForecastKernels.LevelSpread(series, 12);
        Assert.True(ratio >= 1.5, $"level ratio {ratio}");
        Assert.True(correlation < SeriesTransform.SpreadCorrelationThreshold, $"the spread does not follow the level: correlation {correlation}");
        Assert.True(ForecastKernels.LinearTrendExplainedVariance(series) >= SeriesTransform.TrendThreshold);

        var transform = Fit(series, 12);
        Assert.False(transform.Logarithm);
        Assert.True(transform.Difference);
        var differences = new double[143];
        SeriesKernels.Difference(series, differences);
        var (mean, deviation) = SeriesKernels.Moments(differences);
        Assert.Equal(mean, transform.Mean);
        Assert.Equal(deviation, transform.Deviation);
    }

    [Fact]
    public void ASeriesTooShortForFourSeasonsIsNotLogged()
    {
        // a faster growth, so that 4 blocks of 12 already triple the level; 47 values hold only 3 whole blocks
        Assert.True(Fit(Multiplicative(48, 0.03), 12).Logarithm);
        Assert.False(Fit(Multiplicative(47, 0.03), 12).Logarithm);
    }

    [Fact]
    public void ForcedChoicesAreHonoured()
    {
        var off = Fit(Multiplicative(144), 12, logarithm: false, difference: false);
        Assert.False(off.Logarithm);
        Assert.False(off.Difference);
        var on = Fit(StationarySine(144), 12, logarithm: true, difference: true);
        Assert.True(on.Logarithm);
        Assert.True(on.Difference);
        var mixed = Fit(Multiplicative(144), 12, logarithm: null, difference: false);
        Assert.True(mixed.Logarithm);
        Assert.False(mixed.Difference);
    }

    [Fact]
    public void ALogarithmOfZeroIsRefused()
    {
        double[] series = [3, 0, 4, 5, 6, 7, 8, 9];
        var error = Assert.Throws<ArgumentException>(() => Fit(series, 1, logarithm: true));
        Assert.Equal("The logarithm needs a series of positive values; this one has zeros or negative values.", error.Message);
        Assert.False(Fit(series, 1).Logarithm);

        var logged = Fit([1, 2, 3, 4], 1, logarithm: true);
        var levels = Assert.Throws<ArgumentException>(() => logged.Levels([1, -2]));
        Assert.Contains("needs positive values; found -2", levels.Message);
    }

    [Fact]
    public void FeaturesAreScaledWithTheirTrainingMoments()
    {
        // K = 2: column 0 is 1, 2, 6 (mean 3, sd √(14/3)); column 1 is constant 7 (sd 0, replaced by 1)
        var transform = SeriesTransform.Fit([5, 6, 7], [1, 7, 2, 7, 6, 7], 2, 1, false, 0);
        Assert.Equal(3.0, transform.FeatureMeans[0], 1e-14);
        Assert.Equal(7.0, transform.FeatureMeans[1], 1e-14);
        Assert.Equal(Math.Sqrt(14.0 / 3), transform.FeatureDeviations[0], 1e-14);
        Assert.Equal(1.0, transform.FeatureDeviations[1]);
        double[] scaled = transform.ScaledFeatures([3, 7, 9, 8]);
        Assert.Equal(0.0, scaled[0], 1e-14);
        Assert.Equal(0.0, scaled[1], 1e-14);
        Assert.Equal(6 / Math.Sqrt(14.0 / 3), scaled[2], 1e-14);
        Assert.Equal(1.0, scaled[3], 1e-14);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    [InlineData(true, 1)]
    [InlineData(false, 12)]
    [InlineData(true, 12)]
    public void RestoringTheScaledFutureGivesBackTheSeries(bool logarithm, int lag)
    {
        double[] series = Multiplicative(144);
        var transform = SeriesTransform.Fit(series.AsSpan(0, 120), [], 0, 12, logarithm, lag);
        Assert.Equal(logarithm, transform.Logarithm);
        Assert.Equal(lag, transform.DifferenceLag);
        double[] levels = transform.Levels(series);
        double[] scaled = transform.Scaled(levels);
        Assert.All(scaled.Take(lag), v => Assert.Equal(0.0, v));

        foreach (int origin in new[] { Math.Max(1, lag), 60, 120, 132 })
        {
            double[] restored = transform.Restore(scaled.AsSpan(origin, 12), levels.AsSpan(0, origin));
            for (int h = 0; h < 12; h++)
            {
                double expected = series[origin + h];
                Assert.True(Math.Abs(restored[h] - expected) <= 1e-12 * Math.Abs(expected),
                    $"origin {origin}, step {h}: {restored[h]:R} vs {expected:R}");
            }
        }
    }

    [Fact]
    public void MetadataRoundTripsExactly()
    {
        // (N = 60, K = 2) features with digits that only the round-trip format keeps
        double[] features = Enumerable.Range(0, 120).Select(i => Math.Sin(i) * 1e3 / 7 + 0.1).ToArray();
        var transform = SeriesTransform.Fit(Multiplicative(60), features, 2, 12, null, null);
        var metadata = new Dictionary<string, string>();
        transform.WriteTo(metadata);
        Assert.Equal(
            ["difference.lag", "features.deviation", "features.mean", "logarithm", "scaling.deviation", "scaling.mean"],
            metadata.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("true", metadata["logarithm"]);

        var read = SeriesTransform.ReadFrom(metadata, "m.safetensors");
        Assert.Equal(transform.Logarithm, read.Logarithm);
        Assert.Equal(transform.DifferenceLag, read.DifferenceLag);
        Assert.Equal(transform.Mean, read.Mean);
        Assert.Equal(transform.Deviation, read.Deviation);
        Assert.Equal(transform.FeatureMeans, read.FeatureMeans);
        Assert.Equal(transform.FeatureDeviations, read.FeatureDeviations);
    }

    [Theory]
    [InlineData("logarithm", "yes", "'true' or 'false'")]
    [InlineData("difference.lag", "yes", "an integer from 0 to 16777216")]
    [InlineData("scaling.mean", "abc", "a finite number")]
    [InlineData("scaling.deviation", "NaN", "a finite number")]
    [InlineData("features.mean", "x", "space-separated finite numbers")]
    public void AMalformedEntryIsNamed(string key, string value, string expected)
    {
        var metadata = WrittenMetadata();
        metadata[key] = value;
        var error = Assert.Throws<SafeTensorsFormatException>(() => SeriesTransform.ReadFrom(metadata, "m.safetensors"));
        Assert.Equal($"m.safetensors: metadata 'preprocessing.{key}' is '{value}'; expected {expected}", error.Message);
    }

    [Fact]
    public void AMissingOrMismatchedEntryIsNamed()
    {
        var metadata = WrittenMetadata();
        metadata.Remove("difference.lag");
        var missing = Assert.Throws<SafeTensorsFormatException>(() => SeriesTransform.ReadFrom(metadata, "m.safetensors"));
        Assert.Equal("m.safetensors: metadata has no 'preprocessing.difference.lag'; this kind of model needs it", missing.Message);

        metadata = WrittenMetadata();
        metadata["features.deviation"] = "1 2";
        var mismatch = Assert.Throws<SafeTensorsFormatException>(() => SeriesTransform.ReadFrom(metadata, "m.safetensors"));
        Assert.Equal("m.safetensors: metadata 'preprocessing.features.mean' has 1 values and 'preprocessing.features.deviation' 2", mismatch.Message);
    }

    [Theory]
    [InlineData("scaling.deviation", "0")]
    [InlineData("scaling.deviation", "-2")]
    [InlineData("features.deviation", "0")]
    public void ANonPositiveDeviationIsRefused(string key, string value)
    {
        var metadata = WrittenMetadata();
        metadata[key] = value;
        var error = Assert.Throws<SafeTensorsFormatException>(() => SeriesTransform.ReadFrom(metadata, "m.safetensors"));
        Assert.StartsWith($"m.safetensors: metadata 'preprocessing.{key}' is '{value}'; expected ", error.Message);
    }

    private static Dictionary<string, string> WrittenMetadata()
    {
        var metadata = new Dictionary<string, string>();
        SeriesTransform.Fit([1, 2, 4, 3, 5, 6], [1, 2, 3, 4, 5, 6], 1, 1, null, null).WriteTo(metadata);
        return metadata;
    }
}
