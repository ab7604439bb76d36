using System.Numerics;

namespace Carnet.Layers;

/// <summary>One LSTM step (<c>torch.nn.LSTMCell</c>): (x, h_0, c_0) → (h_1, c_1).</summary>
public sealed class LstmCell<T> : RecurrentCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the cell with PyTorch's default initialisation (seed 0 when <paramref name="random"/> is null).</summary>
    public LstmCell(int inputSize, int hiddenSize, bool bias = true, RandomSource? random = null)
        : base(RecurrentCellKind.Lstm, inputSize, hiddenSize, bias, RnnNonlinearity.Tanh, random)
    {
    }

    /// <summary>One step: input (B, I), states (B, H) or zero when null.</summary>
    public CellResult<T> Forward(Tensor<T> input, Tensor<T>? hidden = null, Tensor<T>? cell = null) => StepCore(input, hidden, cell);

    /// <summary>Back-propagates dL/dh_1 and dL/dc_1; accumulates parameter gradients.</summary>
    public CellGradients<T> Backward(CellResult<T> result, Tensor<T>? gradHidden, Tensor<T>? gradCell = null) => BackwardCore(result, gradHidden, gradCell);
}

/// <summary>One GRU step (<c>torch.nn.GRUCell</c>): (x, h_0) → h_1.</summary>
public sealed class GruCell<T> : RecurrentCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the cell with PyTorch's default initialisation (seed 0 when <paramref name="random"/> is null).</summary>
    public GruCell(int inputSize, int hiddenSize, bool bias = true, RandomSource? random = null)
        : base(RecurrentCellKind.Gru, inputSize, hiddenSize, bias, RnnNonlinearity.Tanh, random)
    {
    }

    /// <summary>One step: input (B, I), state (B, H) or zero when null.</summary>
    public CellResult<T> Forward(Tensor<T> input, Tensor<T>? hidden = null) => StepCore(input, hidden, null);

    /// <summary>Back-propagates dL/dh_1; accumulates parameter gradients.</summary>
    public CellGradients<T> Backward(CellResult<T> result, Tensor<T>? gradHidden) => BackwardCore(result, gradHidden, null);
}

/// <summary>One Elman RNN step (<c>torch.nn.RNNCell</c>): (x, h_0) → h_1.</summary>
public sealed class RnnCell<T> : RecurrentCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the cell with PyTorch's default initialisation (seed 0 when <paramref name="random"/> is null).</summary>
    public RnnCell(int inputSize, int hiddenSize, bool bias = true, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, RandomSource? random = null)
        : base(RecurrentCellKind.Rnn, inputSize, hiddenSize, bias, nonlinearity, random)
    {
    }

    /// <summary>One step: input (B, I), state (B, H) or zero when null.</summary>
    public CellResult<T> Forward(Tensor<T> input, Tensor<T>? hidden = null) => StepCore(input, hidden, null);

    /// <summary>Back-propagates dL/dh_1; accumulates parameter gradients.</summary>
    public CellGradients<T> Backward(CellResult<T> result, Tensor<T>? gradHidden) => BackwardCore(result, gradHidden, null);
}
