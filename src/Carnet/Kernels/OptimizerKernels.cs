// Dimension legend: N = elements of a parameter block.
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Optimizer updates and gradient norms, in PyTorch 1.13's exact order of operations. Scalar reference code.</summary>
internal static class OptimizerKernels
{
    /// <summary>
    /// One Adam step (torch.optim.Adam, 1.13, amsgrad off) on a block of parameters:
    /// g = grad + λ·p; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²; p −= stepSize · m / (√v / √(1 − β₂ᵗ) + ε),
    /// where stepSize = lr / (1 − β₁ᵗ). As PyTorch does, the caller forms the scalars in double precision.
    /// </summary>
    public static void AdamStep<T>(
        ReadOnlySpan<T> gradient, T stepSize, T biasCorrection2Root, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2,
        T epsilon, T weightDecay,
        Span<T> parameter, Span<T> firstMoment, Span<T> secondMoment)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < parameter.Length; i++)
        {
            T g = weightDecay == T.Zero ? gradient[i] : gradient[i] + weightDecay * parameter[i];
            firstMoment[i] = beta1 * firstMoment[i] + oneMinusBeta1 * g;
            secondMoment[i] = beta2 * secondMoment[i] + oneMinusBeta2 * g * g;
            T denominator = T.Sqrt(secondMoment[i]) / biasCorrection2Root + epsilon;
            parameter[i] -= stepSize * firstMoment[i] / denominator;
        }
    }

    /// <summary>Σ x², accumulated in double precision.</summary>
    public static double SumOfSquares<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double x = double.CreateTruncating(values[i]);
            sum += x * x;
        }

        return sum;
    }
}
