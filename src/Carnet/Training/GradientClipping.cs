using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>
/// Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c> (1.13): keeps one
/// exploding step from wrecking the weights.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by min(1, maxNorm / (‖g‖ + 1e−6)), where ‖g‖ is the p-norm of all gradients together
    /// (p = <paramref name="normType"/>: 2 by default, any positive p, or +∞ for the largest |g|). As PyTorch does, ‖g‖
    /// is the norm of the per-parameter norms, the coefficient is formed in <typeparamref name="T"/> as
    /// (1 / (‖g‖ + 1e−6))·maxNorm, clamped to 1 and always multiplied in, so a NaN or infinite norm reaches the
    /// gradients. The norms are summed in double precision in PyTorch's order, so in double the result is PyTorch's
    /// bit for bit; in float it is closer to the exact norm than PyTorch's float32 sum. Returns ‖g‖ before clipping.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="normType"/> is not positive.</exception>
    public static double ClipByGlobalNorm<T>(IEnumerable<Module<T>> modules, double maxNorm, double normType = 2.0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(normType > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "The norm type must be positive (2, any p > 0, or infinity).");
        }

        var list = modules.ToList();
        double[] norms = list.SelectMany(m => m.Parameters).Select(p => Norm<T>(p.Gradient.Span, normType)).ToArray();
        double total = Norm<double>(norms, normType);

        // clip_coef = max_norm / (total_norm + 1e-6), where a Python float over a tensor is reciprocal() * max_norm
        T reciprocal = T.One / (T.CreateTruncating(total) + T.CreateTruncating(1e-6));
        T coefficient = T.Min(reciprocal * T.CreateTruncating(maxNorm), T.One);
        foreach (var module in list)
        {
            Elementwise.Scale(coefficient, module.ParameterGradients.Span);
        }

        return total;
    }

    /// <summary>
    /// Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>]
    /// (<c>clip_grad_value_</c>); NaN stays NaN.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative or NaN.</exception>
    public static void ClipByValue<T>(IEnumerable<Module<T>> modules, double clipValue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(clipValue >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "The clip value must not be negative.");
        }

        T upper = T.CreateTruncating(clipValue);
        foreach (var module in modules)
        {
            OptimizerKernels.Clamp(-upper, upper, module.ParameterGradients.Span);
        }
    }

    /// <summary>torch.norm(values, p) in double precision: the largest |x| for p = ∞, else (Σ |x|^p)^(1/p).</summary>
    private static double Norm<T>(ReadOnlySpan<T> values, double normType)
        where T : unmanaged, IFloatingPointIeee754<T>
        => double.IsPositiveInfinity(normType) ? OptimizerKernels.MaxAbsolute(values)
            : normType == 2 ? Math.Sqrt(OptimizerKernels.SumOfSquares(values))
            : Math.Pow(OptimizerKernels.SumOfPowers(values, normType), 1 / normType);
}
