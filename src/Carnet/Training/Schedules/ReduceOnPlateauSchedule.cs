namespace Carnet.Training;

/// <summary>Whether a monitored quantity improves by falling (a loss) or by rising (an accuracy).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (PyTorch's <c>'min'</c>).</summary>
    Min,

    /// <summary>Higher is better (PyTorch's <c>'max'</c>).</summary>
    Max,
}

/// <summary>How a new value must beat the best one to count as an improvement.</summary>
public enum ThresholdMode
{
    /// <summary>By a fraction of the best: below best·(1 − threshold), or above best·(1 + threshold) (<c>'rel'</c>).</summary>
    Relative,

    /// <summary>By an amount: below best − threshold, or above best + threshold (<c>'abs'</c>).</summary>
    Absolute,
}

/// <summary>
/// Multiplies the learning rate by <see cref="Factor"/> when the monitored metric has not improved for more than
/// <see cref="Patience"/> steps, then waits <see cref="Cooldown"/> steps before counting again, never going below
/// <see cref="MinimumLearningRate"/> (PyTorch's <c>ReduceLROnPlateau</c>, 1.13). Each <see cref="Step"/> needs the
/// metric. A reduction smaller than <see cref="Epsilon"/> is skipped.
/// </summary>
public sealed class ReduceOnPlateauSchedule : LearningRateSchedule
{
    private const int StateLength = 6;

    /// <summary>Attaches the schedule; PyTorch's defaults (min, factor 0.1, patience 10, 1e−4 relative, no cooldown).</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="factor"/> not in [0, 1), or a negative patience, cooldown, threshold or minimum learning rate.
    /// </exception>
    public ReduceOnPlateauSchedule(IOptimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1,
        int patience = 10, double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Relative, int cooldown = 0,
        double minimumLearningRate = 0, double epsilon = 1e-8)
        : base(optimizer)
    {
        if (!(factor >= 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be in [0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLearningRate);
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinimumLearningRate = minimumLearningRate;
        Epsilon = epsilon;
        Best = WorstValue;
    }

    /// <summary>Whether the metric should fall or rise.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The learning rate's factor at each reduction.</summary>
    public double Factor { get; }

    /// <summary>Steps without improvement that are tolerated; the next one reduces the learning rate.</summary>
    public int Patience { get; }

    /// <summary>The margin a value must beat the best by.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>Steps after a reduction during which bad steps are not counted.</summary>
    public int Cooldown { get; }

    /// <summary>The learning rate never goes below this.</summary>
    public double MinimumLearningRate { get; }

    /// <summary>A reduction by less than this is skipped.</summary>
    public double Epsilon { get; }

    /// <summary>The best metric so far (+∞ in min mode, −∞ in max mode, before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive steps without improvement.</summary>
    public int BadSteps { get; private set; }

    /// <summary>Steps left in the cooldown.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>Steps taken (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    private double WorstValue => Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="metric"/> is null: this schedule needs it.</exception>
    public override void Step(double? metric = null)
    {
        double current = metric ?? throw new ArgumentNullException(nameof(metric), "ReduceOnPlateauSchedule.Step needs the monitored metric.");
        LastEpoch++;
        if (IsBetter(current, Best))
        {
            Best = current;
            BadSteps = 0;
        }
        else
        {
            BadSteps++;
        }

        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            BadSteps = 0; // bad steps in the cooldown do not count
        }

        if (BadSteps > Patience)
        {
            double oldLearningRate = Optimizer.LearningRate;
            double newLearningRate = Math.Max(oldLearningRate * Factor, MinimumLearningRate);
            if (oldLearningRate - newLearningRate > Epsilon)
            {
                Optimizer.LearningRate = newLearningRate;
            }

            CooldownCounter = Cooldown;
            BadSteps = 0;
        }

        LastLearningRate = Optimizer.LearningRate;
    }

    /// <inheritdoc />
    public override double[] GetState() => [LastEpoch, Best, BadSteps, CooldownCounter, Optimizer.LearningRate, LastLearningRate];

    /// <inheritdoc />
    public override void SetState(ReadOnlySpan<double> state)
    {
        CheckStateLength(state, StateLength);
        LastEpoch = Counter(state[0]);
        Best = state[1];
        BadSteps = Counter(state[2]);
        CooldownCounter = Counter(state[3]);
        Optimizer.LearningRate = state[4];
        LastLearningRate = state[5];
    }

    private bool IsBetter(double value, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => value < best * (1.0 - Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => value < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => value > best * (Threshold + 1.0),
        _ => value > best + Threshold,
    };
}
