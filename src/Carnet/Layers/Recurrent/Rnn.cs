using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// A multi-layer Elman RNN with PyTorch's <c>torch.nn.RNN</c> parameters, options and results:
/// h_t = act(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), act = tanh or relu.
/// </summary>
public sealed class Rnn<T> : RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the stack with PyTorch's default initialisation, drawn from <paramref name="random"/> (seed 0 when null).</summary>
    public Rnn(RecurrentOptions options, RandomSource? random = null)
        : base(RecurrentCellKind.Rnn, options, random)
    {
    }

    /// <summary>Creates the stack from PyTorch's constructor arguments.</summary>
    public Rnn(int inputSize, int hiddenSize, int numLayers = 1, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh,
        bool bias = true, bool batchFirst = false, double dropout = 0, bool bidirectional = false, RandomSource? random = null)
        : this(new RecurrentOptions
        {
            InputSize = inputSize, HiddenSize = hiddenSize, NumLayers = numLayers, Nonlinearity = nonlinearity, Bias = bias,
            BatchFirst = batchFirst, Dropout = dropout, Bidirectional = bidirectional,
        }, random)
    {
    }

    /// <summary>Runs the stack; see <see cref="Lstm{T}.Forward"/> for shapes, lengths and dropout.</summary>
    public RecurrentResult<T> Forward(Tensor<T> input, Tensor<T>? initialHidden = null, int[]? lengths = null,
        bool training = false, RandomSource? random = null)
        => ForwardCore(input, initialHidden, null, lengths, training, random);

    /// <summary>Back-propagates dL/doutput and dL/dh_n; see <see cref="Lstm{T}.Backward"/>.</summary>
    public RecurrentGradients<T> Backward(RecurrentResult<T> result, Tensor<T>? gradOutput, Tensor<T>? gradHidden = null, bool recordStates = false)
        => BackwardCore(result, gradOutput, gradHidden, null, recordStates);
}
