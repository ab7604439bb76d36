using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>
/// Stochastic gradient descent with PyTorch 1.13's update rule (<c>torch.optim.SGD</c>): L2 weight decay added to
/// the gradient, momentum with dampening, Nesterov momentum. As in PyTorch the momentum buffer is created at the
/// first step as a copy of the (decayed) gradient, and exists only when the momentum is not zero. State buffer
/// (checkpoint name): <c>momentum_buffer</c>, empty until the first step.
/// </summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] momentumBuffers;

    /// <summary>Creates the optimizer; the defaults are PyTorch's (no momentum, dampening or weight decay).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative momentum or weight decay.</exception>
    /// <exception cref="ArgumentException">Nesterov without a positive momentum or with dampening.</exception>
    public Sgd(IEnumerable<Module<T>> modules, double learningRate, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : base(modules, learningRate)
    {
        Momentum = CheckRange(momentum, 0, double.PositiveInfinity, nameof(momentum));
        WeightDecay = CheckRange(weightDecay, 0, double.PositiveInfinity, nameof(weightDecay));
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.", nameof(nesterov));
        }

        Dampening = dampening;
        Nesterov = nesterov;
        momentumBuffers = Modules.Select(_ => Array.Empty<T>()).ToArray();
    }

    /// <summary>Momentum μ (0: plain SGD, no buffer).</summary>
    public double Momentum { get; }

    /// <summary>Dampening: the buffer adds (1 − dampening)·d after its first step.</summary>
    public double Dampening { get; }

    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the step is d + μ·buf (Nesterov) rather than buf.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    protected override IReadOnlyList<(string Name, T[][] PerModule)> StateBuffers
        => Momentum != 0 ? [("momentum_buffer", momentumBuffers)] : [];

    /// <inheritdoc />
    public override void Step()
    {
        StepCount++;
        for (int i = 0; i < Modules.Count; i++)
        {
            int n = Modules[i].ParameterValues.Length;
            bool firstStep = false;
            if (Momentum != 0 && momentumBuffers[i].Length != n)
            {
                momentumBuffers[i] = new T[n];
                firstStep = true;
            }

            OptimizerKernels.SgdStep<T>(
                Modules[i].ParameterGradients.Span, T.CreateTruncating(LearningRate), T.CreateTruncating(WeightDecay),
                T.CreateTruncating(Momentum), T.CreateTruncating(1 - Dampening), Nesterov, firstStep,
                Modules[i].ParameterValues.Span, Momentum != 0 ? momentumBuffers[i] : default);
        }
    }
}
