// Dimension legend: N = windows, W = window length, B = batch.
using System.Globalization;
using Carnet.IO;
using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Evaluation;
using Carnet.Training;

namespace Carnet.Tasks.Forecasting;

/// <summary>The settings of <see cref="SeriesDemo"/>.</summary>
public sealed record SeriesDemoOptions
{
    /// <summary>Past values the model reads to predict the next one.</summary>
    public int Window { get; init; } = 12;

    /// <summary>LSTM units.</summary>
    public int HiddenSize { get; init; } = 32;

    /// <summary>Passes over the training windows.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Windows per optimizer step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>The last values of the series, held out and predicted one step ahead.</summary>
    public int TestSize { get; init; } = 24;

    /// <summary>Whether to model the logarithm of the series (for growth that is multiplicative).</summary>
    public bool Logarithm { get; init; } = true;

    /// <summary>Whether to model the change from one value to the next (removes a trend the model could not extrapolate).</summary>
    public bool Difference { get; init; } = true;

    /// <summary>Seed of initial weights and shuffles.</summary>
    public ulong Seed { get; init; } = 42;
}

/// <summary>One epoch of the demo: its mean training loss (on the scaled series).</summary>
public sealed record SeriesDemoEpoch(int Epoch, double TrainingLoss);

/// <summary>The demo's outcome: losses, and one-step-ahead errors on the held-out end of the series.</summary>
public sealed record SeriesDemoReport(
    IReadOnlyList<SeriesDemoEpoch> Epochs, double ModelRootMeanSquaredError, double NaiveRootMeanSquaredError, double[] Actual, double[] Predicted,
    SequenceModel<float> Model, IReadOnlyDictionary<string, string> Preprocessing);

