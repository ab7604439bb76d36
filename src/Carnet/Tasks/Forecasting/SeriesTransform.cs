// Dimension legend: N = series length, K = extra feature columns, H = horizon.
using System.Globalization;
using Carnet.IO;
using Carnet.Kernels;
using Carnet.Models;
using Carnet.Tasks.Evaluation;

namespace Carnet.Tasks.Forecasting;

/// <summary>
/// How a series is turned into what the network models, and back: an optional logarithm, optional first differences,
/// then standard scaling of the modelled values and of each extra feature, all fitted on the training part only.
/// </summary>
/// <param name="Logarithm">Whether the series is logged (a multiplicative series made additive).</param>
/// <param name="DifferenceLag">0: the network models the levels; 1: the change from one step to the next (a trend
/// removed); the season length: the change from one season to the next (a seasonal pattern removed too).</param>
/// <param name="Mean">Mean of the modelled values on the training part.</param>
/// <param name="Deviation">Standard deviation of the modelled values on the training part.</param>
/// <param name="FeatureMeans">Per extra feature, its training mean.</param>
/// <param name="FeatureDeviations">Per extra feature, its training standard deviation.</param>
public sealed record SeriesTransform(bool Logarithm, int DifferenceLag, double Mean, double Deviation, double[] FeatureMeans, double[] FeatureDeviations)
{
    /// <summary>Whether the series is differenced (at any lag).</summary>
    public bool Difference => DifferenceLag > 0;

    /// <summary>The first index of the series that has a modelled value (the differencing lag: earlier steps have no change).</summary>
    public int First => DifferenceLag;

    /// <summary>Decides the transform from the training part and fits the scaling on it.</summary>
    /// <param name="training">The training part of the target series.</param>
    /// <param name="trainingFeatures">The training part of the extra features, row-major (N, K).</param>
    /// <param name="featureCount">K.</param>
    /// <param name="season">The season length (1 when none), used to measure how the spread follows the level.</param>
    /// <param name="logarithm">Forced on or off, or null to decide from the data.</param>
    /// <param name="differenceLag">The lag (0 none, 1 first differences, the season for seasonal differences), or null to choose
    /// between first differences and none from the data (seasonal differencing is a choice of the <see cref="Forecaster"/>'s plan).</param>
    public static SeriesTransform Fit(ReadOnlySpan<double> training, ReadOnlySpan<double> trainingFeatures, int featureCount, int season,
        bool? logarithm, int? differenceLag)
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
        int lag = differenceLag ?? (ForecastKernels.LinearTrendExplainedVariance(levels) >= TrendThreshold ? 1 : 0);
        if (lag < 0 || lag >= training.Length - 1)
        {
            throw new ArgumentException($"A differencing lag of {lag} does not fit {training.Length} training values.");
        }

        var modelled = Modelled(levels, lag);
        var (mean, deviation) = SeriesKernels.Moments(modelled.AsSpan(lag));
        if (lag > 1)
        {
            // seasonal differences are not centred: an output of 0 is then exactly the seasonal-naive forecast, and a
            // season-to-season drift seen in training is not extrapolated
            (mean, deviation) = (0, Math.Sqrt(deviation * deviation + mean * mean));
        }
        var featureMeans = new double[featureCount];
        var featureDeviations = new double[featureCount];
        ScalingKernels.ColumnMoments(trainingFeatures, featureCount, training.Length, featureMeans, featureDeviations);
        return new SeriesTransform(useLog, lag, mean, NonZero(deviation), featureMeans, featureDeviations.Select(NonZero).ToArray());
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
                    throw new ArgumentException($"The model was trained on the logarithm of the series and " +
                        $"needs positive values; found {v.ToString(CultureInfo.InvariantCulture)}.");
                }
            }
        }

        var levels = new double[series.Length];
        SeriesKernels.Transform(series, Logarithm, 0, 1, levels);
        return levels;
    }

    /// <summary>The scaled modelled values aligned with the series (N); the first lag entries, which have no change, are 0.</summary>
    public double[] Scaled(ReadOnlySpan<double> levels)
    {
        var modelled = Modelled(levels, DifferenceLag);
        ScalingKernels.Standardize(modelled, [Mean], [Deviation], modelled);
        modelled.AsSpan(0, Math.Min(DifferenceLag, modelled.Length)).Clear();

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

    /// <summary>H network outputs back on the scale of the series, continuing from the levels just before the forecast (at least the lag's worth).</summary>
    public double[] Restore(ReadOnlySpan<double> output, ReadOnlySpan<double> previousLevels)
    {
        var values = new double[output.Length]; // (H)
        ForecastKernels.Restore(output, previousLevels[^DifferenceLag..], DifferenceLag, Logarithm, Mean, Deviation, values);
        return values;
    }

    /// <summary>The transform as <c>preprocessing.*</c> metadata entries.</summary>
    public void WriteTo(IDictionary<string, string> metadata)
    {
        metadata["logarithm"] = MetadataWriter.Boolean(Logarithm);
        metadata["difference.lag"] = MetadataWriter.Integer(DifferenceLag);
        metadata["scaling.mean"] = MetadataWriter.Number(Mean);
        metadata["scaling.deviation"] = MetadataWriter.Number(Deviation);
        metadata["features.mean"] = MetadataWriter.Numbers(FeatureMeans);
        metadata["features.deviation"] = MetadataWriter.Numbers(FeatureDeviations);
    }

    /// <summary>Reads the transform back from metadata written by <see cref="WriteTo"/>; <paramref name="source"/> names the file in errors.</summary>
    public static SeriesTransform ReadFrom(IReadOnlyDictionary<string, string> metadata, string source)
        => ReadFrom(MetadataReader.ForEntries(metadata, source, ModelFile.PreprocessingPrefix));

    /// <summary>Reads the transform back from a model's preprocessing settings.</summary>
    internal static SeriesTransform ReadFrom(MetadataReader settings)
    {
        var means = settings.Numbers("features.mean");
        var deviations = settings.PositiveNumbers("features.deviation");
        if (means.Length != deviations.Length)
        {
            throw new SafeTensorsFormatException(settings.Source,
                $"metadata '{settings.Key("features.mean")}' has {means.Length} values and '{settings.Key("features.deviation")}' {deviations.Length}");
        }

        return new SeriesTransform(settings.Boolean("logarithm"), settings.Integer("difference.lag", 0),
            settings.Number("scaling.mean"), settings.PositiveNumber("scaling.deviation"), means, deviations);
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

    private static double[] Modelled(ReadOnlySpan<double> levels, int lag)
    {
        var modelled = new double[levels.Length]; // (N), aligned with the series
        if (lag > 0)
        {
            ForecastKernels.LaggedDifference(levels, lag, modelled);
        }
        else
        {
            levels.CopyTo(modelled);
        }

        return modelled;
    }

    private static double NonZero(double deviation) => deviation > 0 && double.IsFinite(deviation) ? deviation : 1;

}
