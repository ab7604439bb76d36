// Dimension legend: N = elements of a parameter block (one module's flat ParameterValues / ParameterGradients).
// Every buffer passed to a step is (N): gradient, parameter and the optimizer's state of that block.
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>
/// Optimizer updates and gradient norms, in PyTorch 1.13's exact order of operations (its single-tensor, for-loop
/// implementations): scalars such as the bias corrections are formed by the caller in double precision, as Python
/// floats are, and rounded once to the element type T; every tensor operation is done in T. Where PyTorch's CPU
/// kernels round once, so do these: <c>a.add(b, alpha)</c> = a + α·b and <c>addcmul</c> = s + (v·t₁)·t₂ are fused
/// multiply-adds in PyTorch's AVX2 and AVX-512 builds (an explicit vector fmadd, and the compiler's contraction in the
/// scalar tail), so they are <c>FusedMultiplyAdd</c> here; <c>addcdiv</c> (s + (v·t₁)/t₂), <c>mul</c> and <c>div</c>
/// round each operation. With that, the double-precision golden cases agree with PyTorch bit for bit.
/// Scalar reference code.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary>
    /// One Adam step (torch.optim.Adam, 1.13) on a block of parameters:
    /// g = grad + λ·p; m = β₁m + (1 − β₁)g; v = β₂v + ((1 − β₂)g)·g (each a fused multiply-add); [amsgrad: v̂ = max(v̂, v), used for v below];
    /// p −= stepSize · m / (√v / √(1 − β₂ᵗ) + ε), where stepSize = lr / (1 − β₁ᵗ). AdamW passes λ = 0 and
    /// decays the parameters first (<see cref="Elementwise.Scale"/>). An empty <paramref name="maxSecondMoment"/>
    /// means amsgrad is off.
    /// </summary>
    public static void AdamStep<T>(
        ReadOnlySpan<T> gradient, T stepSize, T biasCorrection2Root, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2,
        T epsilon, T weightDecay,
        Span<T> parameter, Span<T> firstMoment, Span<T> secondMoment, Span<T> maxSecondMoment)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool amsgrad = !maxSecondMoment.IsEmpty;
        for (int i = 0; i < parameter.Length; i++)
        {
            T g = weightDecay == T.Zero ? gradient[i] : T.FusedMultiplyAdd(weightDecay, parameter[i], gradient[i]);
            firstMoment[i] = T.FusedMultiplyAdd(oneMinusBeta1, g, firstMoment[i] * beta1);
            secondMoment[i] = T.FusedMultiplyAdd(oneMinusBeta2 * g, g, secondMoment[i] * beta2);
            T second = secondMoment[i];
            if (amsgrad)
            {
                // torch.maximum: NaN wins
                maxSecondMoment[i] = T.IsNaN(second) || second > maxSecondMoment[i] ? second : maxSecondMoment[i];
                second = maxSecondMoment[i];
            }

            T denominator = T.Sqrt(second) / biasCorrection2Root + epsilon;
            parameter[i] -= stepSize * firstMoment[i] / denominator;
        }
    }

    /// <summary>
    /// One SGD step (torch.optim.SGD, 1.13): d = grad + λ·p; with momentum μ, on the first step buf = d (a copy, not
    /// (1 − dampening)·d) and afterwards buf = μ·buf + (1 − dampening)·d, then d = d + μ·buf (nesterov) or d = buf;
    /// p −= lr·d (each a fused multiply-add). An empty <paramref name="momentumBuffer"/> means no momentum.
    /// </summary>
    public static void SgdStep<T>(
        ReadOnlySpan<T> gradient, T learningRate, T weightDecay, T momentum, T oneMinusDampening, bool nesterov,
        bool firstStep,
        Span<T> parameter, Span<T> momentumBuffer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool hasMomentum = !momentumBuffer.IsEmpty;
        for (int i = 0; i < parameter.Length; i++)
        {
            T d = weightDecay == T.Zero ? gradient[i] : T.FusedMultiplyAdd(weightDecay, parameter[i], gradient[i]);
            if (hasMomentum)
            {
                momentumBuffer[i] = firstStep ? d : T.FusedMultiplyAdd(oneMinusDampening, d, momentumBuffer[i] * momentum);
                d = nesterov ? T.FusedMultiplyAdd(momentum, momentumBuffer[i], d) : momentumBuffer[i];
            }

            parameter[i] = T.FusedMultiplyAdd(-learningRate, d, parameter[i]);
        }
    }

    /// <summary>
    /// One RMSprop step (torch.optim.RMSprop, 1.13): g = grad + λ·p; s = αs + ((1 − α)g)·g; centered: a = αa + (1 − α)g
    /// and avg = √(s − a·a) + ε, otherwise avg = √s + ε (the updates and s − a·a fused multiply-adds); with momentum μ:
    /// buf = μ·buf + g / avg and p −= lr·buf (fused), otherwise p −= (lr·g) / avg. An empty <paramref name="gradientAverage"/> means not centered, an empty
    /// <paramref name="momentumBuffer"/> no momentum.
    /// </summary>
    public static void RmsPropStep<T>(
        ReadOnlySpan<T> gradient, T learningRate, T alpha, T oneMinusAlpha, T epsilon, T weightDecay, T momentum,
        Span<T> parameter, Span<T> squareAverage, Span<T> gradientAverage, Span<T> momentumBuffer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool centered = !gradientAverage.IsEmpty;
        bool hasMomentum = !momentumBuffer.IsEmpty;
        for (int i = 0; i < parameter.Length; i++)
        {
            T g = weightDecay == T.Zero ? gradient[i] : T.FusedMultiplyAdd(weightDecay, parameter[i], gradient[i]);
            squareAverage[i] = T.FusedMultiplyAdd(oneMinusAlpha * g, g, squareAverage[i] * alpha);
            T average;
            if (centered)
            {
                gradientAverage[i] = T.FusedMultiplyAdd(oneMinusAlpha, g, gradientAverage[i] * alpha);
                average = T.Sqrt(T.FusedMultiplyAdd(-gradientAverage[i], gradientAverage[i], squareAverage[i])) + epsilon;
            }
            else
            {
                average = T.Sqrt(squareAverage[i]) + epsilon;
            }

            if (hasMomentum)
            {
                momentumBuffer[i] = momentumBuffer[i] * momentum + g / average;
                parameter[i] = T.FusedMultiplyAdd(-learningRate, momentumBuffer[i], parameter[i]);
            }
            else
            {
                parameter[i] -= learningRate * g / average;
            }
        }
    }

    /// <summary>Σ x², accumulated in double precision in order with fused multiply-adds (torch.norm's CPU reduction in float64).</summary>
    public static double SumOfSquares<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double x = double.CreateTruncating(values[i]);
            sum = Math.FusedMultiplyAdd(x, x, sum);
        }

        return sum;
    }

    /// <summary>Σ |x|^p, accumulated in double precision.</summary>
    public static double SumOfPowers<T>(ReadOnlySpan<T> values, double power)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += Math.Pow(Math.Abs(double.CreateTruncating(values[i])), power);
        }

        return sum;
    }

    /// <summary>max |x| (0 for an empty block; NaN if any element is NaN).</summary>
    public static double MaxAbsolute<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double x = Math.Abs(double.CreateTruncating(values[i]));
            if (double.IsNaN(x))
            {
                return double.NaN;
            }

            max = Math.Max(max, x);
        }

        return max;
    }

    /// <summary>values[i] = min(max(values[i], lower), upper), NaN kept (torch.clamp_).</summary>
    public static void Clamp<T>(T lower, T upper, Span<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            T x = values[i];
            values[i] = x < lower ? lower : x > upper ? upper : x;
        }
    }
}
