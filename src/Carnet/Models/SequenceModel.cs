// Dimension legend: B = batch, T = time steps, I = input features, F = recurrent output features (D·P), O = outputs.
using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Models;

/// <summary>How a sequence model turns the recurrent output (B, T, F) into what the head reads.</summary>
public enum Pooling
{
    /// <summary>The output at each sequence's last valid step (PyTorch's <c>out[:, -1]</c> when all have T steps): (B, F).</summary>
    Last,

    /// <summary>The mean over each sequence's valid steps: (B, F).</summary>
    Mean,

    /// <summary>The element-wise maximum over each sequence's valid steps: (B, F).</summary>
    Max,

    /// <summary>Every step kept, for tagging: (B, T, F).</summary>
    None,
}

/// <summary>
/// A recurrent stack (batch-first), pooling over time and a linear head: the shape of most sequence
/// regressors and classifiers. Parameters carry the module prefixes <c>rnn.</c> and <c>head.</c>.
/// </summary>
public sealed class SequenceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Builds the model; every layer draws its initial weights from <paramref name="random"/> in turn.</summary>
    public SequenceModel(RecurrentCellKind cell, RecurrentOptions recurrent, int outputSize, Pooling pooling, RandomSource random)
    {
        var options = recurrent with { BatchFirst = true };
        Recurrent = cell switch
        {
            RecurrentCellKind.Lstm => new Lstm<T>(options, random),
            RecurrentCellKind.Gru => new Gru<T>(options, random),
            _ => new Rnn<T>(options, random),
        };
        Head = new Linear<T>(Recurrent.OutputSize, outputSize, random: random);
        Pooling = pooling;
    }

    /// <summary>The recurrent stack (prefix <c>rnn.</c>).</summary>
    public RecurrentLayer<T> Recurrent { get; }

    /// <summary>The head (prefix <c>head.</c>).</summary>
    public Linear<T> Head { get; }

    /// <summary>The pooling over time.</summary>
    public Pooling Pooling { get; }

    /// <summary>The modules with their state_dict prefixes, in order.</summary>
    public IReadOnlyList<(string Prefix, Module<T> Module)> Modules => [("rnn.", Recurrent), ("head.", Head)];

    /// <summary>Runs input (B, T, I) to predictions (B, O), or (B, T, O) without pooling.</summary>
    public SequenceModelResult<T> Forward(Tensor<T> input, int[]? lengths = null, bool training = false, RandomSource? random = null)
    {
        var recurrent = Recurrent switch
        {
            Lstm<T> lstm => lstm.Forward(input, lengths: lengths, training: training, random: random),
            Gru<T> gru => gru.Forward(input, lengths: lengths, training: training, random: random),
            Rnn<T> rnn => rnn.Forward(input, lengths: lengths, training: training, random: random),
            _ => throw new InvalidOperationException("Unknown recurrent layer."),
        };
        int batch = input.Shape[0], steps = input.Shape[1], width = Recurrent.OutputSize;
        ReadOnlySpan<int> valid = lengths;
        Tensor<T> pooled = Pooling == Pooling.None ? recurrent.Output : Tensor<T>.Zeros(batch, width); // (B, F) or (B, T, F)
        int[] argmax = Pooling == Pooling.Max ? new int[batch * width] : []; // (B, F)
        switch (Pooling)
        {
            case Pooling.Last:
                PoolingKernels.LastForward<T>(recurrent.Output.Span, valid, batch, steps, width, pooled.Span);
                break;
            case Pooling.Mean:
                PoolingKernels.MeanForward<T>(recurrent.Output.Span, valid, batch, steps, width, pooled.Span);
                break;
            case Pooling.Max:
                PoolingKernels.MaxForward<T>(recurrent.Output.Span, valid, batch, steps, width, pooled.Span, argmax);
                break;
        }

        return new SequenceModelResult<T>(Head.Forward(pooled), recurrent, pooled, argmax, lengths, this);
    }

    /// <summary>Back-propagates dL/dprediction; accumulates every parameter's gradient.</summary>
    public void Backward(SequenceModelResult<T> result, Tensor<T> gradPrediction)
    {
        if (!ReferenceEquals(result.Owner, this))
        {
            throw new ArgumentException("This result was computed by another model.", nameof(result));
        }

        gradPrediction.EnsureShape(nameof(gradPrediction), result.Prediction.Shape.ToArray());
        var dPooled = Head.Backward(result.Pooled, gradPrediction);
        var output = result.Recurrent.Output;
        int batch = output.Shape[0], steps = output.Shape[1], width = output.Shape[2];
        ReadOnlySpan<int> valid = result.Lengths;
        var dOutput = Pooling == Pooling.None ? dPooled : Tensor<T>.Zeros(batch, steps, width); // (B, T, F)
        switch (Pooling)
        {
            case Pooling.Last:
                PoolingKernels.LastBackward<T>(dPooled.Span, valid, batch, steps, width, dOutput.Span);
                break;
            case Pooling.Mean:
                PoolingKernels.MeanBackward<T>(dPooled.Span, valid, batch, steps, width, dOutput.Span);
                break;
            case Pooling.Max:
                PoolingKernels.MaxBackward<T>(dPooled.Span, result.Argmax, batch, steps, width, dOutput.Span);
                break;
        }

        switch (Recurrent)
        {
            case Lstm<T> lstm:
                lstm.Backward(result.Recurrent, dOutput);
                break;
            case Gru<T> gru:
                gru.Backward(result.Recurrent, dOutput);
                break;
            case Rnn<T> rnn:
                rnn.Backward(result.Recurrent, dOutput);
                break;
        }
    }
}

/// <summary>A sequence model's prediction, and what its backward pass needs.</summary>
public sealed class SequenceModelResult<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal SequenceModelResult(Tensor<T> prediction, RecurrentResult<T> recurrent, Tensor<T> pooled, int[] argmax, int[]? lengths, object owner)
    {
        Prediction = prediction;
        Recurrent = recurrent;
        Pooled = pooled;
        Argmax = argmax;
        Lengths = lengths;
        Owner = owner;
    }

    /// <summary>(B, O), or (B, T, O) without pooling.</summary>
    public Tensor<T> Prediction { get; }

    /// <summary>The recurrent stack's result.</summary>
    public RecurrentResult<T> Recurrent { get; }

    internal Tensor<T> Pooled { get; }

    internal int[] Argmax { get; }

    internal int[]? Lengths { get; }

    internal object Owner { get; }
}
