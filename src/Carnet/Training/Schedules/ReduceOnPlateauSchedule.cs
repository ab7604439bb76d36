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

/// <summary>The settings of a <see cref="ReduceOnPlateauSchedule"/>, PyTorch's <c>ReduceLROnPlateau</c> arguments with its defaults.</summary>
public sealed record PlateauOptions
{
    /// <summary>Whether the metric should fall (<c>'min'</c>) or rise (<c>'max'</c>).</summary>
    public PlateauMode Mode { get; init; } = PlateauMode.Min;

    /// <summary>The learning rate's factor at each reduction, in [0, 1).</summary>
    public double Factor { get; init; } = 0.1;

    /// <summary>Steps without improvement that are tolerated; the next one reduces the learning rate.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>The margin a value must beat the best by.</summary>
    public double Threshold { get; init; } = 1e-4;

    /// <summary>Whether <see cref="Threshold"/> is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; init; } = ThresholdMode.Relative;

    /// <summary>Steps after a reduction during which bad steps are not counted.</summary>
    public int Cooldown { get; init; }

    /// <summary>The learning rate never goes below this.</summary>
    public double MinimumLearningRate { get; init; }

    /// <summary>A reduction smaller than this is skipped.</summary>
    public double Epsilon { get; init; } = 1e-8;
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

    /// <summary>Attaches the schedule with <paramref name="options"/>, or PyTorch's defaults (min, factor 0.1, patience 10, 1e−4 relative, no cooldown).</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A factor not in [0, 1), or a negative patience, cooldown, threshold or minimum learning rate.
    /// </exception>
    public ReduceOnPlateauSchedule(IOptimizer optimizer, PlateauOptions? options = null)
        : base(optimizer)
    {
        options ??= new PlateauOptions();
        if (!(options.Factor >= 0 && options.Factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Factor, "The factor must be in [0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.Patience, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Cooldown, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Threshold, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinimumLearningRate, nameof(options));
        Mode = options.Mode;
        Factor = options.Factor;
        Patience = options.Patience;
        Threshold = options.Threshold;
        ThresholdMode = options.ThresholdMode;
        Cooldown = options.Cooldown;
        MinimumLearningRate = options.MinimumLearningRate;
        Epsilon = options.Epsilon;
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
