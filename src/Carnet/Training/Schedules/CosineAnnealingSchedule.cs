namespace Carnet.Training;

/// <summary>
/// Cosine annealing from the base learning rate η_max down to η_min over <see cref="MaximumEpochs"/> epochs and back up
/// (PyTorch's <c>CosineAnnealingLR</c>, without restarts): η_e = η_min + (η_max − η_min)(1 + cos(πe / T_max)) / 2.
/// Each step uses PyTorch's recursive form, η_e = (1 + cos(πe/T)) / (1 + cos(π(e−1)/T)) · (η_{e−1} − η_min) + η_min
/// (and η_{e−1} + (η_max − η_min)(1 − cos(π/T)) / 2 at e = (2k+1)T + 1), so its values match PyTorch's step() to
/// the last bit; they differ from the closed form above by a few roundings.
/// </summary>
public sealed class CosineAnnealingSchedule : EpochSchedule
{
    /// <summary>Attaches the schedule and takes its initial step (which leaves the learning rate as it is).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maximumEpochs"/> is not positive.</exception>
    public CosineAnnealingSchedule(IOptimizer optimizer, int maximumEpochs, double minimumLearningRate = 0)
        : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximumEpochs);
        MaximumEpochs = maximumEpochs;
        MinimumLearningRate = minimumLearningRate;
        InitialStep();
    }

    /// <summary>T_max: epochs from η_max down to η_min.</summary>
    public int MaximumEpochs { get; }

    /// <summary>η_min.</summary>
    public double MinimumLearningRate { get; }

    /// <inheritdoc />
    protected override double NextLearningRate()
    {
        double learningRate = Optimizer.LearningRate;
        double etaMin = MinimumLearningRate;
        int e = LastEpoch;
        int tMax = MaximumEpochs;
        if (e == 0)
        {
            return learningRate;
        }

        if (StepCalls == 1 && e > 0)
        {
            return etaMin + (BaseLearningRate - etaMin) * (1 + Math.Cos(e * Math.PI / tMax)) / 2;
        }

        if ((e - 1 - tMax) % (2 * tMax) == 0)
        {
            return learningRate + (BaseLearningRate - etaMin) * (1 - Math.Cos(Math.PI / tMax)) / 2;
        }

        return (1 + Math.Cos(Math.PI * e / tMax)) / (1 + Math.Cos(Math.PI * (e - 1) / tMax)) * (learningRate - etaMin) + etaMin;
    }

    /// <inheritdoc />
    protected override double ClosedFormLearningRate()
        => MinimumLearningRate + (BaseLearningRate - MinimumLearningRate) * (1 + Math.Cos(Math.PI * LastEpoch / MaximumEpochs)) / 2;
}
