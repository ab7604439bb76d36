using System.Globalization;
using Carnet.Kernels;

namespace Carnet.Tasks.Evaluation;

/// <summary>
/// The point-forecast errors of a held-out stretch of a series: MAE, RMSE, sMAPE and MASE, with the naive and seasonal
/// naive forecasts they are usually compared with.
/// </summary>
/// <param name="Mae">Mean absolute error, Σ|y − ŷ| / H, in the series' unit.</param>
/// <param name="Rmse">Root mean squared error, √(Σ(y − ŷ)² / H), in the series' unit.</param>
/// <param name="Smape">Symmetric mean absolute percentage error in percent (0 to 200), 100 / H · Σ 2|y − ŷ| / (|y| + |ŷ|);
/// a term with |y| + |ŷ| = 0 counts as 0.</param>
/// <param name="Mase">Mean absolute scaled error (Hyndman and Koehler 2006): the MAE divided by the in-sample MAE of the
/// seasonal naive forecast on the training series; below 1 beats that baseline. NaN when the scale is 0 (a training
/// series that repeats exactly with the season), where the ratio means nothing.</param>
public sealed record ForecastMetrics(double Mae, double Rmse, double Smape, double Mase)
{
    /// <summary>
    /// Computes the four errors of <paramref name="predicted"/> against <paramref name="actual"/>. MASE's scale is
    /// mean_{t = m .. N−1} |y_t − y_{t−m}| over the training series y (N values) with m = <paramref name="season"/>;
    /// m = 1 gives the non-seasonal (naive) scale. NaN inputs propagate to the results.
    /// </summary>
    /// <param name="actual">(H) the observed values, H ≥ 1.</param>
    /// <param name="predicted">(H) the forecasts of the same points.</param>
    /// <param name="trainingSeries">(N) the series the model was fitted on, N ≥ m + 1, for MASE's scale.</param>
    /// <param name="season">m ≥ 1, the seasonal period (1 for none).</param>
    /// <returns>MAE, RMSE, sMAPE (percent) and MASE (NaN when its scale is 0).</returns>
    /// <exception cref="ArgumentException">The lengths differ, nothing is forecast, or the training series has at most m values.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The season is below 1.</exception>
    public static ForecastMetrics Compute(
        ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, ReadOnlySpan<double> trainingSeries, int season)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"actual has {actual.Length} values but predicted has {predicted.Length}."), nameof(predicted));
        }

        if (actual.IsEmpty)
        {
            throw new ArgumentException("There are no forecasts to evaluate: actual is empty.", nameof(actual));
        }

        if (trainingSeries.Length <= season)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"MASE with season {season} needs a training series of at least {season + 1} values, not {trainingSeries.Length}."),
                nameof(trainingSeries));
        }

        var (mae, rmse, smape) = MetricsKernels.ForecastErrors(actual, predicted);
        double scale = MetricsKernels.SeasonalNaiveScale(trainingSeries, season);
        return new ForecastMetrics(mae, rmse, smape, scale == 0 ? double.NaN : mae / scale);
    }

    /// <summary>The naive forecast: the last value of <paramref name="history"/>, repeated <paramref name="horizon"/> times.</summary>
    /// <param name="history">(N ≥ 1) the series up to the forecast origin.</param>
    /// <param name="horizon">H ≥ 1, the number of steps ahead.</param>
    /// <returns>(H) the forecasts of the next H values.</returns>
    /// <exception cref="ArgumentException">The history is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The horizon is below 1.</exception>
    public static double[] NaiveForecast(ReadOnlySpan<double> history, int horizon) => SeasonalNaiveForecast(history, horizon, 1);

    /// <summary>
    /// The seasonal naive forecast: ŷ_{N+h} = y_{N+h−m·⌈h/m⌉}, the last observed value of the same season, for
    /// h = 1 .. H (in 1-based time, y_1 .. y_N the history).
    /// </summary>
    /// <param name="history">(N ≥ m) the series up to the forecast origin.</param>
    /// <param name="horizon">H ≥ 1, the number of steps ahead.</param>
    /// <param name="season">m ≥ 1, the seasonal period (1 gives the naive forecast).</param>
    /// <returns>(H) the forecasts of the next H values.</returns>
    /// <exception cref="ArgumentException">The history holds fewer than m values.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The horizon or the season is below 1.</exception>
    public static double[] SeasonalNaiveForecast(ReadOnlySpan<double> history, int horizon, int season)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        if (history.IsEmpty)
        {
            throw new ArgumentException("The history is empty: a forecast needs at least one past value.", nameof(history));
        }

        if (history.Length < season)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A seasonal naive forecast with season {season} needs at least {season} past values, not {history.Length}."),
                nameof(history));
        }

        var forecast = new double[horizon];
        SeriesKernels.SeasonalNaive(history, season, forecast);
        return forecast;
    }
}
