using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Hidden units [Start, Start + Count) of one step: a slice of every gate block.</summary>
public readonly record struct UnitRange(int Start, int Count);

/// <summary>
/// The buffers of one forward step of a cell, for a block of rows: gates (rows, G·H) hold the pre-activations on entry
/// and the activations on exit; the state buffers are empty when the cell has no use for them.
/// </summary>
public ref struct CellForwardStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows in every buffer.</summary>
    public int Rows;

    /// <summary>H: units per row.</summary>
    public int HiddenSize;

    /// <summary>P: the row stride of h.</summary>
    public int StateSize;

    /// <summary>Whether an RNN uses relu instead of tanh.</summary>
    public bool Relu;

    /// <summary>(rows, G·H) pre-activations in, activations out.</summary>
    public Span<T> Gates;

    /// <summary>(rows, 3H) GRU: W_hh·h + b_hh.</summary>
    public ReadOnlySpan<T> HiddenGates;

    /// <summary>(rows, P) h_{t−1}.</summary>
    public ReadOnlySpan<T> HiddenPrevious;

    /// <summary>(rows, H) LSTM: c_{t−1}.</summary>
    public ReadOnlySpan<T> CellPrevious;

    /// <summary>(rows, H) LSTM: c_t.</summary>
    public Span<T> CellNext;

    /// <summary>(rows, H) LSTM: tanh(c_t).</summary>
    public Span<T> TanhCell;

    /// <summary>(rows, P) h_t, or for an LSTM with a projection (rows, H) o ⊙ tanh(c_t) before the projection.</summary>
    public Span<T> HiddenNext;

    /// <summary>(3H) peephole LSTM: p_i, p_f, p_o.</summary>
    public ReadOnlySpan<T> Peepholes;
}

/// <summary>
/// The buffers of one backward step of a cell, for a block of rows: reads the forward step's cache and dL/dh_t, writes
/// dL/d gates (and for a GRU dL/d of its hidden-side sums and the direct part of dL/dh_{t−1}).
/// </summary>
public ref struct CellBackwardStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows in every buffer.</summary>
    public int Rows;

    /// <summary>H: units per row.</summary>
    public int HiddenSize;

    /// <summary>Whether an RNN uses relu instead of tanh.</summary>
    public bool Relu;

    /// <summary>(rows, G·H) the forward activations.</summary>
    public ReadOnlySpan<T> Gates;

    /// <summary>(rows, 3H) GRU: W_hh·h + b_hh.</summary>
    public ReadOnlySpan<T> HiddenGates;

    /// <summary>(rows, P) GRU: h_{t−1}.</summary>
    public ReadOnlySpan<T> HiddenPrevious;

    /// <summary>(rows, H) LSTM: c_{t−1}.</summary>
    public ReadOnlySpan<T> CellPrevious;

    /// <summary>(rows, H) LSTM: tanh(c_t).</summary>
    public ReadOnlySpan<T> TanhCell;

    /// <summary>(rows, P) dL/dh_t, or for an LSTM with a projection (rows, H) dL/d(o ⊙ tanh(c_t)).</summary>
    public ReadOnlySpan<T> DHidden;

    /// <summary>(rows, H) LSTM: dL/dc_t in, dL/dc_{t−1} out.</summary>
    public Span<T> DCell;

    /// <summary>(rows, G·H) dL/d(input pre-activations).</summary>
    public Span<T> DGates;

    /// <summary>(rows, 3H) GRU: dL/d(hidden pre-activations).</summary>
    public Span<T> DGatesHidden;

    /// <summary>(rows, P) GRU: receives the direct part z ⊙ dL/dh_t of dL/dh_{t−1}.</summary>
    public Span<T> DHiddenBefore;

    /// <summary>(3H) peephole LSTM: p_i, p_f, p_o.</summary>
    public ReadOnlySpan<T> Peepholes;
}
