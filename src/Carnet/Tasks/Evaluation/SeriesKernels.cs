// Dimension legend: N = series length, W = window length, L = largest lag, H = forecast horizon, m = season.
using System.Numerics;

namespace Carnet.Tasks.Evaluation;

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

    /// <summary>
    /// destination (L + 1)[k] = Σ_{t &lt; N − k} (x_t − x̄)(x_{t+k} − x̄) / Σ_t (x_t − x̄)², the sample autocorrelation with
    /// the biased (1/N) covariance of R's <c>acf</c> and statsmodels' default; NaN everywhere for a constant series.
    /// </summary>
    public static void Autocorrelation(ReadOnlySpan<double> series, Span<double> destination)
    {
        double mean = 0;
        for (int t = 0; t < series.Length; t++)
        {
            mean += series[t];
        }

        mean /= series.Length;
        double variance = 0;
        for (int t = 0; t < series.Length; t++)
        {
            variance += (series[t] - mean) * (series[t] - mean);
        }

        for (int k = 0; k < destination.Length; k++)
        {
            double covariance = 0;
            for (int t = 0; t + k < series.Length; t++)
            {
                covariance += (series[t] - mean) * (series[t + k] - mean);
            }

            destination[k] = covariance / variance;
        }
    }

    /// <summary>destination (N) = series minus its least-squares line a + b·t, t = 0 .. N − 1 (N ≥ 2).</summary>
    public static void RemoveLinearTrend(ReadOnlySpan<double> series, Span<double> destination)
    {
        int n = series.Length;
        double timeMean = (n - 1) / 2.0, valueMean = 0;
        for (int t = 0; t < n; t++)
        {
            valueMean += series[t];
        }

        valueMean /= n;
        double cross = 0, squares = 0;
        for (int t = 0; t < n; t++)
        {
            cross += (t - timeMean) * (series[t] - valueMean);
            squares += (t - timeMean) * (t - timeMean);
        }

        double slope = cross / squares;
        for (int t = 0; t < n; t++)
        {
            destination[t] = series[t] - valueMean - slope * (t - timeMean);
        }
    }

    /// <summary>
    /// destination (L + 1)[k] = √((1 + 2 Σ_{j=1}^{min(k, z)−1} r_j²) / N), with z the first lag whose autocorrelation is
    /// ≤ 0: Bartlett's standard error of r_k under the null hypothesis of a moving average whose correlation ends with the
    /// initial positive run of the ACF (R's <c>ci.type = "ma"</c> with the sum cut at z); destination[0] = 0.
    /// <paramref name="autocorrelation"/> (L + 1) starts at lag 0.
    /// </summary>
    public static void BartlettStandardErrors(ReadOnlySpan<double> autocorrelation, int seriesLength, Span<double> destination)
    {
        double squares = 0;
        bool initialRun = true;
        destination[0] = 0;
        for (int k = 1; k < destination.Length; k++)
        {
            destination[k] = Math.Sqrt((1 + 2 * squares) / seriesLength);
            initialRun = initialRun && autocorrelation[k] > 0;
            if (initialRun)
            {
                squares += autocorrelation[k] * autocorrelation[k];
            }
        }
    }

    /// <summary>
    /// The season read from an autocorrelation function (L + 2, lags 0 .. L + 1) and its standard errors (L + 2): among the
    /// lags k = 2 .. L that are local maxima (r_k &gt; r_{k−1} and r_k ≥ r_{k+1}) and significant
    /// (r_k &gt; max(minimum, multiplier·se_k)), the strongest; then, because a season's multiples repeat its peak,
    /// the shortest significant peak p whose multiple n·p (n = round(best / p) ≥ 2) is within n lags of the strongest and
    /// whose r_p is at least r_best − tolerance. Returns (1, NaN) when no lag qualifies.
    /// </summary>
    public static (int Period, double Autocorrelation) SeasonalPeak(
        ReadOnlySpan<double> autocorrelation, ReadOnlySpan<double> standardErrors, double minimum, double multiplier, double tolerance)
    {
        int largest = autocorrelation.Length - 2;
        int best = 1;
        double bestValue = double.NaN;
        for (int k = 2; k <= largest; k++)
        {
            if (IsSignificantPeak(autocorrelation, standardErrors, k, minimum, multiplier) && (best == 1 || autocorrelation[k] > bestValue))
            {
                (best, bestValue) = (k, autocorrelation[k]);
            }
        }

        for (int p = 2; p < best; p++)
        {
            int multiple = (int)Math.Round((double)best / p, MidpointRounding.AwayFromZero);
            if (multiple >= 2 && Math.Abs(best - multiple * p) <= multiple && autocorrelation[p] >= bestValue - tolerance
                && IsSignificantPeak(autocorrelation, standardErrors, p, minimum, multiplier))
            {
                return (p, autocorrelation[p]);
            }
        }

        return (best, bestValue);
    }

    /// <summary>
    /// destination (H)[h − 1] = history[N + h − 1 − m·⌈h/m⌉]: the seasonal naive forecast, each value the last observed
    /// value of the same season (m = 1 is the naive forecast, the last value repeated). Needs N ≥ m.
    /// </summary>
    public static void SeasonalNaive(ReadOnlySpan<double> history, int season, Span<double> destination)
    {
        int n = history.Length;
        for (int h = 1; h <= destination.Length; h++)
        {
            int cycles = (h + season - 1) / season;
            destination[h - 1] = history[n + h - 1 - season * cycles];
        }
    }

    private static bool IsSignificantPeak(ReadOnlySpan<double> r, ReadOnlySpan<double> standardErrors, int k, double minimum, double multiplier)
        => r[k] > r[k - 1] && r[k] >= r[k + 1] && r[k] > Math.Max(minimum, multiplier * standardErrors[k]);
}
