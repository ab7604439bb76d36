// Dimension legend: N = series length, K = extra features, C = 1 + K channels, W = window, H = horizon,
// M = windows (training, validation or test origins).
using System.Globalization;
using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Evaluation;
using Carnet.Training;

namespace Carnet.Tasks.Forecasting;

/// <summary>What a forecasting run produced: the model, its test forecasts beside the baselines', and the metrics.</summary>
public sealed record ForecastOutcome(
    ForecastModel Model, ForecastPlan Plan, TrainingReport Training, int[] TestIndices, double[] Actual, double[] Predicted,
    double[] Naive, double[] SeasonalNaive, ForecastMetrics ModelMetrics, ForecastMetrics NaiveMetrics, ForecastMetrics SeasonalNaiveMetrics);

/// <summary>
/// Direct multi-step forecasting with a recurrent network, done the way time-series practice asks: a chronological
/// split (test = the last horizons, validation = the horizons before), transforms and scaling fitted on the training
/// part only, the whole horizon predicted at once from a window of past values, inverse transforms before any metric,
/// and the naive and seasonal-naive baselines measured on the same test part.
/// </summary>
public static class Forecaster
{
    /// <summary>Resolves the options against the data: season, horizon, window and split, or a clear error when the series is too short.</summary>
    public static ForecastPlan Plan(SeriesData data, ForecastOptions options)
    {
        int n = data.Length;
        Positive(options.Horizon, "horizon");
        Positive(options.Window, "window");
        Positive(options.Season, "season");
        Positive(options.TestHorizons, "test horizons");
        Positive(options.ValidationHorizons, "validation horizons");
        if (n < 8)
        {
            throw new ArgumentException($"{data.Source}: {n} rows are too few to forecast; at least 8 are needed, and more for a useful model.");
        }

        int season = options.Season ?? SeasonDetector.Detect(data.Values.AsSpan(0, n - n / 10), Math.Min(400, (n - n / 10) / 3));
        int horizon = options.Horizon ?? (season > 1 ? Math.Min(season, 48) : 12);
        int tests = options.TestHorizons ?? Math.Clamp((int)Math.Round(0.1 * n / horizon), 1, 10);
        int validations = options.ValidationHorizons ?? tests;
        int trainingEnd = n - (tests + validations) * horizon;
        int? lag = options.Difference switch
        {
            Differencing.None => 0,
            Differencing.First => 1,
            Differencing.Seasonal => season,
            _ => null,
        };
        if (options.Difference == Differencing.Seasonal && season < 2)
        {
            throw new ArgumentException($"{data.Source}: seasonal differencing needs a season; none was detected (give --season).");
        }

        // seasonal differences when the window cannot show the network two seasons and the pattern repeats more
        // reliably than the level persists (the seasonal-naive forecast beats the naive one over the horizon, in training)
        var training = data.Values.AsSpan(0, Math.Max(0, trainingEnd));
        if (lag is null && season > 1 && 2 * season > ForecastOptions.MaximumAutomaticWindow && training.Length > season + horizon
            && ForecastKernels.HorizonError(training, horizon, season) < ForecastKernels.HorizonError(training, horizon, 1))
        {
            lag = season;
        }

        int first = lag ?? 1; // values lost to differencing
        int wanted = lag > 1 ? Math.Max(2 * horizon, 12) : Math.Max(Math.Max(2 * season, 2 * horizon), 12);
        int window = options.Window ?? Math.Min(Math.Min(wanted, ForecastOptions.MaximumAutomaticWindow), Math.Max(2, (trainingEnd - first - horizon + 1) / 2));
        int trainingWindows = trainingEnd - horizon - window - first + 1;
        if (trainingWindows < MinimumTrainingWindows)
        {
            int needed = (tests + validations) * horizon + horizon + window + first - 1 + MinimumTrainingWindows;
            throw new ArgumentException(
                $"{data.Source}: {n} rows are too few for a horizon of {horizon} with {tests} test and {validations} validation horizon(s) and a window of {window}: " +
                $"at least {needed} rows are needed (give a shorter --horizon or --window).");
        }

        if (options.Logarithm == true && data.Values.Take(trainingEnd).Any(v => v <= 0))
        {
            throw new ArgumentException($"{data.Source}: the logarithm needs a series of positive values; this one has zeros or negative values.");
        }

        if (season >= trainingEnd)
        {
            throw new ArgumentException($"{data.Source}: a season of {season} needs more than {trainingEnd} training rows.");
        }

        return new ForecastPlan(horizon, window, season, tests, validations, trainingEnd, n - tests * horizon, options.Season is null, lag);
    }

    /// <summary>The fewest training windows a run accepts.</summary>
    public const int MinimumTrainingWindows = 8;

