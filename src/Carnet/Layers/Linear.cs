// Dimension legend: N = rows (every leading dimension flattened), I = input features, O = output features.
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// y = x·Wᵀ + b over the last dimension (<c>torch.nn.Linear</c>): <c>weight</c> (O, I), <c>bias</c> (O).
/// The input may have any leading dimensions.
/// </summary>
public sealed class Linear<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the layer with PyTorch's default initialisation (seed 0 when <paramref name="random"/> is null).</summary>
    public Linear(int inputSize, int outputSize, bool bias = true, RandomSource? random = null)
        : base(bias ? [("weight", [outputSize, inputSize]), ("bias", [outputSize])] : [("weight", [outputSize, inputSize])])
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        InputSize = inputSize;
        OutputSize = outputSize;
        Weight = GetParameter("weight");
        Bias = bias ? GetParameter("bias") : null;
        Initialization.ResetLinear(this, inputSize, random ?? new RandomSource(0));
    }

    /// <summary>I.</summary>
    public int InputSize { get; }

    /// <summary>O.</summary>
    public int OutputSize { get; }

    /// <summary>weight: (O, I).</summary>
    public Parameter<T> Weight { get; }

    /// <summary>bias: (O), or null.</summary>
    public Parameter<T>? Bias { get; }

    /// <summary>y (…, O) = x (…, I) · Wᵀ + b.</summary>
    public Tensor<T> Forward(Tensor<T> input)
    {
        int rows = RowsOf(input);
        var shape = input.Shape.ToArray();
        shape[^1] = OutputSize;
        var output = Tensor<T>.Zeros(shape); // (N, O)
        ForwardRows(input.Span, rows, InputSize, OutputSize, Weight.Value.Span, Bias is null ? default : Bias.Value.Span, output.Span);
        return output;
    }

    /// <summary>Accumulates dW += dyᵀ·x and db += Σ dy; returns dx = dy·W.</summary>
    public Tensor<T> Backward(Tensor<T> input, Tensor<T> gradOutput)
    {
        int rows = RowsOf(input);
        if (gradOutput.Length != rows * OutputSize)
        {
            throw new ArgumentException($"gradOutput has {gradOutput.Length} elements; expected {rows} rows of {OutputSize}.", nameof(gradOutput));
        }

        var dInput = Tensor<T>.Zeros(input.Shape.ToArray()); // (N, I)
        BackwardRows(input.Span, gradOutput.Span, rows, InputSize, OutputSize, Weight, Bias, dInput.Span);
        return dInput;
    }

    /// <summary>output (N, O) = input (N, I) · weightᵀ + bias (no bias when <paramref name="bias"/> is empty).</summary>
    internal static void ForwardRows(ReadOnlySpan<T> input, int rows, int inputSize, int outputSize, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output)
    {
        if (!bias.IsEmpty)
        {
            Elementwise.BroadcastRows(bias, default, rows, outputSize, output);
        }

        Gemm.MultiplyTransposedB(input, weight, rows, outputSize, inputSize, output, accumulate: !bias.IsEmpty);
    }

    /// <summary>dW += dyᵀ·x, db += Σ dy (when there is a bias), dInput (N, I) = dy·W.</summary>
    internal static void BackwardRows(
        ReadOnlySpan<T> input, ReadOnlySpan<T> gradOutput, int rows, int inputSize, int outputSize, Parameter<T> weight, Parameter<T>? bias, Span<T> dInput)
    {
        Gemm.AccumulateTransposedA(gradOutput, input, outputSize, inputSize, rows, weight.Gradient.Span);
        if (bias is not null)
        {
            Elementwise.AccumulateColumnSums(gradOutput, rows, outputSize, bias.Gradient.Span);
        }

        Gemm.MultiplyPlain(gradOutput, weight.Value.Span, rows, inputSize, outputSize, dInput, accumulate: false);
    }

    private int RowsOf(Tensor<T> input)
    {
        if (input.Rank == 0 || input.Shape[^1] != InputSize)
        {
            throw new ArgumentException(
                $"input has shape {Tensor<T>.ShapeToString(input.Shape.ToArray())}; its last dimension must be {InputSize}.", nameof(input));
        }

        return input.Length / InputSize;
    }
}
