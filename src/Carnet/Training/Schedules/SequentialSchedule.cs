namespace Carnet.Training;

/// <summary>
/// Runs schedules one after another, switching at the given milestone epochs (PyTorch's <c>SequentialLR</c>, 1.13):
/// say a <see cref="LinearSchedule"/> warm-up for 5 epochs, then a <see cref="CosineAnnealingSchedule"/>. Build the
/// schedules on the optimizer first, then this; building it resets the learning rate to the optimizer's
/// <see cref="IOptimizer.InitialLearningRate"/> and takes the first schedule's initial step again. At a milestone the
/// next schedule restarts at epoch 0 with its closed-form learning rate.
/// </summary>
public sealed class SequentialSchedule : LearningRateSchedule
{
    private readonly EpochSchedule[] schedules;
    private readonly int[] milestones;

    /// <summary>Chains <paramref name="schedules"/>; schedule k + 1 takes over at epoch <paramref name="milestones"/>[k].</summary>
    /// <exception cref="ArgumentException">
    /// No schedule, a milestone count other than one less than the schedules, milestones not positive and increasing,
    /// or a schedule attached to another optimizer.
    /// </exception>
    public SequentialSchedule(IOptimizer optimizer, IReadOnlyList<EpochSchedule> schedules, IReadOnlyList<int> milestones)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedules.Count == 0 || milestones.Count != schedules.Count - 1)
        {
            throw new ArgumentException(
                $"A sequence of {schedules.Count} schedules needs {Math.Max(0, schedules.Count - 1)} milestones; got {milestones.Count}.", nameof(milestones));
        }

        for (int k = 0; k < milestones.Count; k++)
        {
            if (milestones[k] <= (k == 0 ? 0 : milestones[k - 1]))
            {
                throw new ArgumentException($"The milestones must be positive and increasing ({string.Join(", ", milestones)}).", nameof(milestones));
            }
        }

        if (schedules.Any(s => !ReferenceEquals(s.Optimizer, optimizer)))
        {
            throw new ArgumentException("Every schedule of a sequence must belong to its optimizer.", nameof(schedules));
        }

        this.schedules = schedules.ToArray();
        this.milestones = milestones.ToArray();
        LastEpoch = 0;
        optimizer.LearningRate = optimizer.InitialLearningRate ?? optimizer.LearningRate;
        foreach (var schedule in this.schedules)
        {
            schedule.UndoEpoch();
        }

        this.schedules[0].InitialStep();
        LastLearningRate = this.schedules[0].LastLearningRate;
    }

    /// <summary>The schedules, in order.</summary>
    public IReadOnlyList<EpochSchedule> Schedules => schedules;

    /// <summary>The epochs at which the next schedule takes over.</summary>
    public IReadOnlyList<int> Milestones => milestones;

    /// <summary>The index of the current epoch: 0 once built, +1 per step.</summary>
    public int LastEpoch { get; private set; }

    /// <inheritdoc />
    public override void Step(double? metric = null)
    {
        LastEpoch++;
        int index = milestones.Count(m => m <= LastEpoch); // bisect_right
        var schedule = schedules[index];
        if (index > 0 && milestones[index - 1] == LastEpoch)
        {
            schedule.StepTo(0);
        }
        else
        {
            schedule.Step(metric);
        }

        LastLearningRate = schedule.LastLearningRate;
    }

    /// <summary>[last epoch, last learning rate, then each schedule's state in order].</summary>
    public override double[] GetState()
    {
        var state = new List<double> { LastEpoch, LastLearningRate };
        foreach (var schedule in schedules)
        {
            state.AddRange(schedule.GetState());
        }

        return state.ToArray();
    }

    /// <inheritdoc />
    public override void SetState(ReadOnlySpan<double> state)
    {
        CheckStateLength(state, 2 + schedules.Length * EpochSchedule.StateLength);
        for (int k = 0; k < schedules.Length; k++)
        {
            schedules[k].SetState(state.Slice(2 + k * EpochSchedule.StateLength, EpochSchedule.StateLength));
        }

        LastEpoch = Counter(state[0]);
        LastLearningRate = state[1];
    }
}