    /// <summary>
    /// Trains with early stopping on the validation part and evaluates on the test part beside the baselines, following
    /// <paramref name="plan"/> (from <see cref="Plan"/> for the same data and options), or planning first when it is null.
    /// </summary>
    public static ForecastOutcome Fit(SeriesData data, ForecastOptions options, Action<TrainingProgress>? progress = null, ForecastPlan? plan = null)
    {
        plan ??= Plan(data, options);
        int horizon = plan.Horizon, window = plan.Window, featureCount = data.FeatureNames.Count;
        var transform = SeriesTransform.Fit(
            data.Values.AsSpan(0, plan.TrainingEnd), data.Features.AsSpan(0, plan.TrainingEnd * featureCount), featureCount, plan.Season,
            options.Logarithm, plan.DifferenceLag);
        double[] levels = transform.Levels(data.Values); // (N)
        double[] modelled = transform.Scaled(levels); // (N)
        double[] features = transform.ScaledFeatures(data.Features); // (N, K)

        int firstOrigin = transform.First + window;
        var trainingOrigins = Range(firstOrigin, plan.TrainingEnd - horizon);
        var validationOrigins = Range(Math.Max(firstOrigin, plan.TrainingEnd), plan.TestStart - horizon);
        var testOrigins = Enumerable.Range(0, plan.TestHorizons).Select(k => plan.TestStart + k * horizon).ToArray();

        var random = new RandomSource(options.Seed);
        var network = new SequenceModel<float>(
            options.Cell,
            new RecurrentOptions { InputSize = 1 + featureCount, HiddenSize = options.HiddenSize, NumLayers = options.NumLayers, Dropout = options.Dropout },
            horizon, Pooling.Last, random.Fork());
        var model = new ForecastModel(network, transform, plan.Horizon, window, plan.Season, data.TargetName, data.FeatureNames.ToArray(), data.TimeColumn);
        var adam = new Adam<float>(network.Modules.Select(m => m.Module), options.LearningRate);
        var trainer = new Trainer<float>(network, adam, TrainingLosses.MeanSquaredError<float>(), new TrainerOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Seed = random.NextUInt64(),
            Patience = options.Patience,
            RestoreBestWeights = true,
            ClipGradientNorm = 1.0,
            CheckpointPath = options.CheckpointPath,
            Distributed = options.Distributed,
        });
        if (progress is not null)
        {
            trainer.Progress += progress;
        }

        var report = trainer.Fit(
            Windows(modelled, features, featureCount, trainingOrigins, window, horizon),
            validationOrigins.Length > 0 ? Windows(modelled, features, featureCount, validationOrigins, window, horizon) : null,
            options.Resume);

        double[] predicted = model.ForecastAt(levels, modelled, features, testOrigins);
        var testIndices = Enumerable.Range(plan.TestStart, plan.TestHorizons * horizon).ToArray();
        double[] actual = data.Values[plan.TestStart..];
        var naive = new List<double>();
        var seasonalNaive = new List<double>();
        foreach (int origin in testOrigins)
        {
            naive.AddRange(ForecastMetrics.NaiveForecast(data.Values.AsSpan(0, origin), horizon));
            seasonalNaive.AddRange(ForecastMetrics.SeasonalNaiveForecast(data.Values.AsSpan(0, origin), horizon, plan.Season));
        }

        var history = data.Values.AsSpan(0, plan.TestStart);
        return new ForecastOutcome(
            model, plan, report, testIndices, actual, predicted, naive.ToArray(), seasonalNaive.ToArray(),
            ForecastMetrics.Compute(actual, predicted, history, plan.Season),
            ForecastMetrics.Compute(actual, naive.ToArray(), history, plan.Season),
            ForecastMetrics.Compute(actual, seasonalNaive.ToArray(), history, plan.Season));
    }

    private static SequenceDataset<float> Windows(double[] modelled, double[] features, int featureCount, int[] origins, int window, int horizon)
    {
        int channels = 1 + featureCount;
        var inputs = Tensor<float>.Zeros(origins.Length, window, channels); // (M, W, C)
        var targets = Tensor<float>.Zeros(origins.Length, horizon); // (M, H)
        for (int m = 0; m < origins.Length; m++)
        {
            ForecastKernels.Window<float>(modelled, features, featureCount, origins[m], window,
                inputs.Span.Slice(m * window * channels, window * channels), targets.Span.Slice(m * horizon, horizon));
        }

        return SequenceDataset<float>.FromFeatures(inputs, targets);
    }

    private static int[] Range(int first, int last) => first > last ? [] : Enumerable.Range(first, last - first + 1).ToArray();

    private static void Positive(int? value, string name)
    {
        if (value is < 1)
        {
            throw new ArgumentException($"The {name} must be at least 1; it is {value.Value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }
}
