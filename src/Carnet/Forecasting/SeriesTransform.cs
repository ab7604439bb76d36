// Dimension legend: N = series length, K = extra feature columns, H = horizon.
using System.Globalization;
using Carnet.IO;
using Carnet.Kernels;
using Carnet.Models;

namespace Carnet.Forecasting;

/// <summary>
/// How a series is turned into what the network models, and back: an optional logarithm, optional first differences,
/// then standard scaling of the modelled values and of each extra feature, all fitted on the training part only.
/// </summary>
/// <param name="Logarithm">Whether the series is logged (a multiplicative series made additive).</param>
/// <param name="Difference">Whether the network models the change from one step to the next (a trend removed).</param>
/// <param name="Mean">Mean of the modelled values on the training part.</param>
/// <param name="Deviation">Standard deviation of the modelled values on the training part.</param>
/// <param name="FeatureMeans">Per extra feature, its training mean.</param>
/// <param name="FeatureDeviations">Per extra feature, its training standard deviation.</param>
public sealed record SeriesTransform(bool Logarithm, bool Difference, double Mean, double Deviation, double[] FeatureMeans, double[] FeatureDeviations)
{
    /// <summary>The first index of the series that has a modelled value (1 with differencing: the first step has no change).</summary>
    public int First => Difference ? 1 : 0;

    /// <summary>Decides the transform from the training part and fits the scaling on it.</summary>
    /// <param name="training">The training part of the target series.</param>
    /// <param name="trainingFeatures">The training part of the extra features, row-major (N, K).</param>
    /// <param name="featureCount">K.</param>
    /// <param name="season">The season length (1 when none), used to measure how the spread follows the level.</param>
    /// <param name="logarithm">Forced on or off, or null to decide from the data.</param>
    /// <param name="difference">Forced on or off, or null to decide from the data.</param>
    public static SeriesTransform Fit(ReadOnlySpan<double> training, ReadOnlySpan<double> trainingFeatures, int featureCount, int season,
        bool? logarithm, bool? difference)
    {
        bool positive = true;
        foreach (double v in training)
        {
            positive &= v > 0;
        }

        if (logarithm == true && !positive)
        {
            throw new ArgumentException("The logarithm needs a series of positive values; this one has zeros or negative values.");
        }

        bool useLog = logarithm ?? (positive && SpreadFollowsLevel(training, season));
        var levels = new double[training.Length]; // (N)
        SeriesKernels.Transform(training, useLog, 0, 1, levels);
        bool useDifference = difference ?? ForecastKernels.LinearTrendExplainedVariance(levels) >= TrendThreshold;
        var modelled = Modelled(levels, useDifference);
        int first = useDifference ? 1 : 0;
        var (mean, deviation) = SeriesKernels.Moments(modelled.AsSpan(first));
        var featureMeans = new double[featureCount];
        var featureDeviations = new double[featureCount];
        ScalingKernels.ColumnMoments(trainingFeatures, featureCount, training.Length, featureMeans, featureDeviations);
        return new SeriesTransform(useLog, useDifference, mean, NonZero(deviation), featureMeans, featureDeviations.Select(NonZero).ToArray());
    }

    /// <summary>Share of variance a linear trend must explain (R²) before differencing is chosen automatically.</summary>
    public const double TrendThreshold = 0.5;

    /// <summary>Correlation between block level and block spread above which the logarithm is chosen automatically.</summary>
    public const double SpreadCorrelationThreshold = 0.5;

    /// <summary>The series' levels (logged or not): (N).</summary>
    public double[] Levels(ReadOnlySpan<double> series)
    {
        if (Logarithm)
        {
            foreach (double v in series)
            {
                if (v <= 0)
                {
                    throw new ArgumentException($"The model was trained on the logarithm of the series and needs positive values; found {v.ToString(CultureInfo.InvariantCulture)}.");
                }
            }
        }

        var levels = new double[series.Length];
        SeriesKernels.Transform(series, Logarithm, 0, 1, levels);
        return levels;
    }

    /// <summary>The scaled modelled values aligned with the series (N); index 0 is 0 with differencing.</summary>
    public double[] Scaled(ReadOnlySpan<double> levels)
    {
        var modelled = Modelled(levels, Difference);
        ScalingKernels.Standardize(modelled, [Mean], [Deviation], modelled);
        if (Difference && modelled.Length > 0)
        {
            modelled[0] = 0;
        }

        return modelled;
    }

    /// <summary>The scaled extra features, row-major (N, K).</summary>
    public double[] ScaledFeatures(ReadOnlySpan<double> features)
    {
        var scaled = new double[features.Length];
        if (FeatureMeans.Length > 0)
        {
            ScalingKernels.Standardize(features, FeatureMeans, FeatureDeviations, scaled);
        }

        return scaled;
    }

    /// <summary>H network outputs back on the scale of the series, continuing from the level at the last observed step.</summary>
    public double[] Restore(ReadOnlySpan<double> output, double lastLevel)
    {
        var values = new double[output.Length]; // (H)
        ForecastKernels.Restore(output, lastLevel, Difference, Logarithm, Mean, Deviation, values);
        return values;
    }

    /// <summary>The transform as <c>preprocessing.*</c> metadata entries.</summary>
    public void WriteTo(IDictionary<string, string> metadata)
    {
        metadata["logarithm"] = Logarithm ? "true" : "false";
        metadata["difference"] = Difference ? "true" : "false";
        metadata["scaling.mean"] = Format(Mean);
        metadata["scaling.deviation"] = Format(Deviation);
        metadata["features.mean"] = string.Join(" ", FeatureMeans.Select(Format));
        metadata["features.deviation"] = string.Join(" ", FeatureDeviations.Select(Format));
    }

    /// <summary>Reads the transform back from metadata written by <see cref="WriteTo"/>; <paramref name="source"/> names the file in errors.</summary>
    public static SeriesTransform ReadFrom(IReadOnlyDictionary<string, string> metadata, string source)
    {
        var means = MetadataReader.Numbers(metadata, "features.mean", source);
        var deviations = MetadataReader.PositiveNumbers(metadata, "features.deviation", source);
        if (means.Length != deviations.Length)
        {
            throw new SafeTensorsFormatException(source, $"metadata 'preprocessing.features.mean' has {means.Length} values and 'preprocessing.features.deviation' {deviations.Length}");
        }

        return new SeriesTransform(
            MetadataReader.Boolean(metadata, "logarithm", source), MetadataReader.Boolean(metadata, "difference", source),
            MetadataReader.Number(metadata, "scaling.mean", source), MetadataReader.PositiveNumber(metadata, "scaling.deviation", source), means, deviations);
    }

    private static bool SpreadFollowsLevel(ReadOnlySpan<double> training, int season)
    {
        int block = season > 1 ? season : 12;
        if (training.Length < 4 * block)
        {
            return false;
        }

        var (correlation, ratio) = ForecastKernels.LevelSpread(training, block);
        return correlation >= SpreadCorrelationThreshold && ratio >= 1.5;
    }

    private static double[] Modelled(ReadOnlySpan<double> levels, bool difference)
    {
        var modelled = new double[levels.Length]; // (N), aligned with the series
        if (difference)
        {
            SeriesKernels.Difference(levels, modelled.AsSpan(1));
        }
        else
        {
            levels.CopyTo(modelled);
        }

        return modelled;
    }

    private static double NonZero(double deviation) => deviation > 0 && double.IsFinite(deviation) ? deviation : 1;

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
