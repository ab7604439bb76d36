using System.Globalization;
using System.Text;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Data;
using Carnet.Tasks.Evaluation;
using Carnet.Tasks.Forecasting;
using Carnet.Tests.Training;

namespace Carnet.Tests.Forecasting;

/// <summary>The plan resolved from options and data, and a tiny forecaster: reproducible, consistent with its saved form and baselines.</summary>
public sealed class ForecasterTests
{
    private static readonly ForecastOptions Tiny = new() { HiddenSize = 6, Epochs = 5, Seed = 3 };

    private static readonly Lazy<ForecastOutcome> AirlineOutcome = new(() => Forecaster.Fit(Airline(), Tiny));

    private static SeriesData Airline() => SeriesData.FromTable(CsvTable.Read(SeriesDemoTests.AirPassengers));

    /// <summary>The airline file cut after its first <paramref name="rows"/> rows, parsed from text.</summary>
    private static SeriesData AirlineHead(int rows)
    {
        string[] lines = File.ReadAllLines(SeriesDemoTests.AirPassengers);
        return SeriesData.FromTable(CsvTable.Parse(string.Join("\n", lines[..(1 + rows)]), $"air{rows}.csv"));
    }

    private static SeriesData Synthetic(int rows)
    {
        var text = new StringBuilder("step,value\n");
        for (int t = 0; t < rows; t++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{t},{10 + Math.Sin(t):R}\n");
        }

        return SeriesData.FromTable(CsvTable.Parse(text.ToString(), "short.csv"), "value");
    }

    private static byte[] Bytes(ForecastModel model) => ModelFile.Serialize(model.Network, model.Preprocessing());

    [Fact]
    public void TheAirlineDefaultsAreOneSeasonAheadFromTwoSeasons()
    {
        var plan = Forecaster.Plan(Airline(), new ForecastOptions());
        Assert.Equal(new ForecastPlan(Horizon: 12, Window: 24, Season: 12, TestHorizons: 1, ValidationHorizons: 1, TrainingEnd: 120,
            TestStart: 132, SeasonDetected: true, DifferenceLag: null), plan);
    }

    private static SeriesData Series(IEnumerable<double> values, string name)
    {
        var text = new StringBuilder("value\n");
        foreach (double v in values)
        {
            text.Append(CultureInfo.InvariantCulture, $"{v:R}\n");
        }

        return SeriesData.FromTable(CsvTable.Parse(text.ToString(), name));
    }

    [Fact]
    public void ALongSeasonThatRepeatsIsDifferencedSeasonallyWithAWindowOfTwoHorizons()
    {
        // period 200 (two seasons would need a window of 400 > 336); the pattern repeats, so last season beats the last value
        var random = new RandomSource(4);
        var seasonal = Series(Enumerable.Range(0, 2000).Select(t => 100 + 20 * Math.Sin(2 * Math.PI * t / 200) + random.NextGaussian()), "long-season.csv");
        var plan = Forecaster.Plan(seasonal, new ForecastOptions { Season = 200 });
        Assert.Equal((48, 200, 96), (plan.Horizon, plan.DifferenceLag ?? -1, plan.Window));

        // a random walk given the same season: the last value beats last season's, so the transform decides (first or none)
        var walk = new double[2000];
        for (int t = 1; t < walk.Length; t++)
        {
            walk[t] = walk[t - 1] + random.NextGaussian();
        }

        var walkPlan = Forecaster.Plan(Series(walk, "walk.csv"), new ForecastOptions { Season = 200 });
        Assert.Null(walkPlan.DifferenceLag);
        Assert.Equal(ForecastOptions.MaximumAutomaticWindow, walkPlan.Window);

        // asked for, and forbidden
        Assert.Equal(200, Forecaster.Plan(Series(walk, "walk.csv"), new ForecastOptions { Season = 200, Difference = Differencing.Seasonal }).DifferenceLag);
        Assert.Equal(0, Forecaster.Plan(seasonal, new ForecastOptions { Season = 200, Difference = Differencing.None }).DifferenceLag);
    }

