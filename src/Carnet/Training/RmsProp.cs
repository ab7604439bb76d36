using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>
/// RMSprop with PyTorch 1.13's update rule (<c>torch.optim.RMSprop</c>): L2 weight decay added to the gradient, a
/// running average of g² (and of g when centered), ε added after the square root, optional momentum. State buffers
/// (checkpoint names): <c>square_avg</c>, <c>momentum_buffer</c> when the momentum is positive, <c>grad_avg</c>
/// when centered; all start at zero.
/// </summary>
public sealed class RmsProp<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] squareAverages;
    private readonly T[][] momentumBuffers;
    private readonly T[][] gradientAverages;

    /// <summary>Creates the optimizer with PyTorch's defaults (lr 0.01, α 0.99, ε 1e−8, no decay, momentum or centering).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative α, ε, momentum or weight decay.</exception>
    public RmsProp(IEnumerable<Module<T>> modules, double learningRate = 1e-2, double alpha = 0.99, double epsilon = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(modules, learningRate)
    {
        Alpha = CheckRange(alpha, 0, double.PositiveInfinity, nameof(alpha));
        Epsilon = CheckRange(epsilon, 0, double.PositiveInfinity, nameof(epsilon));
        WeightDecay = CheckRange(weightDecay, 0, double.PositiveInfinity, nameof(weightDecay));
        Momentum = CheckRange(momentum, 0, double.PositiveInfinity, nameof(momentum));
        Centered = centered;
        squareAverages = Modules.Select(m => new T[m.ParameterValues.Length]).ToArray();
        momentumBuffers = Modules.Select(m => new T[momentum > 0 ? m.ParameterValues.Length : 0]).ToArray();
        gradientAverages = Modules.Select(m => new T[centered ? m.ParameterValues.Length : 0]).ToArray();
        var buffers = new List<(string, T[][])> { ("square_avg", squareAverages) };
        if (momentum > 0)
        {
            buffers.Add(("momentum_buffer", momentumBuffers));
        }

        if (centered)
        {
            buffers.Add(("grad_avg", gradientAverages));
        }

        StateBuffers = buffers;
    }

    /// <summary>α, the smoothing constant of the running averages.</summary>
    public double Alpha { get; }

    /// <summary>ε, added to the root of the average.</summary>
    public double Epsilon { get; }

    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Momentum μ (0: none).</summary>
    public double Momentum { get; }

    /// <summary>Whether the gradient's running mean is subtracted (the variance, not the raw second moment, scales the step).</summary>
    public bool Centered { get; }

    /// <inheritdoc />
    protected override IReadOnlyList<(string Name, T[][] PerModule)> StateBuffers { get; }

    /// <inheritdoc />
    public override void Step()
    {
        StepCount++;
        for (int i = 0; i < Modules.Count; i++)
        {
            int n = Modules[i].ParameterValues.Length;
            OptimizerKernels.RmsPropStep<T>(
                Modules[i].ParameterGradients.Span, T.CreateTruncating(LearningRate), T.CreateTruncating(Alpha),
                T.CreateTruncating(1 - Alpha), T.CreateTruncating(Epsilon), T.CreateTruncating(WeightDecay), T.CreateTruncating(Momentum),
                Modules[i].ParameterValues.Span, ZerosIfEmpty(squareAverages, i, n),
                Centered ? ZerosIfEmpty(gradientAverages, i, n) : default,
                Momentum > 0 ? ZerosIfEmpty(momentumBuffers, i, n) : default);
        }
    }
}
