using System.Globalization;

namespace Carnet.Training;

/// <summary>
/// Adjusts an optimizer's <see cref="IOptimizer.LearningRate"/> each time it is stepped (PyTorch's
/// <c>torch.optim.lr_scheduler</c>, 1.13). Step it after the optimizer's step, once per epoch or iteration as the
/// schedule's counts are meant. Its whole state is a few numbers, <see cref="GetState"/>, which a checkpoint stores and
/// <see cref="SetState"/> restores into a schedule built with the same options on the restored optimizer.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>Attaches the schedule to <paramref name="optimizer"/>.</summary>
    protected LearningRateSchedule(IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        LastLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimizer whose learning rate this schedule sets.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>The learning rate this schedule set last (PyTorch's <c>get_last_lr()</c>).</summary>
    public double LastLearningRate { get; protected set; }

    /// <summary>
    /// Advances the schedule one step and sets the optimizer's learning rate. <paramref name="metric"/> is the
    /// monitored quantity (say the validation loss) for schedules that react to one
    /// (<see cref="ReduceOnPlateauSchedule"/>); the others ignore it.
    /// </summary>
    public abstract void Step(double? metric = null);

    /// <summary>
    /// The schedule's state, including the optimizer's current learning rate: its counters and the learning rates
    /// it works from. The options given to the constructor are not part of it.
    /// </summary>
    public abstract double[] GetState();

    /// <summary>Restores a state from <see cref="GetState"/>, including the optimizer's learning rate.</summary>
    /// <exception cref="ArgumentException">The state has the wrong length (it belongs to another kind of schedule).</exception>
    public abstract void SetState(ReadOnlySpan<double> state);

    /// <summary>Throws unless <paramref name="state"/> has <paramref name="length"/> values.</summary>
    protected void CheckStateLength(ReadOnlySpan<double> state, int length)
    {
        if (state.Length != length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{GetType().Name} has a state of {length} values; got {state.Length}."), nameof(state));
        }
    }

    /// <summary>A counter stored in a state array, checked to be a whole number.</summary>
    protected static int Counter(double value)
        => value == Math.Floor(value) && Math.Abs(value) <= int.MaxValue
            ? (int)value
            : throw new ArgumentException($"The state holds {value} where a whole number (a step count) belongs.", "state");
}

/// <summary>
/// A schedule that counts its steps (PyTorch's <c>_LRScheduler</c>, with <c>last_epoch</c>): building it takes the
/// first step (epoch 0), and each <see cref="Step"/> computes the next learning rate from the optimizer's current one
/// (PyTorch's recursive, chainable <c>get_lr()</c>), so other changes to the learning rate carry through. Inside a
/// <see cref="SequentialSchedule"/>, the schedule restarting at a milestone uses its closed form instead, as PyTorch's
/// <c>step(0)</c> does. The base learning rate is the optimizer's <see cref="IOptimizer.InitialLearningRate"/>, which
/// the first schedule attached to it sets.
/// </summary>
public abstract class EpochSchedule : LearningRateSchedule
{
    /// <summary>The number of values in <see cref="GetState"/>.</summary>
    internal const int StateLength = 6;

    /// <summary>Attaches the schedule; the derived constructor ends with <see cref="InitialStep"/>.</summary>
    protected EpochSchedule(IOptimizer optimizer)
        : base(optimizer)
    {
        optimizer.InitialLearningRate ??= optimizer.LearningRate;
        BaseLearningRate = optimizer.InitialLearningRate.Value;
        LastEpoch = -1;
    }

    /// <summary>The learning rate the schedule starts from (PyTorch's <c>base_lrs</c>).</summary>
    public double BaseLearningRate { get; private set; }

    /// <summary>The index of the current epoch: 0 once built, +1 per step (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Calls of <see cref="Step"/> since the initial step, counting it (PyTorch's <c>_step_count</c>).</summary>
    protected int StepCalls { get; private set; }

    /// <inheritdoc />
    public override void Step(double? metric = null)
    {
        StepCalls++;
        LastEpoch++;
        Apply(NextLearningRate());
    }

    /// <summary>[last epoch, step calls, base learning rate, initial learning rate (NaN for none), the optimizer's learning rate, last learning rate].</summary>
    public sealed override double[] GetState()
        => [LastEpoch, StepCalls, BaseLearningRate, Optimizer.InitialLearningRate ?? double.NaN, Optimizer.LearningRate, LastLearningRate];

    /// <inheritdoc />
    public sealed override void SetState(ReadOnlySpan<double> state)
    {
        CheckStateLength(state, StateLength);
        LastEpoch = Counter(state[0]);
        StepCalls = Counter(state[1]);
        BaseLearningRate = state[2];
        Optimizer.InitialLearningRate = double.IsNaN(state[3]) ? null : state[3];
        Optimizer.LearningRate = state[4];
        LastLearningRate = state[5];
    }

    /// <summary>
    /// PyTorch's <c>_initial_step()</c>: resets the step calls and takes the step to epoch 0, which sets the
    /// learning rate of the first epoch. Every derived constructor calls it last, once its options are set.
    /// </summary>
    protected internal void InitialStep()
    {
        StepCalls = 0;
        Step();
    }

    /// <summary>The next learning rate from the optimizer's current one, at <see cref="LastEpoch"/> (PyTorch's <c>get_lr()</c>).</summary>
    protected abstract double NextLearningRate();

    /// <summary>The learning rate at <see cref="LastEpoch"/> from the base learning rate alone (PyTorch's <c>_get_closed_form_lr()</c>).</summary>
    protected abstract double ClosedFormLearningRate();

    /// <summary>PyTorch's <c>step(epoch)</c>: jumps to <paramref name="epoch"/> and sets the closed-form learning rate.</summary>
    internal void StepTo(int epoch)
    {
        StepCalls++;
        LastEpoch = epoch;
        Apply(ClosedFormLearningRate());
    }

    /// <summary>Moves back one epoch without touching the learning rate (what <c>SequentialLR</c> does to each schedule).</summary>
    internal void UndoEpoch() => LastEpoch--;

    private void Apply(double learningRate)
    {
        Optimizer.LearningRate = learningRate;
        LastLearningRate = learningRate;
    }
}
