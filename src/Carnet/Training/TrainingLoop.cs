using System.Diagnostics;
using System.Numerics;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Training.Distributed;

namespace Carnet.Training;

/// <summary>When a <see cref="TrainingLoopOptions.TimeLimit"/> is checked.</summary>
public enum TimeLimitCheck
{
    /// <summary>At each epoch's end; the stop is kept in the checkpoint, so a resumed run trains no further.</summary>
    EpochEnd,

    /// <summary>After each step; the epoch ends there and is measured like the others; a resumed run continues.</summary>
    AfterEachStep,

    /// <summary>Before each step, so no step starts past the limit.</summary>
    BeforeEachStep,
}

/// <summary>Why a <see cref="TrainingLoop{T, TBatch}"/> run ended.</summary>
public enum TrainingStop
{
    /// <summary>Every epoch ran, or the batches or the step budget ran out.</summary>
    Finished,

    /// <summary>The validation loss stopped improving for the patience's epochs.</summary>
    Patience,

    /// <summary>The time limit passed.</summary>
    TimeLimit,

    /// <summary>The task's own stopping rule (<see cref="TrainingLoop{T, TBatch}.StopAfterStep"/>).</summary>
    Requested,
}

/// <summary>The settings of a <see cref="TrainingLoop{T, TBatch}"/>.</summary>
public sealed record TrainingLoopOptions
{
    /// <summary>Passes over the batch source.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>When set, training ends before the step that would exceed this many steps in all.</summary>
    public long? MaximumSteps { get; init; }

    /// <summary>When set, gradients are clipped to this global 2-norm before each step.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>Stop after this many epochs without a better validation loss; null trains every epoch.</summary>
    public int? Patience { get; init; }

    /// <summary>Whether the weights of the best validation epoch are restored at the end.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>When set, a checkpoint is written there (atomically) at the end of every epoch.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>When set, training stops once this time has passed, checked as <see cref="TimeLimitCheck"/> says.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>When the time limit is checked.</summary>
    public TimeLimitCheck TimeLimitCheck { get; init; }

    /// <summary>
    /// When set, this process is one rank of a data-parallel run: it trains on its share of every batch (the batch
    /// source's <see cref="BatchSource{TBatch}.Shard"/>), the gradients are summed across ranks before each step, rank 0
    /// alone writes checkpoints, and all ranks stop together.
    /// </summary>
    public Communicator? Distributed { get; init; }
}

/// <summary>What a task sees when training starts: the history and notes of a resumed checkpoint (empty otherwise).</summary>
/// <param name="Epochs">The epochs already trained.</param>
/// <param name="Notes">What the task keeps across a resume; it may add to them.</param>
public sealed record TrainingStart(IReadOnlyList<EpochRecord> Epochs, Dictionary<string, string> Notes);

/// <summary>What a task sees at an epoch's end, before the checkpoint is written.</summary>
/// <param name="Record">The epoch just finished.</param>
/// <param name="Batches">The steps it took.</param>
/// <param name="Elapsed">Time since this run started.</param>
/// <param name="Notes">What the task keeps across a resume; it may change them.</param>
public sealed record EpochEnd(EpochRecord Record, int Batches, TimeSpan Elapsed, Dictionary<string, string> Notes);

