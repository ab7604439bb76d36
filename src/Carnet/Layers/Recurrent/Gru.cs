using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// A multi-layer GRU with PyTorch's <c>torch.nn.GRU</c> parameters, options and results:
/// r = σ(W_ir·x + b_ir + W_hr·h + b_hr), z = σ(…), n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)),
/// h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}. Gates are stacked r, z, n in <c>weight_ih_l{k}</c> (3H, I).
/// </summary>
public sealed class Gru<T> : RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the stack with PyTorch's default initialisation, drawn from <paramref name="random"/> (seed 0 when null).</summary>
    public Gru(RecurrentOptions options, RandomSource? random = null)
        : base(RecurrentCellKind.Gru, options, random)
    {
    }

    /// <summary>Creates the stack from PyTorch's constructor arguments.</summary>
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, RandomSource? random = null)
        : this(new RecurrentOptions
        {
            InputSize = inputSize, HiddenSize = hiddenSize, NumLayers = numLayers, Bias = bias, BatchFirst = batchFirst,
            Dropout = dropout, Bidirectional = bidirectional,
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
