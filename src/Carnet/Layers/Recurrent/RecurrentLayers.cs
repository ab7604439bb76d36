using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// A recurrent stack whose cells carry a cell state beside h (<see cref="Lstm{T}"/>, <see cref="PeepholeLstm{T}"/>): its
/// forward pass takes an initial c and its backward pass dL/dc_n.
/// </summary>
public abstract class CellStateLayer<T> : RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private protected CellStateLayer(RecurrentCellKind kind, RecurrentOptions options, RandomSource? random)
        : base(kind, options, random)
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

/// <summary>
/// A multi-layer LSTM with PyTorch's <c>torch.nn.LSTM</c> parameters, options and results. Each step:
/// i, f, o = σ(W_i·x_t + b_i + U·h_{t−1} + b_h), g = tanh(…), c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t)
/// (then h_t = W_hr·h_t with a projection). Gates are stacked i, f, g, o in <c>weight_ih_l{k}</c> (4H, I).
/// </summary>
public sealed class Lstm<T> : CellStateLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
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
}

/// <summary>
/// A multi-layer LSTM with peephole connections: i = σ(W_i·x_t + U_i·h_{t−1} + b + p_i ⊙ c_{t−1}), f likewise with p_f,
/// g = tanh(…), c_t = f ⊙ c_{t−1} + i ⊙ g, o = σ(… + p_o ⊙ c_t), h_t = o ⊙ tanh(c_t). Parameters as the LSTM's plus
/// <c>weight_peephole_l{k}</c> (3H: p_i, p_f, p_o); no projection. ONNX's LSTM with peepholes runs on it.
/// </summary>
public sealed class PeepholeLstm<T> : CellStateLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the stack, every parameter uniform in [−1/√H, 1/√H] from <paramref name="random"/> (seed 0 when null).</summary>
    public PeepholeLstm(RecurrentOptions options, RandomSource? random = null)
        : base(RecurrentCellKind.PeepholeLstm, options, random)
    {
    }
}

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

    /// <summary>Runs the stack; see <see cref="CellStateLayer{T}.Forward"/> for shapes, lengths and dropout.</summary>
    public RecurrentResult<T> Forward(Tensor<T> input, Tensor<T>? initialHidden = null, int[]? lengths = null,
        bool training = false, RandomSource? random = null)
        => ForwardCore(input, initialHidden, null, lengths, training, random);

    /// <summary>Back-propagates dL/doutput and dL/dh_n; see <see cref="CellStateLayer{T}.Backward"/>.</summary>
    public RecurrentGradients<T> Backward(RecurrentResult<T> result, Tensor<T>? gradOutput, Tensor<T>? gradHidden = null, bool recordStates = false)
        => BackwardCore(result, gradOutput, gradHidden, null, recordStates);
}

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

    /// <summary>Runs the stack; see <see cref="CellStateLayer{T}.Forward"/> for shapes, lengths and dropout.</summary>
    public RecurrentResult<T> Forward(Tensor<T> input, Tensor<T>? initialHidden = null, int[]? lengths = null,
        bool training = false, RandomSource? random = null)
        => ForwardCore(input, initialHidden, null, lengths, training, random);

    /// <summary>Back-propagates dL/doutput and dL/dh_n; see <see cref="CellStateLayer{T}.Backward"/>.</summary>
    public RecurrentGradients<T> Backward(RecurrentResult<T> result, Tensor<T>? gradOutput, Tensor<T>? gradHidden = null, bool recordStates = false)
        => BackwardCore(result, gradOutput, gradHidden, null, recordStates);
}

/// <summary>One LSTM step (<c>torch.nn.LSTMCell</c>): (x, h_0, c_0) → (h_1, c_1).</summary>
public sealed class LstmCell<T> : RecurrentCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the cell with PyTorch's default initialisation (seed 0 when <paramref name="random"/> is null).</summary>
    public LstmCell(int inputSize, int hiddenSize, bool bias = true, RandomSource? random = null)
        : base(RecurrentCellKind.Lstm, new RecurrentOptions { InputSize = inputSize, HiddenSize = hiddenSize, Bias = bias }, random)
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
        : base(RecurrentCellKind.Gru, new RecurrentOptions { InputSize = inputSize, HiddenSize = hiddenSize, Bias = bias }, random)
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
        : base(RecurrentCellKind.Rnn, new RecurrentOptions { InputSize = inputSize, HiddenSize = hiddenSize, Bias = bias, Nonlinearity = nonlinearity }, random)
    {
    }

    /// <summary>One step: input (B, I), state (B, H) or zero when null.</summary>
    public CellResult<T> Forward(Tensor<T> input, Tensor<T>? hidden = null) => StepCore(input, hidden, null);

    /// <summary>Back-propagates dL/dh_1; accumulates parameter gradients.</summary>
    public CellGradients<T> Backward(CellResult<T> result, Tensor<T>? gradHidden) => BackwardCore(result, gradHidden, null);
}
