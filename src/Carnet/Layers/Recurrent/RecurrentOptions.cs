namespace Carnet.Layers;

/// <summary>
/// The configuration of a recurrent stack, named after PyTorch's constructor arguments
/// (<c>input_size</c>, <c>hidden_size</c>, <c>num_layers</c>, <c>bias</c>, <c>batch_first</c>, <c>dropout</c>,
/// <c>bidirectional</c>, <c>proj_size</c>, <c>nonlinearity</c>), plus the initialisation choices.
/// </summary>
public sealed record RecurrentOptions
{
    /// <summary>I: features per time step.</summary>
    public required int InputSize { get; init; }

    /// <summary>H: units per layer and direction.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>L: stacked layers, each reading the previous one's output.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Whether the layers have <c>bias_ih</c> and <c>bias_hh</c>.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>Whether input and output are (batch, steps, features) instead of (steps, batch, features).</summary>
    public bool BatchFirst { get; init; }

    /// <summary>Dropout probability on the outputs of every layer but the last, in training only.</summary>
    public double Dropout { get; init; }

    /// <summary>Whether each layer also runs over the sequence backwards (suffix <c>_reverse</c>).</summary>
    public bool Bidirectional { get; init; }

    /// <summary>LSTM only: when above zero, h_t = W_hr·(o ⊙ tanh(c_t)) has this size (<c>weight_hr_l{k}</c>).</summary>
    public int ProjectionSize { get; init; }

    /// <summary>RNN only: the nonlinearity.</summary>
    public RnnNonlinearity Nonlinearity { get; init; } = RnnNonlinearity.Tanh;

    /// <summary>Whether a plain RNN applies relu rather than tanh.</summary>
    internal bool UsesRelu => Nonlinearity == RnnNonlinearity.Relu;

    /// <summary>How recurrent weights start: PyTorch's uniform default, or orthogonal blocks.</summary>
    public RecurrentWeightInitialization RecurrentWeightInitialization { get; init; } = RecurrentWeightInitialization.Uniform;

    /// <summary>LSTM only: when set, the forget-gate bias starts at this value (Keras' <c>unit_forget_bias</c> uses 1).</summary>
    public double? ForgetGateBias { get; init; }

    /// <summary>
    /// LSTM only: when set, the input-gate bias starts at this value. A negative value starts the gate nearly closed, as
    /// Hochreiter &amp; Schmidhuber (1997) biased it against state drift, and as the chrono initialisation pairs it
    /// with the forget bias (b_i = −b_f).
    /// </summary>
    public double? InputGateBias { get; init; }

    /// <summary>P: the size of h, the projection size when set, else H.</summary>
    public int StateSize => ProjectionSize > 0 ? ProjectionSize : HiddenSize;

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int DirectionCount => Bidirectional ? 2 : 1;

    /// <summary>D·P: features per step of the last layer's output.</summary>
    public int OutputSize => DirectionCount * StateSize;

    internal void Validate(RecurrentCellKind kind)
    {
        var cell = RecurrentCells.Of(kind);
        Require(InputSize > 0, $"InputSize must be positive (is {InputSize}).");
        Require(HiddenSize > 0, $"HiddenSize must be positive (is {HiddenSize}).");
        Require(NumLayers > 0, $"NumLayers must be positive (is {NumLayers}).");
        Require(Dropout is >= 0 and < 1, $"Dropout must be in [0, 1) (is {Dropout}).");
        Require(ProjectionSize >= 0, $"ProjectionSize must not be negative (is {ProjectionSize}).");
        Require(ProjectionSize == 0 || cell.SupportsProjection, "ProjectionSize is only for an LSTM.");
        Require(ProjectionSize < HiddenSize, $"ProjectionSize ({ProjectionSize}) must be smaller than HiddenSize ({HiddenSize}).");
        Require(ForgetGateBias is null || cell.SupportsGateBiases, "ForgetGateBias is only for an LSTM.");
        Require(ForgetGateBias is null || Bias, "ForgetGateBias needs Bias.");
        Require(InputGateBias is null || cell.SupportsGateBiases, "InputGateBias is only for an LSTM.");
        Require(InputGateBias is null || Bias, "InputGateBias needs Bias.");
        Require(Nonlinearity == RnnNonlinearity.Tanh || cell.SupportsNonlinearity, "Nonlinearity is only for an RNN.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>How the recurrent weights <c>weight_hh</c> are initialised.</summary>
public enum RecurrentWeightInitialization
{
    /// <summary>PyTorch's default: every parameter uniform in [−1/√H, 1/√H].</summary>
    Uniform,

    /// <summary>Each gate's (H, P) block of <c>weight_hh</c> orthogonal (as Keras' <c>recurrent_initializer</c>).</summary>
    Orthogonal,
}
