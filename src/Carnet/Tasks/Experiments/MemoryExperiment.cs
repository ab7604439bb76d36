// Dimension legend: B = sequences per batch, T = time steps, O = outputs.
using System.Diagnostics;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tasks.Experiments;

/// <summary>The settings of a <see cref="MemoryExperiment"/>.</summary>
public sealed record ExperimentOptions
{
    /// <summary>The task.</summary>
    public MemoryTaskKind Task { get; init; } = MemoryTaskKind.Adding;

    /// <summary>T: the minimal sequence length (the gap, for copy).</summary>
    public int SequenceLength { get; init; } = 100;

    /// <summary>4 or 8 classes, for temporal order.</summary>
    public int Classes { get; init; } = 4;

    /// <summary>The recurrent cell.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>
    /// LSTM only: the input gate's initial bias; null keeps PyTorch's uniform initialisation. The default, −5
    /// (σ(−5) ≈ 0.007), starts the gate nearly closed, as the 1997 paper biased its input gates against state drift:
    /// otherwise every step's input is written into the open cell and buries the two values that matter. With it the
    /// adding problem at T = 200 is learned; without it the LSTM stayed at the baseline for 550,000 sequences.
    /// </summary>
    public double? InputGateBias { get; init; } = -5.0;

    /// <summary>Units of the recurrent layer.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Sequences per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// LSTM only: the forget gate's initial bias; null keeps PyTorch's uniform initialisation. The default, 5
    /// (σ(5) ≈ 0.993), starts the cell close to the 1997 LSTM, which had no forget gate: its constant error carousel
    /// carries the error back across the whole gap from the first update. With PyTorch's initialisation (f ≈ 0.5) or
    /// Keras' bias of 1 (f ≈ 0.73) the error reaching a step 50 steps back is 10⁻⁷ to 10⁻¹⁵ of its size, and the adding
    /// problem at T = 100 stays at the baseline for more than 700,000 sequences.
    /// </summary>
    public double? ForgetGateBias { get; init; } = 5.0;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Gradients are clipped to this global 2-norm before each step.</summary>
    public double ClipGradientNorm { get; init; } = 1.0;

    /// <summary>Seed of the weights, the training sequences and the test sequences.</summary>
    public ulong Seed { get; init; }

    /// <summary>New sequences the model is tested on after training.</summary>
    public int TestSequences { get; init; } = 2560;

    /// <summary>Training stops after this many sequences if the task's stopping rule has not stopped it before.</summary>
    public long MaximumSequences { get; init; } = 10_000_000;

    /// <summary>Training stops after this time if the task's stopping rule has not stopped it before.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Creates the task these options describe.</summary>
    public MemoryTask CreateTask() => MemoryTask.Create(Task, SequenceLength, Classes);
}

/// <summary>Progress while an experiment trains: the recent training sequences' wrong fraction and mean error.</summary>
public sealed record ExperimentProgress(long SequencesSeen, double RecentWrongFraction, double RecentError, TimeSpan Elapsed);

/// <summary>Why training stopped.</summary>
public enum ExperimentStop
{
    /// <summary>The task's stopping rule: the recent training sequences were processed correctly.</summary>
    Learned,

    /// <summary>The budget of training sequences ran out.</summary>
    SequenceBudget,

    /// <summary>The time budget ran out.</summary>
    TimeBudget,
}

/// <summary>
/// The outcome of an experiment: test figures on fresh sequences beside the best constant answer's, what training cost,
/// the learning curve, and the gradient norms ‖dL/dh_t‖ by distance from the sequence end: before and after training,
/// and at initialisation for each cell type (same seed and size, the LSTM with the options' forget-gate bias and with
/// PyTorch's initialisation) on the same sequences.
/// </summary>
public sealed record ExperimentResult(
    string Task, RecurrentCellKind Cell, int SequenceLength, double WrongFraction, double TestError, double Baseline, double BaselineWrongFraction,
    long SequencesSeen, TimeSpan Elapsed, ExperimentStop Stop, IReadOnlyList<ExperimentProgress> Curve,
    double[] GradientFlowBefore, double[] GradientFlowAfter, IReadOnlyList<GradientFlowCurve> GradientFlowByCell, SequenceModel<float> Model);

