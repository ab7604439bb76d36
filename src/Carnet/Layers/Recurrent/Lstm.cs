using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// A multi-layer LSTM with PyTorch's <c>torch.nn.LSTM</c> parameters, options and results. Each step:
/// i, f, o = σ(W_i·x_t + b_i + U·h_{t−1} + b_h), g = tanh(…), c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t)
/// (then h_t = W_hr·h_t with a projection). Gates are stacked i, f, g, o in <c>weight_ih_l{k}</c> (4H, I).
/// </summary>
public sealed class Lstm<T> : RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the stack with PyTorch's default initialisation, drawn from <paramref name="random"/> (seed 0 when null).</summary>
    public Lstm(RecurrentOptions options, RandomSource? random = null)
        : base(RecurrentCellKind.Lstm, options, random)
    {
    }

    /// <summary>Creates the stack from PyTorch's constructor arguments.</summary>
    public Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, int projectionSize = 0, RandomSource? random = null)
        : this(new RecurrentOptions
        {
            InputSize = inputSize, HiddenSize = hiddenSize, NumLayers = numLayers, Bias = bias, BatchFirst = batchFirst,
            Dropout = dropout, Bidirectional = bidirectional, ProjectionSize = projectionSize,
        }, random)
    {
    }

    /// <summary>
    /// Runs the stack. <paramref name="input"/> is (T, B, I), or (B, T, I) when batch-first. The initial states are
    /// (L·D, B, P) and (L·D, B, H), zero when null. <paramref name="lengths"/> (B), any order, gives each sequence's
    /// length for a padded batch, with PyTorch's packed-sequence meaning. Dropout applies only when
    /// <paramref name="training"/>, with masks from <paramref name="random"/> or the layer's <see cref="RecurrentLayer{T}.DropoutRandom"/>.
    /// </summary>
    public RecurrentResult<T> Forward(Tensor<T> input, Tensor<T>? initialHidden = null, Tensor<T>? initialCell = null,
        int[]? lengths = null, bool training = false, RandomSource? random = null)
        => ForwardCore(input, initialHidden, initialCell, lengths, training, random);

    /// <summary>
    /// Back-propagates dL/doutput, dL/dh_n and dL/dc_n (each zero when null) through the forward pass that gave
    /// <paramref name="result"/>: accumulates into every parameter's gradient and returns the input and initial-state gradients,
    /// and with <paramref name="recordStates"/> dL/dh_t for every step (<see cref="RecurrentGradients{T}.States"/>).
    /// </summary>
    public RecurrentGradients<T> Backward(RecurrentResult<T> result, Tensor<T>? gradOutput,
        Tensor<T>? gradHidden = null, Tensor<T>? gradCell = null, bool recordStates = false)
        => BackwardCore(result, gradOutput, gradHidden, gradCell, recordStates);
}
