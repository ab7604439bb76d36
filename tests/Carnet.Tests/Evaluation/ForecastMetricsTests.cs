using Carnet.Tasks.Data;
using Carnet.Tasks.Evaluation;
using Carnet.Tests.Training;

namespace Carnet.Tests.Evaluation;

/// <summary>Forecast errors and the naive baselines, by hand and on the airline series.</summary>
public sealed class ForecastMetricsTests
{
    private const double Exact = 1e-14;

    [Fact]
    public void FourErrorsByHand()
    {
        // errors 0.5, 2, 0, 1: MAE 3.5 / 4, RMSE √(5.25 / 4);
        // sMAPE terms 2·0.5/5.5, 2·2/2, 0 (y = ŷ = 0 counts as 0), 2·1/9, times 100 / 4
        double[] actual = [3, -2, 0, 5];
        double[] predicted = [2.5, 0, 0, 4];
        // training |differences| at lag 1: 2, 1, 4, 2 (scale 2.25); at lag 2: 1, 3, 2 (scale 2)
        double[] training = [1, 3, 2, 6, 4];
        var naiveScaled = ForecastMetrics.Compute(actual, predicted, training, 1);
        Assert.Equal(0.875, naiveScaled.Mae, Exact);
        Assert.Equal(Math.Sqrt(1.3125), naiveScaled.Rmse, Exact);
        Assert.Equal(100.0 * (1 / 5.5 + 2 + 2.0 / 9) / 4, naiveScaled.Smape, Exact);
        Assert.Equal(60.1010101010101, naiveScaled.Smape, 12);
        Assert.Equal(0.875 / 2.25, naiveScaled.Mase, Exact);
        Assert.Equal(0.4375, ForecastMetrics.Compute(actual, predicted, training, 2).Mase, Exact);
    }

    [Fact]
    public void PerfectForecastScoresZero()
    {
        double[] values = [0, 1, -2];
        var metrics = ForecastMetrics.Compute(values, values, [1, 2, 4], 1);
        Assert.Equal(new ForecastMetrics(0, 0, 0, 0), metrics);
    }

    [Fact]
    public void SmapeIsBoundedBy200WhenTheSignFlips()
    {
        // |y − ŷ| = |y| + |ŷ| for opposite signs: each term is 2
        var metrics = ForecastMetrics.Compute([1, -3], [-1, 2], [0, 1], 1);
        Assert.Equal(200, metrics.Smape, Exact);
    }

    [Fact]
    public void MaseIsNaNWhenTheTrainingSeriesRepeatsWithTheSeason()
    {
        double[] repeating = [1, 2, 1, 2, 1, 2];
        Assert.True(double.IsNaN(ForecastMetrics.Compute([1], [3], repeating, 2).Mase));
        Assert.True(double.IsNaN(ForecastMetrics.Compute([1], [1], [5, 5, 5], 1).Mase), "0 / 0 is NaN too");
        // the same series at lag 1 moves by 1 every step
        Assert.Equal(2.0, ForecastMetrics.Compute([1], [3], repeating, 1).Mase, Exact);
    }

    [Fact]
    public void SeasonalNaiveOnTheAirlineSeries()
    {
        // numpy by hand: train = first 120 months, forecast the last 24 with y[120 + h − 1 − 12·ceil(h/12)];
        // mean |error| = 71.25, RMSE 76.99458855443457, sMAPE 17.012625361650954 %,
        // MASE scale mean |y_t − y_{t−12}| over train = 28.574074074074073, MASE 2.4935191186001298 (lag-1 scale: 3.2153014789533563)
        double[] series = CsvTable.Read(SeriesDemoTests.AirPassengers).NumericColumn("passengers_thousands");
        double[] training = series[..120];
        double[] forecast = ForecastMetrics.SeasonalNaiveForecast(training, 24, 12);
        Assert.Equal([340.0, 318, 362], forecast[..3]);
        Assert.Equal(training[^12..], forecast[12..]);
        var metrics = ForecastMetrics.Compute(series[120..], forecast, training, 12);
        Assert.Equal(71.25, metrics.Mae, 12);
        Assert.Equal(76.99458855443457, metrics.Rmse, 12);
        Assert.Equal(17.012625361650954, metrics.Smape, 12);
        Assert.Equal(2.4935191186001298, metrics.Mase, 12);
        Assert.Equal(3.2153014789533563, ForecastMetrics.Compute(series[120..], forecast, training, 1).Mase, 12);
    }

    [Fact]
    public void NaiveForecastRepeatsTheLastValue()
    {
        Assert.Equal([3.0, 3, 3], ForecastMetrics.NaiveForecast([1, 2, 3], 3));
        Assert.Equal([7.5], ForecastMetrics.NaiveForecast([7.5], 1));
    }

    [Fact]
    public void SeasonalNaiveForecastRepeatsTheLastSeason()
    {
        // N = 8, m = 3: h = 1, 2, 3 read indices 5, 6, 7; h = 4 .. 6 read them again; h = 7 reads index 5
        double[] history = [10, 20, 30, 40, 50, 60, 70, 80];
        Assert.Equal([60.0, 70, 80, 60, 70, 80, 60], ForecastMetrics.SeasonalNaiveForecast(history, 7, 3));
        Assert.Equal([1.0, 2, 3, 1], ForecastMetrics.SeasonalNaiveForecast([1, 2, 3], 4, 3));
        Assert.Equal(ForecastMetrics.NaiveForecast(history, 4), ForecastMetrics.SeasonalNaiveForecast(history, 4, 1));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        double[] training = [1, 2, 3];
        Assert.Throws<ArgumentException>("predicted", () => ForecastMetrics.Compute([1, 2], [1], training, 1));
        Assert.Throws<ArgumentException>("actual", () => ForecastMetrics.Compute([], [], training, 1));
        var shortTraining = Assert.Throws<ArgumentException>("trainingSeries", () => ForecastMetrics.Compute([1], [1], training, 3));
        Assert.Contains("at least 4 values, not 3", shortTraining.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>("season", () => ForecastMetrics.Compute([1], [1], training, 0));
        Assert.Throws<ArgumentException>("history", () => ForecastMetrics.NaiveForecast([], 2));
        Assert.Throws<ArgumentOutOfRangeException>("horizon", () => ForecastMetrics.NaiveForecast(training, 0));
        Assert.Throws<ArgumentException>("history", () => ForecastMetrics.SeasonalNaiveForecast(training, 2, 4));
        Assert.Throws<ArgumentOutOfRangeException>("season", () => ForecastMetrics.SeasonalNaiveForecast(training, 2, 0));
    }
}