/// <summary>One gradient-flow curve at initialisation: its label and ‖dL/dh_t‖ by distance from the sequence end.</summary>
public sealed record GradientFlowCurve(string Label, double[] Norms);

/// <summary>
/// Trains a recurrent network on fresh sequences of a <see cref="MemoryTask"/> until the task's stopping rule or a
/// budget, then tests it on new sequences, as Hochreiter &amp; Schmidhuber (1997) report their experiments.
/// </summary>
public static class MemoryExperiment
{
    private const int ProgressEvery = 2000;

    /// <summary>Builds the network an experiment trains: one recurrent layer and a linear read-out (per step for per-step tasks).</summary>
    public static SequenceModel<float> CreateModel(
        MemoryTask task, RecurrentCellKind cell, int hiddenSize, double? forgetGateBias, double? inputGateBias, RandomSource random)
    {
        bool biases = RecurrentCells.Of(cell).SupportsGateBiases;
        var recurrent = new RecurrentOptions
        {
            InputSize = task.InputSize, HiddenSize = hiddenSize, ForgetGateBias = biases ? forgetGateBias : null, InputGateBias = biases ? inputGateBias : null,
        };
        return new(cell, recurrent, task.OutputSize, task.PerStep ? Pooling.None : Pooling.Last, random);
    }

    /// <summary>The loss the task trains with: mean squared error for values, cross-entropy for classes.</summary>
    public static TrainingLoss<float> LossOf(MemoryTask task, Reduction reduction = Reduction.Mean)
        => task.IsRegression ? TrainingLosses.MeanSquaredError<float>(reduction) : TrainingLosses.CrossEntropy<float>(reduction: reduction);

    /// <summary>The model's inputs and targets for a generated batch.</summary>
    public static TrainingBatch<float> ToTrainingBatch(TaskBatch batch)
    {
        var inputs = SequenceBatch<float>.FromFeatures(new Tensor<float>(batch.Features, batch.Batch, batch.Steps, batch.InputSize), batch.Lengths);
        var targets = batch.Values is { } values
            ? new BatchTargets<float>(new Tensor<float>(values, batch.Batch, 1), null)
            : new BatchTargets<float>(null, batch.Classes);
        return new TrainingBatch<float>(inputs, targets);
    }

    /// <summary>Runs the experiment; <paramref name="progress"/> hears every 2000 training sequences.</summary>
    public static ExperimentResult Run(ExperimentOptions options, Action<ExperimentProgress>? progress = null)
    {
        var task = options.CreateTask();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TestSequences);
        var seeds = new RandomSource(options.Seed);
        ulong weightSeed = seeds.NextUInt64();
        RandomSource trainingRandom = seeds.Fork(), testing = seeds.Fork();
        var test = task.Generate(options.TestSequences, testing); // fixed by the seed, whatever training does
        var probe = task.Generate(Math.Min(256, options.TestSequences), testing);
        double[] Initial(RecurrentCellKind cell, double? forgetGateBias, double? inputGateBias)
            => GradientFlow.Measure(CreateModel(task, cell, options.HiddenSize, forgetGateBias, inputGateBias, new RandomSource(weightSeed)), task, probe);
        bool biased = options.ForgetGateBias is not null || options.InputGateBias is not null;
        var byCell = new List<GradientFlowCurve>
        {
            new(biased ? $"LSTM, gate biases{Bias(" f", options.ForgetGateBias)}{Bias(" i", options.InputGateBias)}" : "LSTM",
                Initial(RecurrentCellKind.Lstm, options.ForgetGateBias, options.InputGateBias)),
        };
        if (biased)
        {
            byCell.Add(new("LSTM, PyTorch's initialisation", Initial(RecurrentCellKind.Lstm, null, null)));
        }

        byCell.Add(new("GRU", Initial(RecurrentCellKind.Gru, null, null)));
        byCell.Add(new("RNN", Initial(RecurrentCellKind.Rnn, null, null)));
        var model = CreateModel(task, options.Cell, options.HiddenSize, options.ForgetGateBias, options.InputGateBias, new RandomSource(weightSeed));
        double[] before = options.Cell switch
        {
            RecurrentCellKind.Lstm => byCell[0].Norms,
            RecurrentCellKind.Gru => byCell[^2].Norms,
            _ => byCell[^1].Norms,
        };

