using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Training;

/// <summary>Loss functions with PyTorch's definitions: each returns the loss and writes dLoss/dprediction.</summary>
public static class Losses
{
    /// <summary><c>torch.nn.MSELoss()</c> (mean reduction): mean of (prediction − target)².</summary>
    public static T MeanSquaredError<T>(Tensor<T> prediction, Tensor<T> target, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        target.EnsureShape(nameof(target), prediction.Shape.ToArray());
        gradient.EnsureShape(nameof(gradient), prediction.Shape.ToArray());
        return LossKernels.MeanSquaredError<T>(prediction.Span, target.Span, gradient.Span);
    }
}
