using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>
/// AdamW with PyTorch 1.13's update rule (<c>torch.optim.AdamW</c>): decoupled weight decay p ← p·(1 − lr·λ), with
/// 1 − lr·λ formed in double, before an Adam step that adds nothing to the gradient; optional AMSGrad. State buffers
/// (checkpoint names): <c>exp_avg</c>, <c>exp_avg_sq</c> and, with AMSGrad, <c>max_exp_avg_sq</c>.
/// </summary>
public sealed class AdamW<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AdamState<T> state;

    /// <summary>Creates the optimizer with PyTorch's defaults (β = (0.9, 0.999), ε = 1e−8, weight decay 0.01).</summary>
    /// <exception cref="ArgumentOutOfRangeException">β outside [0, 1), or ε or the weight decay negative.</exception>
    public AdamW(IEnumerable<Module<T>> modules, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
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

    /// <summary>Decoupled weight decay λ: each step multiplies the parameters by 1 − lr·λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the maximum of the second moments is used (AMSGrad).</summary>
    public bool Amsgrad => state.Amsgrad;

    /// <inheritdoc />
    protected override IReadOnlyList<(string Name, T[][] PerModule)> StateBuffers => state.Buffers;

    /// <inheritdoc />
    public override void Step()
    {
        StepCount++;
        T decay = T.CreateTruncating(1 - LearningRate * WeightDecay);
        foreach (var module in Modules)
        {
            Elementwise.Scale(decay, module.ParameterValues.Span);
        }

        state.Step(Modules, LearningRate, StepCount, weightDecay: 0);
    }
}