    [Fact]
    public void SeasonalDifferencesAreScaledButNotCentredSoZeroIsTheSeasonalNaiveForecast()
    {
        var random = new RandomSource(6);
        double[] values = Enumerable.Range(0, 400).Select(t => 50 + 0.1 * t + 5 * Math.Sin(2 * Math.PI * t / 50) + random.NextGaussian()).ToArray();
        var transform = SeriesTransform.Fit(values.AsSpan(0, 300), [], 0, 50, false, 50);
        Assert.Equal(0.0, transform.Mean);
        double[] levels = transform.Levels(values);
        double[] restored = transform.Restore(new double[60], levels.AsSpan(0, 320));
        Assert.Equal(ForecastMetrics.SeasonalNaiveForecast(values.AsSpan(0, 320), 60, 50), restored);
    }

    [Fact]
    public void GivenOptionsAreUsed()
    {
        var plan = Forecaster.Plan(Airline(), new ForecastOptions { Horizon = 6, Window = 10, Season = 4, TestHorizons = 2, ValidationHorizons = 3 });
        Assert.Equal(new ForecastPlan(6, 10, 4, 2, 3, TrainingEnd: 114, TestStart: 132, SeasonDetected: false, DifferenceLag: null), plan);
    }

    [Fact]
    public void TheAutomaticWindowShrinksForAShortSeries()
    {
        // 60 rows, season 12: horizon 12, 1 test and 1 validation horizon, training end 36; the window is (36 − 1 − 12 + 1) / 2
        var plan = Forecaster.Plan(Synthetic(60), new ForecastOptions { Season = 12 });
        Assert.Equal(new ForecastPlan(12, 12, 12, 1, 1, 36, 48, false, null), plan);
    }

    [Fact]
    public void ASeriesTooShortForTheOptionsNamesTheRowsNeeded()
    {
        // 24 test and validation rows + 12 + a window of 12 + 8 training windows: 56 rows
        var options = new ForecastOptions { Horizon = 12, Window = 12, Season = 1 };
        var error = Assert.Throws<ArgumentException>(() => Forecaster.Plan(Synthetic(40), options));
        Assert.Equal("short.csv: 40 rows are too few for a horizon of 12 with 1 test and 1 validation horizon(s) and a window of 12: " +
            "at least 56 rows are needed (give a shorter --horizon or --window).", error.Message);
        Assert.Throws<ArgumentException>(() => Forecaster.Plan(Synthetic(55), options));
        Assert.Equal(32, Forecaster.Plan(Synthetic(56), options).TrainingEnd);
    }

    [Fact]
    public void FewerThanEightRowsOrALongSeasonAreRefused()
    {
        // 60 rows, horizon 2: 3 test and 3 validation horizons leave 48 training rows
        var tiny = Assert.Throws<ArgumentException>(() => Forecaster.Plan(Synthetic(7), new ForecastOptions()));
        Assert.Equal("short.csv: 7 rows are too few to forecast; at least 8 are needed, and more for a useful model.", tiny.Message);
        var season = Assert.Throws<ArgumentException>(() => Forecaster.Plan(Synthetic(60), new ForecastOptions { Season = 48, Horizon = 2, Window = 4 }));
        Assert.Equal("short.csv: a season of 48 needs more than 48 training rows.", season.Message);
    }

