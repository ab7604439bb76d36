namespace Carnet.Training;

/// <summary>
/// Scales the base learning rate by a factor moving linearly from <see cref="StartFactor"/> to
/// <see cref="EndFactor"/> over <see cref="TotalIterations"/> steps, then holds it (PyTorch's <c>LinearLR</c>): the
/// usual linear warm-up, followed by another schedule in a <see cref="SequentialSchedule"/>. Steps use PyTorch's
/// recursive form, lr_e = lr_{e−1} · (1 + (end − start) / (total·start + (e − 1)(end − start))).
/// </summary>
public sealed class LinearSchedule : EpochSchedule
{
    /// <summary>
    /// Attaches the schedule and takes its initial step, which multiplies the learning rate by
    /// <paramref name="startFactor"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="startFactor"/> outside (0, 1] (PyTorch 1.13 accepts 0, whose recursive form then divides by
    /// zero), <paramref name="endFactor"/> outside [0, 1], or <paramref name="totalIterations"/> not positive.
    /// </exception>
    public LinearSchedule(IOptimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIterations = 5)
        : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "The start factor must be in (0, 1].");
        }

        if (!(endFactor >= 0 && endFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, "The end factor must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalIterations);
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIterations = totalIterations;
        InitialStep();
    }

    /// <summary>The factor of epoch 0.</summary>
    public double StartFactor { get; }

    /// <summary>The factor from epoch <see cref="TotalIterations"/> on.</summary>
    public double EndFactor { get; }

    /// <summary>Epochs over which the factor moves.</summary>
    public int TotalIterations { get; }

    /// <inheritdoc />
    protected override double NextLearningRate()
    {
        double learningRate = Optimizer.LearningRate;
        if (LastEpoch == 0)
        {
            return learningRate * StartFactor;
        }

        if (LastEpoch > TotalIterations)
        {
            return learningRate;
        }

        return learningRate * (1.0 + (EndFactor - StartFactor) /
            (TotalIterations * StartFactor + (LastEpoch - 1) * (EndFactor - StartFactor)));
    }

    /// <inheritdoc />
    protected override double ClosedFormLearningRate()
        => BaseLearningRate * (StartFactor + (EndFactor - StartFactor) * Math.Min(TotalIterations, LastEpoch) / TotalIterations);
}