/// <summary>
/// The one training loop. Per step: zero the gradients, run the <see cref="ITrainable{T, TBatch}"/> forward with its
/// loss, stop on a loss that is not finite, backward, clip, step the optimizer. Per epoch: validate, step the
/// schedule, keep the best weights, apply patience and the time limit, write a checkpoint. Resumes from that
/// checkpoint to exactly the weights an uninterrupted run reaches, and restores the best weights at the end.
/// </summary>
public sealed class TrainingLoop<T, TBatch> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ITrainable<T, TBatch> trainable;
    private readonly Optimizer<T> optimizer;
    private readonly LearningRateSchedule? schedule;
    private readonly TrainingLoopOptions options;
    private readonly List<Module<T>> modules;
    private readonly DataParallel<T>? parallel;

    /// <summary>Creates the loop; the optimizer must update the trainable's modules.</summary>
    public TrainingLoop(ITrainable<T, TBatch> trainable, Optimizer<T> optimizer, TrainingLoopOptions options, LearningRateSchedule? schedule = null)
    {
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.options = options;
        this.schedule = schedule;
        modules = trainable.Modules.Select(m => m.Module).ToList();
        parallel = options.Distributed is { } communicator ? new DataParallel<T>(communicator, modules) : null;
    }

    /// <summary>Raised after every step and at the end of every epoch, for progress displays.</summary>
    public event Action<TrainingProgress>? Progress;

    /// <summary>Raised once the state is fresh or restored, before the first step.</summary>
    public event Action<TrainingStart>? Starting;

    /// <summary>Raised at each epoch's end, before the checkpoint, so a task can record its notes.</summary>
    public event Action<EpochEnd>? EpochEnding;

    /// <summary>A task's stopping rule, asked after every step (after <see cref="Progress"/>); true ends training.</summary>
    public Func<TrainingProgress, bool>? StopAfterStep { get; init; }

    /// <summary>
    /// Trains on <paramref name="batches"/>. A fresh run draws from <paramref name="random"/>; with
    /// <paramref name="resume"/> and an existing checkpoint, training continues from it (weights, optimizer,
    /// schedule, random state, history, notes).
    /// </summary>
    public TrainingReport Fit(BatchSource<TBatch> batches, RandomSource random, bool resume = false)
    {
        if (parallel is not null && batches.Shard is null)
        {
            throw new ArgumentException("distributed training needs a batch source that shards its batches (BatchSource.Shard)", nameof(batches));
        }

        var state = resume && options.CheckpointPath is { } path && File.Exists(path) ? Load(path) : new TrainingState<T>(random);
        parallel?.CheckSame(state.Random, "at the start");
        Starting?.Invoke(new TrainingStart(state.Epochs, state.Notes));
        var run = new Run(state, Stopwatch.StartNew());
        for (int epoch = state.Epochs.Count + 1; epoch <= options.Epochs && !state.Stopped && run.Stop == TrainingStop.Finished; epoch++)
        {
            var (total, count, steps) = RunEpoch(batches, run, epoch);
            EndEpoch(run, epoch, total / Math.Max(1, count), steps);
        }

        if (options.RestoreBestWeights && state.BestWeights is { } best)
        {
            for (int m = 0; m < modules.Count; m++)
            {
                best[m].CopyTo(modules[m].ParameterValues);
            }
        }

        var stop = state.StoppedEarly ? TrainingStop.Patience : run.Stop;
        return new TrainingReport(state.Epochs, state.BestEpoch, state.BestValidationLoss, state.StoppedEarly) { Stop = stop, WorldSize = parallel?.Communicator.Size ?? 1 };
    }

    private (double Total, double Count, int Steps) RunEpoch(BatchSource<TBatch> batches, Run run, int epoch)
    {
        double total = 0, count = 0;
        int steps = 0;
        RecurrentCarry<T>? carried = null;
        using var enumerator = batches.Epoch(run.State.Random).GetEnumerator();
        while (!StopsBeforeStep(run) && enumerator.MoveNext())
        {
            var step = parallel is null ? Step(enumerator.Current, carried, run, epoch, steps) : ParallelStep(batches, enumerator.Current, carried, run, epoch, steps);
            using var pass = step.Pass;
            if (batches.CarriesState)
            {
                carried = pass?.Carry;
            }

            total += step.Contribution;
            count += step.Count;
            steps++;
            run.Steps++;
            var progress = new TrainingProgress(epoch, options.Epochs, steps, total / count, null, false, run.Clock.Elapsed);
            Progress?.Invoke(progress);
            if (StopsAfterStep(run, progress))
            {
                break;
            }
        }

        return (total, count, steps);
    }

    private StepResult Step(TBatch batch, RecurrentCarry<T>? carried, Run run, int epoch, int steps)
    {
        optimizer.ZeroGradients();
        var pass = trainable.Forward(batch, carried, run.State.Random);
        ThrowIfDiverged(pass.Loss, pass, run, epoch, steps);
        pass.Backward();
        ClipAndStep();
        return new StepResult(pass, pass.Contribution, pass.Count);
    }

    /// <summary>One step on this rank's share of the batch, with the loss and gradients summed over all ranks.</summary>
    private StepResult ParallelStep(BatchSource<TBatch> batches, TBatch batch, RecurrentCarry<T>? carried, Run run, int epoch, int steps)
    {
        var communicator = parallel!.Communicator;
        optimizer.ZeroGradients();
        var shard = batches.Shard!(batch, communicator.Rank, communicator.Size);
        var random = parallel.StepRandom(run.State.Random, epoch, steps);
        var pass = shard is null ? null : trainable.Forward(shard, carried, random);
        var global = parallel.Combine(pass, LocallyOutOfTime(run));
        ThrowIfDiverged(global.Loss, pass, run, epoch, steps);
        pass?.Backward();
        parallel.SumGradients(global.Share);
        ClipAndStep();
        return new StepResult(pass, global.Contribution, global.Count);
    }

    private void ThrowIfDiverged(double loss, TrainingPass<T>? pass, Run run, int epoch, int steps)
    {
        if (!double.IsFinite(loss))
        {
            pass?.Dispose();
            throw new TrainingDivergedException(epoch, steps + 1, loss, run.State.Epochs.Count, options.CheckpointPath);
        }
    }

    private void ClipAndStep()
    {
        if (options.ClipGradientNorm is { } maxNorm)
        {
            GradientClipping.ClipByGlobalNorm(modules, maxNorm);
        }

        optimizer.Step();
    }

    private bool StopsBeforeStep(Run run)
    {
        if (options.MaximumSteps is { } maximum && run.Steps >= maximum)
        {
            return true;
        }

        if (options.TimeLimitCheck == TimeLimitCheck.BeforeEachStep && OutOfTime(run))
        {
            run.Stop = TrainingStop.TimeLimit;
        }

        return run.Stop != TrainingStop.Finished;
    }

    private bool StopsAfterStep(Run run, TrainingProgress progress)
    {
        if (StopAfterStep?.Invoke(progress) == true)
        {
            run.Stop = TrainingStop.Requested;
        }
        else if (options.TimeLimitCheck == TimeLimitCheck.AfterEachStep && OutOfTime(run))
        {
            run.Stop = TrainingStop.TimeLimit;
        }

        return run.Stop != TrainingStop.Finished;
    }

    /// <summary>Out of time as all ranks agree: this process's clock, or rank 0's at the last step.</summary>
    private bool OutOfTime(Run run) => parallel?.OutOfTime ?? LocallyOutOfTime(run);

    private bool LocallyOutOfTime(Run run) => options.TimeLimit is { } limit && run.Clock.Elapsed >= limit;

    private void EndEpoch(Run run, int epoch, double trainingLoss, int steps)
    {
        var state = run.State;
        double? validationLoss = parallel is null ? trainable.Validate() : parallel.Validate(trainable);
        var record = new EpochRecord(epoch, trainingLoss, validationLoss, optimizer.LearningRate);
        state.Epochs.Add(record);
        schedule?.Step(validationLoss);
        if (validationLoss is { } v)
        {
            KeepBest(state, epoch, v);
        }

        if (options.TimeLimitCheck == TimeLimitCheck.EpochEnd && (parallel?.RootSays(LocallyOutOfTime(run)) ?? LocallyOutOfTime(run)))
        {
            state.Stopped = true;
            run.Stop = TrainingStop.TimeLimit;
        }

        EpochEnding?.Invoke(new EpochEnd(record, steps, run.Clock.Elapsed, state.Notes));
        parallel?.CheckSame(state.Random, $"after epoch {epoch}");
        if (options.CheckpointPath is { } checkpoint && parallel?.Communicator.IsRoot != false)
        {
            Checkpoint.Save(checkpoint, trainable.Modules, trainable.CheckpointMetadata(), optimizer, schedule, state);
        }

        Progress?.Invoke(new TrainingProgress(epoch, options.Epochs, steps, trainingLoss, validationLoss, true, run.Clock.Elapsed));
    }

    private void KeepBest(TrainingState<T> state, int epoch, double validationLoss)
    {
        if (state.BestValidationLoss is null || validationLoss < state.BestValidationLoss)
        {
            state.BestValidationLoss = validationLoss;
            state.BestEpoch = epoch;
            state.BestWeights = modules.Select(m => m.ParameterValues.ToArray()).ToArray();
        }
        else if (options.Patience is { } patience && epoch - state.BestEpoch >= patience)
        {
            state.Stopped = state.StoppedEarly = true;
        }
    }

    private TrainingState<T> Load(string path)
    {
        var file = SafeTensorsFile.Read(path);
        trainable.CheckCheckpoint(file);
        return Checkpoint.Restore(file, trainable.Modules, optimizer, schedule);
    }

    /// <summary>A step's pass (null on a rank whose share was empty) and what it adds to the epoch's mean loss.</summary>
    private readonly record struct StepResult(TrainingPass<T>? Pass, double Contribution, double Count);

    /// <summary>One call of <see cref="Fit"/>: the state, its clock, the steps taken and why it ends.</summary>
    private sealed class Run(TrainingState<T> state, Stopwatch clock)
    {
        public TrainingState<T> State { get; } = state;

        public Stopwatch Clock { get; } = clock;

        public long Steps { get; set; }

        public TrainingStop Stop { get; set; }
    }
}
