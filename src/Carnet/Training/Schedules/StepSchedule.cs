namespace Carnet.Training;

/// <summary>
/// Multiplies the learning rate by γ every <see cref="StepSize"/> epochs (PyTorch's <c>StepLR</c>):
/// lr_e = base · γ^⌊e / stepSize⌋ when nothing else changes the learning rate.
/// </summary>
public sealed class StepSchedule : EpochSchedule
{
    /// <summary>Attaches the schedule and takes its initial step (which leaves the learning rate as it is).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> is not positive.</exception>
    public StepSchedule(IOptimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        StepSize = stepSize;
        Gamma = gamma;
        InitialStep();
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>γ, the factor of each decay.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    protected override double NextLearningRate()
        => LastEpoch == 0 || LastEpoch % StepSize != 0 ? Optimizer.LearningRate : Optimizer.LearningRate * Gamma;

    /// <inheritdoc />
    protected override double ClosedFormLearningRate() => BaseLearningRate * Math.Pow(Gamma, LastEpoch / StepSize);
}
