using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c>: keeps one exploding step from wrecking the weights.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by min(1, maxNorm / (‖g‖ + 1e−6)), where ‖g‖ is the 2-norm of all gradients together.
    /// Returns ‖g‖ before clipping.
    /// </summary>
    public static double ClipByGlobalNorm<T>(IEnumerable<Module<T>> modules, double maxNorm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var list = modules.ToList();
        double total = Math.Sqrt(list.Sum(m => OptimizerKernels.SumOfSquares<T>(m.ParameterGradients.Span)));
        double coefficient = Math.Min(1.0, maxNorm / (total + 1e-6));
        foreach (var module in list)
        {
            Elementwise.Scale(T.CreateTruncating(coefficient), module.ParameterGradients.Span);
        }

        return total;
    }
}
