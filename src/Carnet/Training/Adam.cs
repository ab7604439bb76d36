using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>
/// Adam with PyTorch 1.13's update rule (<c>torch.optim.Adam</c>, L2 weight decay added to the gradient).
/// It steps every parameter of the given modules, one flat block per module.
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] firstMoments;
    private readonly T[][] secondMoments;

    /// <summary>Creates the optimizer with PyTorch's defaults (β = (0.9, 0.999), ε = 1e−8).</summary>
    public Adam(IEnumerable<Module<T>> modules, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0)
        : base(modules, learningRate)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        firstMoments = Modules.Select(m => new T[m.ParameterValues.Length]).ToArray();
        secondMoments = Modules.Select(m => new T[m.ParameterValues.Length]).ToArray();
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    protected override IReadOnlyList<(string Name, T[][] PerModule)> StateBuffers => [("exp_avg", firstMoments), ("exp_avg_sq", secondMoments)];

    /// <inheritdoc />
    public override void Step()
    {
        StepCount++;
        T stepSize = T.CreateTruncating(LearningRate / (1 - Math.Pow(Beta1, StepCount)));
        T biasCorrection2Root = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(Beta2, StepCount)));
        for (int i = 0; i < Modules.Count; i++)
        {
            OptimizerKernels.AdamStep<T>(
                Modules[i].ParameterGradients.Span, stepSize, biasCorrection2Root, T.CreateTruncating(Beta1), T.CreateTruncating(1 - Beta1),
                T.CreateTruncating(Beta2), T.CreateTruncating(1 - Beta2), T.CreateTruncating(Epsilon), T.CreateTruncating(WeightDecay),
                Modules[i].ParameterValues.Span, firstMoments[i], secondMoments[i]);
        }
    }
}
