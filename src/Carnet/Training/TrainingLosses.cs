using System.Numerics;

namespace Carnet.Training;

/// <summary>
/// The losses of <see cref="Losses"/> as <see cref="TrainingLoss{T}"/>s for the trainer. Class targets may come one per
/// sequence (predictions (B, C)) or one per step (predictions (B, T, C), targets B·T), as PyTorch's
/// <c>cross_entropy(logits.reshape(-1, C), y.reshape(-1))</c>.
/// </summary>
public static class TrainingLosses
{
    /// <summary>Mean squared error against value targets.</summary>
    public static TrainingLoss<T> MeanSquaredError<T>(Reduction reduction = Reduction.Mean)
        where T : unmanaged, IFloatingPointIeee754<T>
        => (prediction, targets, gradient) => double.CreateTruncating(Losses.MeanSquaredError(prediction, Values(targets, prediction), gradient, reduction));

    /// <summary>L1 (mean absolute error) against value targets.</summary>
    public static TrainingLoss<T> L1<T>(Reduction reduction = Reduction.Mean)
        where T : unmanaged, IFloatingPointIeee754<T>
        => (prediction, targets, gradient) => double.CreateTruncating(Losses.L1Loss(prediction, Values(targets, prediction), gradient, reduction));

    /// <summary>Huber against value targets.</summary>
    public static TrainingLoss<T> Huber<T>(double delta = 1.0, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IFloatingPointIeee754<T>
        => (prediction, targets, gradient) => double.CreateTruncating(Losses.HuberLoss(prediction, Values(targets, prediction), gradient, delta, reduction));

    /// <summary>Cross-entropy over the last dimension against class targets, with PyTorch's options.</summary>
    public static TrainingLoss<T> CrossEntropy<T>(Tensor<T>? classWeights = null, int ignoreIndex = -100, double labelSmoothing = 0, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IFloatingPointIeee754<T>
        => (prediction, targets, gradient) =>
        {
            int classes = prediction.Shape[^1];
            int[] ids = targets.Classes ?? throw new ArgumentException("Cross-entropy needs class targets.", nameof(targets));
            var logits = prediction.Reshape(prediction.Length / classes, classes);
            return double.CreateTruncating(Losses.CrossEntropy(
                logits, ids, gradient.Reshape(logits.Shape[0], classes), reduction, classWeights, ignoreIndex, labelSmoothing));
        };

    /// <summary>Binary cross-entropy on logits against value targets in [0, 1].</summary>
    public static TrainingLoss<T> BinaryCrossEntropyWithLogits<T>(Tensor<T>? positiveWeight = null, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IFloatingPointIeee754<T>
        => (prediction, targets, gradient) => double.CreateTruncating(
            Losses.BinaryCrossEntropyWithLogits(prediction, Values(targets, prediction), gradient, reduction, positiveWeight: positiveWeight));

    private static Tensor<T> Values<T>(BatchTargets<T> targets, Tensor<T> prediction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = targets.Values ?? throw new ArgumentException("This loss needs value targets, not classes.", nameof(targets));
        return values.Length == prediction.Length ? values.Reshape(prediction.Shape.ToArray()) : values;
    }
}
