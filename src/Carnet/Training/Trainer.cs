using System.Numerics;
using Carnet.Models;

namespace Carnet.Training;

/// <summary>A loss for training: returns the (reduced) loss of a batch and writes dLoss/dprediction into <c>gradient</c>.</summary>
public delegate double TrainingLoss<T>(Tensor<T> prediction, BatchTargets<T> targets, Tensor<T> gradient)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>The settings of a <see cref="Trainer{T}"/>.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Sequences (or parallel streams) per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seed of the shuffles and dropout masks: the same seed gives bit-identical weights.</summary>
    public ulong Seed { get; init; }

    /// <summary>Stop after this many epochs without a better validation loss; null trains every epoch.</summary>
    public int? Patience { get; init; }

    /// <summary>Whether, after training with validation data, the weights of the best validation epoch are restored.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>When set, gradients are clipped to this global 2-norm before each step.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>When set, a checkpoint is written there (atomically) at the end of every epoch.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// When set, this process is one rank of a data-parallel run (<see cref="TrainingLoopOptions.Distributed"/>): the
    /// batch size stays the global batch, and rank 0 alone writes the checkpoint.
    /// </summary>
    public Carnet.Training.Distributed.Communicator? Distributed { get; init; }

    /// <summary>When set, training stops cleanly after the first epoch that ends past this time.</summary>
    public TimeSpan? TimeLimit { get; init; }
}

/// <summary>What the trainer reports while it runs: after each batch and at the end of each epoch.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, double TrainingLoss, double? ValidationLoss, bool EpochEnd, TimeSpan Elapsed);

/// <summary>One finished epoch.</summary>
public sealed record EpochRecord(int Epoch, double TrainingLoss, double? ValidationLoss, double LearningRate);

/// <summary>The outcome of a <see cref="TrainingLoop{T, TBatch}"/> run.</summary>
public sealed record TrainingReport(IReadOnlyList<EpochRecord> Epochs, int? BestEpoch, double? BestValidationLoss, bool StoppedEarly)
{
    /// <summary>Why the run ended.</summary>
    public TrainingStop Stop { get; init; }

    /// <summary>The ranks that trained together (<see cref="TrainingLoopOptions.Distributed"/>); 1 for one process.</summary>
    public int WorldSize { get; init; } = 1;
}

/// <summary>
/// Trains a <see cref="SequenceModel{T}"/> through the one <see cref="TrainingLoop{T, TBatch}"/>: seeded mini-batches,
/// a loss, gradient clipping, an optimizer and an optional schedule; validation after each epoch with early stopping
/// and best-weights restore; truncated back-propagation through time for stream data (the state carried between
/// consecutive batches); and checkpoints from which <see cref="Fit"/> resumes to exactly the weights an uninterrupted
/// run reaches.
/// </summary>
public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SequenceModel<T> model;
    private readonly Optimizer<T> optimizer;
    private readonly TrainingLoss<T> loss;
    private readonly LearningRateSchedule? schedule;
    private readonly TrainerOptions options;

    /// <summary>Creates a trainer; the optimizer must update the model's modules.</summary>
    public Trainer(SequenceModel<T> model, Optimizer<T> optimizer, TrainingLoss<T> loss, TrainerOptions options, LearningRateSchedule? schedule = null)
    {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.options = options;
        this.schedule = schedule;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epochs);
    }

    /// <summary>Raised after every batch and at the end of every epoch, for progress displays.</summary>
    public event Action<TrainingProgress>? Progress;

    /// <inheritdoc cref="SequenceModelTrainable{T}.LossWeight"/>
    public Func<BatchTargets<T>, double>? LossWeight { get; init; }

    /// <summary>
    /// Trains for the configured epochs. With <paramref name="resume"/> and an existing checkpoint, training continues
    /// from it (weights, optimizer, schedule, random state, history), so the result equals an uninterrupted run.
    /// </summary>
    public TrainingReport Fit(TrainingData<T> training, SequenceDataset<T>? validation = null, bool resume = false)
    {
        var trainable = new SequenceModelTrainable<T>(model, loss)
        {
            LossWeight = LossWeight,
            Validation = validation is null ? null : () => Evaluate(validation),
            ValidationPart = validation is null ? null : (rank, ranks) => SequenceModelTrainable<T>.EvaluatePart(model, loss, validation, options.BatchSize, rank, ranks),
        };
        var loop = new TrainingLoop<T, TrainingBatch<T>>(trainable, optimizer, new TrainingLoopOptions
        {
            Epochs = options.Epochs,
            ClipGradientNorm = options.ClipGradientNorm,
            Patience = options.Patience,
            RestoreBestWeights = options.RestoreBestWeights,
            CheckpointPath = options.CheckpointPath,
            TimeLimit = options.TimeLimit,
            Distributed = options.Distributed,
        }, schedule);
        loop.Progress += p => Progress?.Invoke(p);
        var batches = new BatchSource<TrainingBatch<T>>(random => training.Batches(options.BatchSize, random), training.CarriesState)
        {
            Shard = TrainingBatch<T>.Shard,
        };
        return loop.Fit(batches, new RandomSource(options.Seed), resume);
    }

    /// <summary>The mean loss over a dataset, in evaluation mode (no dropout), batch by batch in order.</summary>
    public double Evaluate(SequenceDataset<T> data) => SequenceModelTrainable<T>.Evaluate(model, loss, data, options.BatchSize);
}

/// <summary>
/// Training stopped because a batch's loss became NaN or infinite. The weights are left as they were before that
/// batch's update; the checkpoint on disk, if any, is the last complete epoch's.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the error; the message says where training diverged and what was kept.</summary>
    public TrainingDivergedException(int epoch, int batch, double loss, int completeEpochs, string? checkpointPath)
        : base($"training diverged at epoch {epoch}, batch {batch}: the loss is {(double.IsNaN(loss) ? "NaN" : "infinite")}; " +
            (checkpointPath is null || completeEpochs == 0
                ? "no epoch was complete, nothing was kept"
                : $"the checkpoint of epoch {completeEpochs} is kept at {checkpointPath}") +
            "; try a lower learning rate or gradient clipping")
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>The epoch (1-based) in which the loss stopped being finite.</summary>
    public int Epoch { get; }

    /// <summary>The batch (1-based) within that epoch.</summary>
    public int Batch { get; }
}

/// <summary>Everything a checkpoint must restore beyond weights and optimizer: the random stream, the history, the best epoch.</summary>
internal sealed class TrainingState<T>(RandomSource random) where T : unmanaged, IFloatingPointIeee754<T>
{
    public RandomSource Random { get; } = random;

    public List<EpochRecord> Epochs { get; } = [];

    public double? BestValidationLoss { get; set; }

    public int? BestEpoch { get; set; }

    public T[][]? BestWeights { get; set; } // per module, laid out as its parameter block

    public bool Stopped { get; set; }

    public bool StoppedEarly { get; set; }

    public Dictionary<string, string> Notes { get; } = new(StringComparer.Ordinal); // what a task keeps across a resume (samples, times)
}