    [Theory]
    [InlineData("horizon")]
    [InlineData("window")]
    [InlineData("season")]
    [InlineData("test horizons")]
    [InlineData("validation horizons")]
    public void NonPositiveOptionsAreRefused(string name)
    {
        foreach (int value in new[] { 0, -3 })
        {
            var options = name switch
            {
                "horizon" => new ForecastOptions { Horizon = value },
                "window" => new ForecastOptions { Window = value },
                "season" => new ForecastOptions { Season = value },
                "test horizons" => new ForecastOptions { TestHorizons = value },
                _ => new ForecastOptions { ValidationHorizons = value },
            };
            var error = Assert.Throws<ArgumentException>(() => Forecaster.Plan(Airline(), options));
            Assert.Equal($"The {name} must be at least 1; it is {value}.", error.Message);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameModelBitForBitAndAnotherSeedDoesNot()
    {
        var first = AirlineOutcome.Value;
        var again = Forecaster.Fit(Airline(), Tiny);
        var other = Forecaster.Fit(Airline(), Tiny with { Seed = 4 });
        Assert.Equal(Bytes(first.Model), Bytes(again.Model));
        Assert.Equal(first.Predicted, again.Predicted);
        Assert.Equal(first.Training.Epochs, again.Training.Epochs);
        Assert.NotEqual(Bytes(first.Model), Bytes(other.Model));
        Assert.NotEqual(first.Predicted, other.Predicted);
    }

    [Fact]
    public void TheOutcomeHoldsTheTestPartAndTheBaselinesOfItsHistory()
    {
        var outcome = AirlineOutcome.Value;
        double[] series = Airline().Values;
        double[] history = series[..132];
        Assert.Equal(5, outcome.Training.Epochs.Count);
        Assert.Equal(Enumerable.Range(132, 12), outcome.TestIndices);
        Assert.Equal(series[132..], outcome.Actual);
        Assert.Equal(ForecastMetrics.NaiveForecast(history, 12), outcome.Naive);
        Assert.Equal(ForecastMetrics.SeasonalNaiveForecast(history, 12, 12), outcome.SeasonalNaive);
        Assert.Equal(series[120..132], outcome.SeasonalNaive);
        Assert.Equal(ForecastMetrics.Compute(outcome.Actual, outcome.Predicted, history, 12), outcome.ModelMetrics);
        Assert.Equal(ForecastMetrics.Compute(outcome.Actual, outcome.Naive, history, 12), outcome.NaiveMetrics);
        Assert.Equal(ForecastMetrics.Compute(outcome.Actual, outcome.SeasonalNaive, history, 12), outcome.SeasonalNaiveMetrics);
    }

    [Fact]
    public void TheModelKeepsItsSettings()
    {
        var model = AirlineOutcome.Value.Model;
        Assert.Equal((12, 24, 12), (model.Horizon, model.Window, model.Season));
        Assert.Equal("passengers_thousands", model.Target);
        Assert.Equal("year+month", model.TimeColumn);
        Assert.Empty(model.Features);
        Assert.True(model.Transform.Logarithm);
        Assert.True(model.Transform.Difference);
        Assert.Equal(25, model.MinimumLength);
        Assert.Equal(RecurrentCellKind.Lstm, model.Network.Options.Cell);
        Assert.Equal((1, 6, 12), (model.Network.Options.Recurrent.InputSize, model.Network.Options.Recurrent.HiddenSize, model.Network.Options.OutputSize));
    }

    [Fact]
    public void TheTestForecastIsTheForecastFromTheSeriesCutAtTheTestStart()
    {
        var outcome = AirlineOutcome.Value;
        double[] next = outcome.Model.ForecastNext(AirlineHead(132));
        Assert.Equal(outcome.Predicted, next);
        Assert.All(next, v => Assert.InRange(v, 200, 1000));
        Assert.NotEqual(next, outcome.Model.ForecastNext(AirlineHead(131)));
    }

    [Fact]
    public void ASeriesShorterThanTheWindowCannotBeForecast()
    {
        var model = AirlineOutcome.Value.Model;
        Assert.Equal(12, model.ForecastNext(AirlineHead(25)).Length);
        var error = Assert.Throws<ArgumentException>(() => model.ForecastNext(AirlineHead(24)));
        Assert.Equal("air24.csv: 24 rows are too few; this model reads a window of 24 steps and needs at least 25 rows.", error.Message);
    }

    [Fact]
    public void ASavedModelLoadsAndForecastsBitForBit()
    {
        var model = AirlineOutcome.Value.Model;
        string folder = Directory.CreateTempSubdirectory("carnet-").FullName;
        try
        {
            string path = Path.Combine(folder, "air.safetensors");
            model.Save(path);
            var loaded = ForecastModel.Load(path);
            Assert.Equal(model.ForecastNext(Airline()), loaded.ForecastNext(Airline()));
            Assert.Equal(model.Preprocessing(), loaded.Preprocessing());
            Assert.Equal(Bytes(model), Bytes(loaded));
            Assert.Equal(File.ReadAllBytes(path), Bytes(loaded));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AModelWithAnExtraFeatureRoundTrips()
    {
        var text = new StringBuilder("day,temperature,load\n");
        for (int t = 0; t < 90; t++)
        {
            double temperature = 15 + 5 * Math.Sin(2 * Math.PI * t / 7);
            text.Append(CultureInfo.InvariantCulture, $"{t + 1},{temperature:R},{100 + 2 * temperature + (t % 7):R}\n");
        }

        var data = SeriesData.FromTable(CsvTable.Parse(text.ToString(), "load.csv"), features: ["temperature"]);
        var outcome = Forecaster.Fit(data, new ForecastOptions { HiddenSize = 4, Epochs = 3, Horizon = 7, Window = 14, Season = 7, Seed = 1 });
        var model = outcome.Model;
        Assert.Equal(["temperature"], model.Features);
        Assert.Equal("load", model.Target);
        Assert.Equal(2, model.Network.Options.Recurrent.InputSize);
        Assert.Equal(outcome.Predicted, model.ForecastNext(SeriesData.FromTable(
            CsvTable.Parse(string.Join("\n", text.ToString().Split('\n')[..(1 + outcome.Plan.TestStart)]), "load-head.csv"), features: ["temperature"])));

        var loaded = ForecastModel.FromLoaded(ModelFile.Load<float>(SafeTensorsFile.Parse(Bytes(model), "load.safetensors")), "load.safetensors");
        Assert.Equal(model.Transform.FeatureMeans, loaded.Transform.FeatureMeans);
        Assert.Equal(model.Transform.FeatureDeviations, loaded.Transform.FeatureDeviations);
        Assert.Equal(model.ForecastNext(data), loaded.ForecastNext(data));

        var withoutFeature = SeriesData.FromTable(CsvTable.Parse(text.ToString(), "load.csv"), "load");
        var error = Assert.Throws<ArgumentException>(() => model.ForecastNext(withoutFeature));
        Assert.Equal("load.csv: this model reads the extra feature(s) temperature, but the series has none.", error.Message);
        var extra = Assert.Throws<ArgumentException>(() => AirlineOutcome.Value.Model.ForecastNext(data));
        Assert.Equal("load.csv: this model reads the extra feature(s) none, but the series has temperature.", extra.Message);
    }

    [Fact]
    public void AClassifierOrAPlainModelIsNotAForecaster()
    {
        var network = new SequenceModel<float>(new SequenceModelOptions
        {
            Recurrent = new RecurrentOptions { InputSize = 4, HiddenSize = 4 },
            VocabularySize = 3,
            PaddingIndex = 0,
            OutputSize = 2,
        }, new RandomSource(1));
        var classifier = new SequenceClassifier(network, ["a", "b"], ["", "<unk>", "x"], [], [], new SequenceColumns { Label = "label" });
        var classifierFile = SafeTensorsFile.Parse(ModelFile.Serialize(network, classifier.Preprocessing()), "classifier.safetensors");
        var error = Assert.Throws<SafeTensorsFormatException>(() => ForecastModel.FromLoaded(ModelFile.Load<float>(classifierFile), "classifier.safetensors"));
        Assert.Equal("classifier.safetensors: this model's task is 'classify', not a forecasting model", error.Message);

        var plainFile = SafeTensorsFile.Parse(ModelFile.Serialize(network), "plain.safetensors");
        var plain = Assert.Throws<SafeTensorsFormatException>(() => ForecastModel.FromLoaded(ModelFile.Load<float>(plainFile), "plain.safetensors"));
        Assert.Equal("plain.safetensors: this model's task is 'none', not a forecasting model", plain.Message);

        var model = AirlineOutcome.Value.Model;
        var forecastFile = SafeTensorsFile.Parse(Bytes(model), "forecast.safetensors");
        var reverse = Assert.Throws<SafeTensorsFormatException>(() => SequenceClassifier.FromLoaded(ModelFile.Load<float>(forecastFile), "forecast.safetensors"));
        Assert.Equal("forecast.safetensors: this model's task is 'forecast', not a sequence classifier", reverse.Message);
    }

    [Fact]
    public void PreprocessingThatDoesNotFitTheNetworkIsRefused()
    {
        var model = AirlineOutcome.Value.Model;
        var preprocessing = model.Preprocessing();
        preprocessing["horizon"] = "6";
        var file = SafeTensorsFile.Parse(ModelFile.Serialize(model.Network, preprocessing), "bad.safetensors");
        var error = Assert.Throws<SafeTensorsFormatException>(() => ForecastModel.FromLoaded(ModelFile.Load<float>(file), "bad.safetensors"));
        Assert.Equal("bad.safetensors: the network (input size 1, 12 outputs) does not fit the preprocessing (0 extra feature(s), horizon 6)", error.Message);

        preprocessing = model.Preprocessing();
        preprocessing["window"] = "0";
        file = SafeTensorsFile.Parse(ModelFile.Serialize(model.Network, preprocessing), "bad.safetensors");
        var window = Assert.Throws<SafeTensorsFormatException>(() => ForecastModel.FromLoaded(ModelFile.Load<float>(file), "bad.safetensors"));
        Assert.Equal("bad.safetensors: metadata 'preprocessing.window' is '0'; expected an integer from 1 to 16777216", window.Message);
    }
}
