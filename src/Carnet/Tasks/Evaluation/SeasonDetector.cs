// Dimension legend: N = series length, L = largest lag examined.
using System.Globalization;
using Carnet.Kernels;

namespace Carnet.Tasks.Evaluation;

/// <summary>A detected season: its period and the autocorrelation of the detrended series at that lag.</summary>
/// <param name="Period">The seasonal period in steps; 1 when no seasonality was found.</param>
/// <param name="Autocorrelation">The autocorrelation of the linearly detrended series at <paramref name="Period"/>, NaN when
/// the period is 1.</param>
public sealed record SeasonEstimate(int Period, double Autocorrelation);

/// <summary>
/// Finds a series' seasonal period from its autocorrelation function (ACF).
/// <para>
/// The series is first detrended by subtracting its least-squares line. It is deliberately not differenced: differencing
/// scales a cycle of period m by 2·sin(π/m), which buries long cycles in noise (on first differences the monthly sunspot
/// series' ACF stays below 0.07 at every lag up to 200, while the detrended series shows its ~11-year cycle at 0.55).
/// </para>
/// <para>
/// The ACF of the detrended series is then searched over lags 2 .. min(maxPeriod, N / 2) for local maxima
/// (r_k &gt; r_{k−1}, r_k ≥ r_{k+1}) that exceed both <see cref="MinimumStrength"/> and
/// <see cref="SignificanceMultiplier"/> times the standard error √((1 + 2 Σ_{j=1}^{min(k, z)−1} r_j²) / N), where z is
/// the first lag at which the ACF is ≤ 0. That is Bartlett's error under the null hypothesis of a process whose
/// correlation ends with the ACF's initial positive run. The threshold is at least 2.5/√N, stricter than the white-noise
/// band 2/√N, and it is large for a random walk, whose detrended ACF stays positive for a long stretch and then wanders in
/// slow bumps that it rejects. (The full Bartlett sum over all j &lt; k would also count the season's own oscillation and
/// reject clean cycles seen fewer than about eight times.)
/// </para>
/// <para>
/// The strongest such peak wins, except that a season's multiples repeat its peak (lower only by the estimator's taper
/// and sampling noise), so the shortest peak p with a multiple n·p within n lags of the strongest and an ACF no more than
/// 2/√N below it is preferred.
/// </para>
/// <para>
/// Every lag searched is a chance for noise to pass, so keep maxPeriod near the plausible seasons (say twice the
/// longest): with seeded white noise, 100 values searched up to lag 50 gave a season for 13 seeds of 200, while 300 values
/// up to lag 50 and random walks of 500 values up to lag 100 gave none. A clean cycle needs about five repetitions.
/// </para>
/// </summary>
public static class SeasonDetector
{
    /// <summary>The least autocorrelation a peak needs to count as a season (0.2).</summary>
    public const double MinimumStrength = 0.2;

    /// <summary>How many standard errors (Bartlett's, cut at the ACF's initial positive run) a peak must exceed (2.5).</summary>
    public const double SignificanceMultiplier = 2.5;

    /// <summary>
    /// The seasonal period of <paramref name="series"/>, or 1 when none is found (also for a series shorter than 4 values,
    /// a constant series, a straight line and a series holding NaN or infinite values). See the class remarks for the
    /// method.
    /// </summary>
    /// <param name="series">(N) the series, in time order.</param>
    /// <param name="maxPeriod">The longest period considered, ≥ 2; capped at N / 2 so that each candidate is seen twice.</param>
    /// <returns>The period in steps, 1 for none.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPeriod"/> is below 2.</exception>
    public static int Detect(ReadOnlySpan<double> series, int maxPeriod) => Estimate(series, maxPeriod).Period;

    /// <summary>
    /// As <see cref="Detect"/>, with the autocorrelation at the detected period, for reports.
    /// </summary>
    /// <param name="series">(N) the series, in time order.</param>
    /// <param name="maxPeriod">The longest period considered, ≥ 2; capped at N / 2.</param>
    /// <returns>The period (1 for none) and the detrended series' autocorrelation at it (NaN for none).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPeriod"/> is below 2.</exception>
    public static SeasonEstimate Estimate(ReadOnlySpan<double> series, int maxPeriod)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPeriod, 2);
        int largest = Math.Min(maxPeriod, series.Length / 2);
        var none = new SeasonEstimate(1, double.NaN);
        if (largest < 2)
        {
            return none;
        }

        var residual = new double[series.Length]; // (N)
        SeriesKernels.RemoveLinearTrend(series, residual);
        double spread = SeriesKernels.Moments(series).StandardDeviation;
        double residualSpread = SeriesKernels.Moments(residual).StandardDeviation;
        if (!(residualSpread > 1e-9 * spread))
        {
            // constant, a straight line, or non-finite values: no cycle to find
            return none;
        }

        var autocorrelation = new double[largest + 2]; // (L + 2): lags 0 .. L + 1, so that lag L can be a local maximum
        SeriesKernels.Autocorrelation(residual, autocorrelation);
        var errors = new double[largest + 2]; // (L + 2)
        SeriesKernels.BartlettStandardErrors(autocorrelation, series.Length, errors);
        var (period, value) = SeriesKernels.SeasonalPeak(
            autocorrelation, errors, MinimumStrength, SignificanceMultiplier, 2 / Math.Sqrt(series.Length));
        return period == 1 ? none : new SeasonEstimate(period, value);
    }

    /// <summary>
    /// The sample autocorrelation function r_k = Σ_{t=0}^{N−1−k} (x_t − x̄)(x_{t+k} − x̄) / Σ_t (x_t − x̄)² for
    /// k = 0 .. maxLag, the biased estimator of R's <c>acf</c> and statsmodels' <c>acf</c> (no detrending besides the
    /// mean). Every entry is NaN for a constant series.
    /// </summary>
    /// <param name="series">(N ≥ 1) the series, in time order.</param>
    /// <param name="maxLag">The largest lag, in [0, N − 1].</param>
    /// <returns>(maxLag + 1) the autocorrelations, r_0 = 1.</returns>
    /// <exception cref="ArgumentException">The series is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLag"/> is negative or not below N.</exception>
    public static double[] Autocorrelation(ReadOnlySpan<double> series, int maxLag)
    {
        if (series.IsEmpty)
        {
            throw new ArgumentException("The series is empty: an autocorrelation needs at least one value.", nameof(series));
        }

        if (maxLag < 0 || maxLag >= series.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLag), maxLag, string.Create(CultureInfo.InvariantCulture,
                $"The largest lag of a series of {series.Length} values must be in [0, {series.Length - 1}]."));
        }

        var result = new double[maxLag + 1];
        SeriesKernels.Autocorrelation(series, result);
        return result;
    }
}
