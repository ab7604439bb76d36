// Dimension legend: N = rows (every leading dimension flattened), I = input features, O = output features.
using System.Numerics;
using System.Runtime.InteropServices;
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
        ForwardRows(input.Span, rows, InputSize, OutputSize, Weight, Bias is null ? default : Bias.Value.Span, output.Span);
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
    internal static void ForwardRows(ReadOnlySpan<T> input, int rows, int inputSize, int outputSize, Parameter<T> weight, ReadOnlySpan<T> bias, Span<T> output)
    {
        if (!bias.IsEmpty)
        {
            Elementwise.BroadcastRows(bias, default, rows, outputSize, output);
        }

        MultiplyRows(input, rows, inputSize, outputSize, weight, output, accumulate: !bias.IsEmpty);
    }

    /// <summary>
    /// output (N, O) (+)= input (N, I) · weightᵀ for a weight (O, I): in int8 when the weight is quantised (each input row
    /// quantised as it is read), else in the weight's own precision.
    /// </summary>
    internal static void MultiplyRows(ReadOnlySpan<T> input, int rows, int inputSize, int outputSize, Parameter<T> weight, Span<T> output, bool accumulate)
    {
        if (weight.Quantized is { } quantized)
        {
            quantized.Multiply(MemoryMarshal.Cast<T, float>(input)[..(rows * inputSize)], rows, MemoryMarshal.Cast<T, float>(output), accumulate);
            return;
        }

        Gemm.MultiplyTransposedB(input, weight.Value.Span, rows, outputSize, inputSize, output, accumulate);
    }

    /// <summary>dW += dyᵀ·x, db += Σ dy (when there is a bias), dInput (N, I) = dy·W.</summary>
    internal static void BackwardRows(
        ReadOnlySpan<T> input, ReadOnlySpan<T> gradOutput, int rows, int inputSize, int outputSize, Parameter<T> weight, Parameter<T>? bias, Span<T> dInput)
    {
        weight.ThrowIfQuantized();
        Gemm.AccumulateTransposedA(gradOutput, input, outputSize, inputSize, rows, weight.Gradient.Span);
        if (bias is not null)
        {
            Elementwise.AccumulateColumnSums(gradOutput, rows, outputSize, bias.Gradient.Span);
        }

        Gemm.MultiplyPlain(gradOutput, weight.Value.Span, rows, inputSize, outputSize, dInput, accumulate: false);
    }

    internal override bool IsQuantizable(Parameter<T> parameter) => ReferenceEquals(parameter, Weight);

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
