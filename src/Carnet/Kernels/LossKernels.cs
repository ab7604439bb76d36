// Dimension legend: N = elements of a prediction.
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Loss functions and their gradients, with PyTorch's definitions. Scalar reference code.</summary>
internal static class LossKernels
{
    /// <summary>Mean squared error over N elements; gradient (N) = 2 (p − y) / N. Returns the loss.</summary>
    public static T MeanSquaredError<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating(prediction.Length);
        T sum = T.Zero;
        for (int i = 0; i < prediction.Length; i++)
        {
            T difference = prediction[i] - target[i];
            sum += difference * difference;
            gradient[i] = (difference + difference) / count;
        }

        return sum / count;
    }
}