        var clock = Stopwatch.StartNew();
        var (seen, stop, curve) = Train(model, task, options, trainingRandom, progress);
        var (wrong, testError) = Test(model, task, test);
        var (baseline, baselineWrong) = task.Baseline(test);
        double[] after = GradientFlow.Measure(model, task, probe);
        return new ExperimentResult(
            task.Name, options.Cell, options.SequenceLength, wrong, testError, baseline, baselineWrong, seen, clock.Elapsed, stop, curve,
            before, after, byCell, model);
    }

    /// <summary>
    /// Trains on fresh batches through the training loop until the task's stopping rule, the sequence budget or the
    /// time budget; the recent sequences are judged before each backward pass and reported every 2000 sequences.
    /// </summary>
    private static (long Seen, ExperimentStop Stop, List<ExperimentProgress> Curve) Train(
        SequenceModel<float> model, MemoryTask task, ExperimentOptions options, RandomSource random, Action<ExperimentProgress>? progress)
    {
        var trainable = new MemoryTrainable(model, task, options.BatchSize);
        var optimizer = new Adam<float>(trainable.Modules.Select(m => m.Module), options.LearningRate);
        var curve = new List<ExperimentProgress>();
        var loop = new TrainingLoop<float, TaskBatch>(trainable, optimizer, new TrainingLoopOptions
        {
            MaximumSteps = (options.MaximumSequences + options.BatchSize - 1) / options.BatchSize,
            ClipGradientNorm = options.ClipGradientNorm,
            TimeLimit = options.TimeLimit,
            TimeLimitCheck = TimeLimitCheck.BeforeEachStep,
        })
        {
            StopAfterStep = _ => trainable.Recent.Satisfies(task.Stopping),
        };
        long seen = 0, nextReport = ProgressEvery;
        loop.Progress += p =>
        {
            if (p.EpochEnd)
            {
                return;
            }

            seen = (long)p.Batch * options.BatchSize;
            if (seen >= nextReport)
            {
                var point = new ExperimentProgress(seen, trainable.Recent.WrongFraction, trainable.Recent.MeanError, p.Elapsed);
                curve.Add(point);
                progress?.Invoke(point);
                nextReport += ProgressEvery;
            }
        };
        var report = loop.Fit(BatchSource<TaskBatch>.Fresh(r => task.Generate(options.BatchSize, r)), random);
        var stop = report.Stop switch
        {
            TrainingStop.Requested => ExperimentStop.Learned,
            TrainingStop.TimeLimit => ExperimentStop.TimeBudget,
            _ => ExperimentStop.SequenceBudget,
        };
        return (seen, stop, curve);
    }

    private static string Bias(string gate, double? value) => value is { } v ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{gate} {v:G3}") : "";

    /// <summary>The fraction of <paramref name="test"/>'s sequences processed wrongly and their mean error, in evaluation mode.</summary>
    public static (double WrongFraction, double Error) Test(SequenceModel<float> model, MemoryTask task, TaskBatch test)
    {
        var errors = new double[test.Batch];
        var correct = new bool[test.Batch];
        const int chunk = 256;
        for (int start = 0; start < test.Batch; start += chunk)
        {
            var part = Slice(test, start, Math.Min(chunk, test.Batch - start));
            var prediction = model.Forward(ToTrainingBatch(part).Inputs).Prediction;
            task.Judge(prediction.Span, part, errors.AsSpan(start, part.Batch), correct.AsSpan(start, part.Batch));
        }

        return ((double)correct.Count(c => !c) / test.Batch, errors.Average());
    }

    /// <summary>Sequences [start, start + count) of a batch.</summary>
    public static TaskBatch Slice(TaskBatch batch, int start, int count)
    {
        int row = batch.Steps * batch.InputSize, targetsPerSequence = batch.Classes is { } all && all.Length > batch.Batch ? batch.Steps : 1;
        return batch with
        {
            Features = batch.Features.AsSpan(start * row, count * row).ToArray(),
            Batch = count,
            Lengths = batch.Lengths.AsSpan(start, count).ToArray(),
            Values = batch.Values?.AsSpan(start, count).ToArray(),
            Classes = batch.Classes?.AsSpan(start * targetsPerSequence, count * targetsPerSequence).ToArray(),
        };
    }
}
