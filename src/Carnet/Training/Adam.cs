using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>
/// Adam with PyTorch 1.13's update rule (<c>torch.optim.Adam</c>, L2 weight decay added to the gradient, optional
/// AMSGrad). It steps every parameter of the given modules, one flat block per module. State buffers (checkpoint
/// names): <c>exp_avg</c>, <c>exp_avg_sq</c> and, with AMSGrad, <c>max_exp_avg_sq</c>.
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AdamState<T> state;

    /// <summary>Creates the optimizer with PyTorch's defaults (β = (0.9, 0.999), ε = 1e−8, no weight decay).</summary>
    /// <exception cref="ArgumentOutOfRangeException">β outside [0, 1), or ε or the weight decay negative.</exception>
    public Adam(IEnumerable<Module<T>> modules, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : base(modules, learningRate)
    {
        state = new AdamState<T>(Modules, beta1, beta2, epsilon, amsgrad);
        WeightDecay = CheckRange(weightDecay, 0, double.PositiveInfinity, nameof(weightDecay));
    }

    /// <summary>β₁.</summary>
    public double Beta1 => state.Beta1;

    /// <summary>β₂.</summary>
    public double Beta2 => state.Beta2;

    /// <summary>ε.</summary>
    public double Epsilon => state.Epsilon;

    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the maximum of the second moments is used (AMSGrad).</summary>
    public bool Amsgrad => state.Amsgrad;

    /// <inheritdoc />
    protected override IReadOnlyList<(string Name, T[][] PerModule)> StateBuffers => state.Buffers;

    /// <inheritdoc />
    public override void Step()
    {
        StepCount++;
        state.Step(Modules, LearningRate, StepCount, WeightDecay);
    }
}

/// <summary>The moments of Adam and AdamW and the step they share (<c>_single_tensor_adam</c> / <c>_adamw</c>).</summary>
internal sealed class AdamState<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] firstMoments;
    private readonly T[][] secondMoments;
    private readonly T[][] maxSecondMoments;

    public AdamState(IReadOnlyList<Module<T>> modules, double beta1, double beta2, double epsilon, bool amsgrad)
    {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), $"The betas must be in [0, 1) (are {beta1}, {beta2}).");
        }

        if (!(epsilon >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must not be negative.");
        }

        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        Amsgrad = amsgrad;
        firstMoments = modules.Select(m => new T[m.ParameterValues.Length]).ToArray();
        secondMoments = modules.Select(m => new T[m.ParameterValues.Length]).ToArray();
        maxSecondMoments = modules.Select(m => new T[amsgrad ? m.ParameterValues.Length : 0]).ToArray();
        Buffers = amsgrad
            ? [("exp_avg", firstMoments), ("exp_avg_sq", secondMoments), ("max_exp_avg_sq", maxSecondMoments)]
            : [("exp_avg", firstMoments), ("exp_avg_sq", secondMoments)];
    }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    public bool Amsgrad { get; }

    public IReadOnlyList<(string Name, T[][] PerModule)> Buffers { get; }

    /// <summary>One step of every module, <paramref name="step"/> counted from 1; the scalars are Python floats (double).</summary>
    public void Step(IReadOnlyList<Module<T>> modules, double learningRate, int step, double weightDecay)
    {
        double biasCorrection1 = 1 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(Beta2, step);
        T stepSize = T.CreateTruncating(learningRate / biasCorrection1);
        T biasCorrection2Root = T.CreateTruncating(Math.Sqrt(biasCorrection2));
        for (int i = 0; i < modules.Count; i++)
        {
            int n = modules[i].ParameterValues.Length;
            OptimizerKernels.AdamStep<T>(
                modules[i].ParameterGradients.Span, stepSize, biasCorrection2Root, T.CreateTruncating(Beta1), T.CreateTruncating(1 - Beta1),
                T.CreateTruncating(Beta2), T.CreateTruncating(1 - Beta2), T.CreateTruncating(Epsilon), T.CreateTruncating(weightDecay),
                modules[i].ParameterValues.Span, Optimizer<T>.ZerosIfEmpty(firstMoments, i, n), Optimizer<T>.ZerosIfEmpty(secondMoments, i, n),
                Amsgrad ? Optimizer<T>.ZerosIfEmpty(maxSecondMoments, i, n) : default);
        }
    }
}
