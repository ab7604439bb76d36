using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// The buffers of one time step of one direction for a block of rows; those a cell has no use for stay empty.
/// </summary>
internal ref struct StepBuffers<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows in every buffer.</summary>
    public int Rows;

    /// <summary>h_{t−1}.</summary>
    public ReadOnlySpan<T> HiddenPrevious; // (rows, P)

    /// <summary>c_{t−1} (LSTM).</summary>
    public ReadOnlySpan<T> CellPrevious; // (rows, H)

    /// <summary>The input projection and input-side biases in, the activations out.</summary>
    public Span<T> Gates; // (rows, G·H)

    /// <summary>W_hh·h + b_hh (GRU).</summary>
    public Span<T> HiddenGates; // (rows, 3H)

    /// <summary>b_hh (GRU), which the recurrent product adds as it stores HiddenGates; empty without biases.</summary>
    public ReadOnlySpan<T> HiddenBias; // (3H)

    /// <summary>tanh(c_t) (LSTM).</summary>
    public Span<T> TanhCell; // (rows, H)

    /// <summary>o ⊙ tanh(c_t) before the projection (LSTM with projection).</summary>
    public Span<T> Unprojected; // (rows, H)

    /// <summary>h_t.</summary>
    public Span<T> HiddenNext; // (rows, P)

    /// <summary>c_t (LSTM).</summary>
    public Span<T> CellNext; // (rows, H)
}

/// <summary>
/// The weights every step uses: W_hhᵀ (P, G·H), for an LSTM with a projection W_hrᵀ (H, P), for a peephole LSTM the
/// peepholes (3H).
/// </summary>
internal readonly record struct StepWeights<T>(WeightOperand<T> Recurrent, WeightOperand<T>? Projection, ReadOnlyMemory<T> Peepholes = default)
    where T : unmanaged, IFloatingPointIeee754<T>;