/// <summary>
/// The smallest end-to-end job: an LSTM learns to predict a series' next value from a window of past values
/// (log and standard scaling fitted on the training part only), and is compared on the held-out end with the
/// naive forecast (the previous value). The full forecasting command builds on the same pieces.
/// </summary>
public static class SeriesDemo
{
    /// <summary>Trains and evaluates; <paramref name="progress"/> hears each epoch.</summary>
    public static SeriesDemoReport Run(double[] series, SeriesDemoOptions options, Action<SeriesDemoEpoch>? progress = null)
    {
        int window = options.Window, trainEnd = series.Length - options.TestSize;
        if (options.TestSize < 1 || trainEnd - window < 2)
        {
            throw new ArgumentException($"A series of {series.Length} values is too short for a window of {window} and {options.TestSize} test values.");
        }

        if (options.Logarithm && series.Any(v => v <= 0))
        {
            throw new ArgumentException("The logarithm needs a series of positive values.");
        }

        // log, then differences, then standard scaling fitted on the training part only:
        // modelled[i] belongs to series index i + offset
        var levels = new double[series.Length];
        SeriesKernels.Transform(series, options.Logarithm, 0, 1, levels);
        int offset = options.Difference ? 1 : 0;
        var modelled = new double[series.Length - offset];
        if (options.Difference)
        {
            SeriesKernels.Difference(levels, modelled);
        }
        else
        {
            levels.CopyTo(modelled, 0);
        }

        var (mean, deviation) = SeriesKernels.Moments(modelled.AsSpan(0, trainEnd - offset));
        SeriesKernels.Transform(modelled, false, mean, deviation, modelled);

        int windows = modelled.Length - window;
        var inputs = new float[windows * window]; // (N, W)
        var targets = new float[windows]; // (N)
        SeriesKernels.Windows<float>(modelled, window, inputs, targets);
        int trainWindows = trainEnd - offset - window; // windows whose target lies before the held-out part

        var random = new RandomSource(options.Seed);
        var model = new SequenceModel<float>(
            RecurrentCellKind.Lstm, new RecurrentOptions { InputSize = 1, HiddenSize = options.HiddenSize }, 1, Pooling.Last, random);
        var epochs = Train(model, new WindowBatches(inputs, targets, window, trainWindows, options.BatchSize), options, random, progress);

        // one step ahead over the held-out end, back on the original scale
        var test = Tensor<float>.FromValues(inputs.AsSpan((windows - options.TestSize) * window), options.TestSize, window, 1);
        double[] predicted = model.Forward(test).Prediction.ToDoubles();
        ReadOnlySpan<double> previousLevels = options.Difference ? levels.AsSpan(trainEnd - 1, options.TestSize) : new double[options.TestSize];
        SeriesKernels.UndoDifference(previousLevels, predicted, options.Logarithm, mean, deviation, predicted);
        double[] actual = series[trainEnd..];
        double[] naive = series[(trainEnd - 1)..^1];
        var preprocessing = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["window"] = window.ToString(CultureInfo.InvariantCulture),
            ["logarithm"] = options.Logarithm ? "true" : "false",
            ["difference"] = options.Difference ? "true" : "false",
            ["scaling.mean"] = mean.ToString("R", CultureInfo.InvariantCulture),
            ["scaling.deviation"] = deviation.ToString("R", CultureInfo.InvariantCulture),
        };
        return new SeriesDemoReport(
            epochs, SeriesKernels.RootMeanSquaredError(actual, predicted), SeriesKernels.RootMeanSquaredError(actual, naive), actual, predicted,
            model, preprocessing);
    }

    /// <summary>Trains through the training loop: each epoch reshuffles the same order of windows, with no validation.</summary>
    private static List<SeriesDemoEpoch> Train(
        SequenceModel<float> model, WindowBatches windows, SeriesDemoOptions options, RandomSource random, Action<SeriesDemoEpoch>? progress)
    {
        var trainable = new SeriesDemoTrainable(model);
        var adam = new Adam<float>(trainable.Modules.Select(m => m.Module), options.LearningRate);
        var loop = new TrainingLoop<float, WindowBatch>(trainable, adam, new TrainingLoopOptions { Epochs = options.Epochs });
        var epochs = new List<SeriesDemoEpoch>();
        loop.Progress += p =>
        {
            if (p.EpochEnd)
            {
                var record = new SeriesDemoEpoch(p.Epoch, p.TrainingLoss);
                epochs.Add(record);
                progress?.Invoke(record);
            }
        };
        loop.Fit(new BatchSource<WindowBatch>(windows.Epoch), random);
        return epochs;
    }

    /// <summary>The training windows' order, reshuffled in place each epoch and cut into batches.</summary>
    private sealed class WindowBatches(float[] inputs, float[] targets, int window, int count, int batchSize)
    {
        private readonly int[] order = Enumerable.Range(0, count).ToArray();

        public IEnumerable<WindowBatch> Epoch(RandomSource random)
        {
            random.Shuffle(order.AsSpan());
            return Gather();
        }

        private IEnumerable<WindowBatch> Gather()
        {
            for (int start = 0; start < count; start += batchSize)
            {
                int[] batch = order[start..Math.Min(count, start + batchSize)];
                var x = Tensor<float>.Zeros(batch.Length, window, 1); // (B, W, 1)
                var y = Tensor<float>.Zeros(batch.Length, 1); // (B, 1)
                SequenceKernels.Gather<float>(inputs, batch, window, x.Span);
                SequenceKernels.Gather<float>(targets, batch, 1, y.Span);
                yield return new WindowBatch(x, y);
            }
        }
    }
}

/// <summary>A batch of the demo's windows (B, W, 1) and their next values (B, 1).</summary>
internal sealed record WindowBatch(Tensor<float> Inputs, Tensor<float> Targets);

/// <summary>
/// The demo's model as a <see cref="ITrainable{T, TBatch}"/>: forward without dropout, the mean squared error, and the
/// epoch's loss summed as loss·batch length (in single precision) and divided by the windows. No validation or checkpoints.
/// </summary>
internal sealed class SeriesDemoTrainable(SequenceModel<float> model) : ITrainable<float, WindowBatch>
{
    public IReadOnlyList<(string Prefix, Module<float> Module)> Modules => model.Modules;

    public TrainingPass<float> Forward(WindowBatch batch, RecurrentCarry<float>? carried, RandomSource random)
    {
        var result = model.Forward(batch.Inputs, training: true);
        int b = batch.Inputs.Shape[0];
        var gradient = Tensor<float>.Zeros(b, 1); // (B, 1)
        float loss = Losses.MeanSquaredError(result.Prediction, batch.Targets, gradient);
        return new SequenceModelPass<float>(model, result, gradient) { Loss = loss, Sum = loss * b, Count = b };
    }

    public double? Validate() => null;

    public Dictionary<string, string> CheckpointMetadata() => throw new NotSupportedException("The demo keeps no checkpoint.");

    public void CheckCheckpoint(SafeTensorsFile file) => throw new NotSupportedException("The demo keeps no checkpoint.");
}
