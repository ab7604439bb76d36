// Dimension legend: N = series length, K = extra feature columns, C = 1 + K channels per step, W = window length,
// H = horizon (steps forecast at once), L = block length.
using System.Numerics;
using Carnet.Tasks.Evaluation;

namespace Carnet.Tasks.Forecasting;

/// <summary>Arithmetic of direct multi-step forecasting: transform diagnostics, windows, and the way back to the series.</summary>
internal static class ForecastKernels
{
    /// <summary>The share of the variance of <paramref name="values"/> (N) that a straight line through them explains (R²).</summary>
    public static double LinearTrendExplainedVariance(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        double meanT = (n - 1) / 2.0, meanY = 0;
        for (int t = 0; t < n; t++)
        {
            meanY += values[t];
        }

        meanY /= n;
        double covariance = 0, varianceT = 0, varianceY = 0;
        for (int t = 0; t < n; t++)
        {
            double dt = t - meanT, dy = values[t] - meanY;
            covariance += dt * dy;
            varianceT += dt * dt;
            varianceY += dy * dy;
        }

        return varianceY == 0 || varianceT == 0 ? 0 : covariance * covariance / (varianceT * varianceY);
    }

    /// <summary>
    /// Cuts <paramref name="values"/> (N) into whole blocks of L and returns the correlation between each block's mean
    /// and its standard deviation, and the ratio of the largest block mean to the smallest: how much the spread grows
    /// with the level (a multiplicative series, which a logarithm makes additive).
    /// </summary>
    public static (double Correlation, double LevelRatio) LevelSpread(ReadOnlySpan<double> values, int block)
    {
        int blocks = values.Length / block;
        Span<double> means = blocks <= 256 ? stackalloc double[blocks] : new double[blocks]; // (N / L)
        Span<double> spreads = blocks <= 256 ? stackalloc double[blocks] : new double[blocks]; // (N / L)
        for (int k = 0; k < blocks; k++)
        {
            (means[k], spreads[k]) = SeriesKernels.Moments(values.Slice(k * block, block));
        }

        double meanOfMeans = 0, meanOfSpreads = 0, lowest = double.PositiveInfinity, highest = double.NegativeInfinity;
        for (int k = 0; k < blocks; k++)
        {
            meanOfMeans += means[k] / blocks;
            meanOfSpreads += spreads[k] / blocks;
            lowest = Math.Min(lowest, means[k]);
            highest = Math.Max(highest, means[k]);
        }

        double covariance = 0, varianceMeans = 0, varianceSpreads = 0;
        for (int k = 0; k < blocks; k++)
        {
            double a = means[k] - meanOfMeans, b = spreads[k] - meanOfSpreads;
            covariance += a * b;
            varianceMeans += a * a;
            varianceSpreads += b * b;
        }

        double correlation = varianceMeans == 0 || varianceSpreads == 0 ? 0 : covariance / Math.Sqrt(varianceMeans * varianceSpreads);
        return (correlation, lowest > 0 ? highest / lowest : double.PositiveInfinity);
    }

    /// <summary>
    /// One training or forecasting window at <paramref name="origin"/> (the first forecast index): input (W, C) holds,
    /// for steps origin − W … origin − 1, the modelled series and the K scaled features; target (H) the modelled series
    /// at origin … origin + H − 1 (left untouched when empty).
    /// </summary>
    public static void Window<T>(ReadOnlySpan<double> modelled, ReadOnlySpan<double> features, int featureCount, int origin, int window,
        Span<T> input, Span<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = 1 + featureCount;
        for (int j = 0; j < window; j++)
        {
            int t = origin - window + j;
            input[j * channels] = T.CreateTruncating(modelled[t]);
            for (int k = 0; k < featureCount; k++)
            {
                input[j * channels + 1 + k] = T.CreateTruncating(features[t * featureCount + k]);
            }
        }

        for (int h = 0; h < target.Length; h++)
        {
            target[h] = T.CreateTruncating(modelled[origin + h]);
        }
    }

    /// <summary>destination[t] = levels[t] − levels[t − lag] for t ≥ lag; the first lag entries are left as they are.</summary>
    public static void LaggedDifference(ReadOnlySpan<double> levels, int lag, Span<double> destination)
    {
        for (int t = lag; t < levels.Length; t++)
        {
            destination[t] = levels[t] - levels[t - lag];
        }
    }

    /// <summary>
    /// The mean absolute error, over every origin o and step h &lt; H, of forecasting values[o + h] by the value one
    /// season (m) before it within the known past, values[o + h − m·(⌊h / m⌋ + 1)]: the seasonal-naive forecast, and
    /// the naive one for m = 1.
    /// </summary>
    public static double HorizonError(ReadOnlySpan<double> values, int horizon, int season)
    {
        double total = 0;
        long count = 0;
        for (int origin = season; origin + horizon <= values.Length; origin++)
        {
            for (int h = 0; h < horizon; h++)
            {
                total += Math.Abs(values[origin + h] - values[origin + h - season * (h / season + 1)]);
                count++;
            }
        }

        return total / count;
    }

    /// <summary>
    /// Back from H scaled model outputs to values of the series: x = output·scale + mean; with a differencing lag L
    /// the level at step h is x plus the level L steps earlier (from <paramref name="previous"/>, the last L known
    /// levels, or from the forecast itself), else x itself; then exp when the series was logged.
    /// </summary>
    public static void Restore(ReadOnlySpan<double> output, ReadOnlySpan<double> previous, int lag, bool logarithm, double mean, double scale,
        Span<double> destination)
    {
        Span<double> levels = output.Length <= 512 ? stackalloc double[output.Length] : new double[output.Length]; // (H)
        for (int h = 0; h < output.Length; h++)
        {
            double x = output[h] * scale + mean;
            levels[h] = lag == 0 ? x : x + (h < lag ? previous[h] : levels[h - lag]);
            destination[h] = logarithm ? Math.Exp(levels[h]) : levels[h];
        }
    }
}
