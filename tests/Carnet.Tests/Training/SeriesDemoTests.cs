using Carnet.Tasks.Forecasting;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>The demo job on the shipped airline series: the loss falls and the LSTM beats the naive forecast.</summary>
public sealed class SeriesDemoTests
{
    internal static string AirPassengers => Path.Combine(AppContext.BaseDirectory, "data", "airpassengers.csv");

    [Fact]
    public void LearnsTheAirlineSeriesBetterThanTheNaiveForecast()
    {
        double[] series = Carnet.Tasks.Data.CsvTable.Read(AirPassengers).NumericColumn("passengers_thousands");
        Assert.Equal(144, series.Length);
        var report = SeriesDemo.Run(series, new SeriesDemoOptions { Epochs = 40 });
        Assert.Equal(40, report.Epochs.Count);
        Assert.True(report.Epochs[^1].TrainingLoss < 0.5 * report.Epochs[0].TrainingLoss, "the training loss halves");
        Assert.Equal(51.78, report.NaiveRootMeanSquaredError, 2);
        Assert.True(report.ModelRootMeanSquaredError < 0.75 * report.NaiveRootMeanSquaredError,
            $"LSTM RMSE {report.ModelRootMeanSquaredError} vs naive {report.NaiveRootMeanSquaredError}");
        Assert.Equal(series[^24..], report.Actual);
    }

    [Fact]
    public void SameSeedSameNumbers()
    {
        double[] series = Carnet.Tasks.Data.CsvTable.Read(AirPassengers).NumericColumn("passengers_thousands");
        var a = SeriesDemo.Run(series, new SeriesDemoOptions { Epochs = 3, Seed = 5 });
        var b = SeriesDemo.Run(series, new SeriesDemoOptions { Epochs = 3, Seed = 5 });
        Assert.Equal(a.Predicted, b.Predicted);
        Assert.Equal(a.Epochs, b.Epochs);
    }
}
