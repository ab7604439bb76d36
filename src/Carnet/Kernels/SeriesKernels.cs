// Dimension legend: N = series length, W = window length.
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Arithmetic on a univariate series: transforms, moments and sliding windows.</summary>
internal static class SeriesKernels
{
    /// <summary>destination = log(source) when <paramref name="logarithm"/>, else a copy; then (x − mean) / scale.</summary>
    public static void Transform(ReadOnlySpan<double> source, bool logarithm, double mean, double scale, Span<double> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            double x = logarithm ? Math.Log(source[i]) : source[i];
            destination[i] = (x - mean) / scale;
        }
    }

    /// <summary>destination (N − 1) = source[i + 1] − source[i].</summary>
    public static void Difference(ReadOnlySpan<double> source, Span<double> destination)
    {
        for (int i = 0; i + 1 < source.Length; i++)
        {
            destination[i] = source[i + 1] - source[i];
        }
    }

    /// <summary>
    /// destination[i] = level[i] + scaled[i]·scale + mean, then exp when <paramref name="logarithm"/>: a predicted,
    /// scaled difference turned back into a value of the series.
    /// </summary>
    public static void UndoDifference(ReadOnlySpan<double> level, ReadOnlySpan<double> scaled, bool logarithm, double mean, double scale, Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            double x = level[i] + scaled[i] * scale + mean;
            destination[i] = logarithm ? Math.Exp(x) : x;
        }
    }

    /// <summary>Mean and (population) standard deviation.</summary>
    public static (double Mean, double StandardDeviation) Moments(ReadOnlySpan<double> values)
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
        }

        double mean = sum / values.Length, squares = 0;
        for (int i = 0; i < values.Length; i++)
        {
            squares += (values[i] - mean) * (values[i] - mean);
        }

        return (mean, Math.Sqrt(squares / values.Length));
    }

    /// <summary>inputs (N − W, W) row k = series[k .. k + W), targets (N − W) = series[k + W].</summary>
    public static void Windows<T>(ReadOnlySpan<double> series, int window, Span<T> inputs, Span<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0; k + window < series.Length; k++)
        {
            for (int j = 0; j < window; j++)
            {
                inputs[k * window + j] = T.CreateTruncating(series[k + j]);
            }

            targets[k] = T.CreateTruncating(series[k + window]);
        }
    }

    /// <summary>Root mean squared error between two series.</summary>
    public static double RootMeanSquaredError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            sum += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
        }

        return Math.Sqrt(sum / actual.Length);
    }
}
