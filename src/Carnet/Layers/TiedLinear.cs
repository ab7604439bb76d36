// Dimension legend: N = rows, I = input features, O = output features.
using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// y = x·Wᵀ + b where W (O, I) belongs to another module (weight tying: a decoder's output layer reading its
/// embedding table, as in Press and Wolf 2017). This module holds only <c>bias</c> (O); W's gradient accumulates
/// into its owner's.
/// </summary>
public sealed class TiedLinear<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Ties to <paramref name="weight"/> (O, I); the bias is drawn uniform in ±1/√I as PyTorch's Linear draws it.</summary>
    public TiedLinear(Parameter<T> weight, RandomSource random)
        : base([("bias", [weight.Shape[0]])])
    {
        if (weight.Shape.Count != 2)
        {
            throw new ArgumentException($"A tied weight must be a matrix; '{weight.Name}' has {weight.Shape.Count} dimensions.", nameof(weight));
        }

        Weight = weight;
        Bias = GetParameter("bias");
        Initialization.ResetLinear(this, InputSize, random);
    }

    /// <summary>The shared weight: (O, I).</summary>
    public Parameter<T> Weight { get; }

    /// <summary>bias: (O).</summary>
    public Parameter<T> Bias { get; }

    /// <summary>I.</summary>
    public int InputSize => Weight.Shape[1];

    /// <summary>O.</summary>
    public int OutputSize => Weight.Shape[0];

    /// <summary>output (N, O) = input (N, I) · Wᵀ + b.</summary>
    public void Forward(ReadOnlySpan<T> input, int rows, Span<T> output)
        => Linear<T>.ForwardRows(input, rows, InputSize, OutputSize, Weight, Bias.Value.Span, output);

    /// <summary>Accumulates dW (into the owner's gradient) and db; writes dInput (N, I) = dy·W.</summary>
    public void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> gradOutput, int rows, Span<T> dInput)
        => Linear<T>.BackwardRows(input, gradOutput, rows, InputSize, OutputSize, Weight, Bias, dInput);
}
