using System.Numerics;

namespace Carnet.Kernels;

/// <summary>
/// What is particular to one kind of recurrent cell: its name, its gate blocks and the state and options it has.
/// One instance per kind; callers ask it once per layer or step, never per element.
/// </summary>
public abstract class RecurrentCellStrategy
{
    /// <summary>The PyTorch class name, as written in model files: LSTM, GRU or RNN.</summary>
    public abstract string Name { get; }

    /// <summary>The gate names in PyTorch's block order (i f g o, r z n, or the single pre-activation).</summary>
    public abstract IReadOnlyList<string> GateNames { get; }

    /// <summary>
    /// The gate blocks an explanation reports, as named there; a block named <c>candidate</c> is not a gate in (0, 1).
    /// Empty when the single block is the state itself (an RNN).
    /// </summary>
    public virtual IReadOnlyList<string> TracedGates => GateNames;

    /// <summary>G: gate blocks per hidden unit.</summary>
    public int GateCount => GateNames.Count;

    /// <summary>Whether the cell carries a cell state c beside h (an LSTM).</summary>
    public virtual bool HasCellState => false;

    /// <summary>Whether the cell may project h to a smaller size (<c>proj_size</c>).</summary>
    public virtual bool SupportsProjection => false;

    /// <summary>Whether the forget- and input-gate biases may be chosen at initialisation.</summary>
    public virtual bool SupportsGateBiases => false;

    /// <summary>Whether the cell's nonlinearity may be chosen (tanh or relu).</summary>
    public virtual bool SupportsNonlinearity => false;

    /// <summary>
    /// Whether the recurrent product W_hh·h + b_hh is kept apart from the input gates (a GRU, whose candidate
    /// multiplies its hidden part by the reset gate).
    /// </summary>
    public virtual bool SeparatesHiddenGates => false;

    /// <summary>
    /// For a cell that <see cref="SeparatesHiddenGates"/>: how many leading gate blocks get the same gradient on the hidden
    /// side as on the input side (the GRU's r and z: 2), so that the two weight gradients may share their packing of them.
    /// The default, 0, claims none.
    /// </summary>
    public virtual int SharedHiddenGateBlocks => 0;

    /// <summary>Whether the gates also read the cell state through peephole weights (3H per direction: p_i, p_f, p_o).</summary>
    public virtual bool HasPeepholes => false;

    /// <summary>The point-wise forward of one step for some units: from the summed pre-activations to h_t (and c_t).</summary>
    public abstract void ForwardUnits<T>(scoped in CellForwardStep<T> step, UnitRange units)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The point-wise backward of one step for some units: from dL/dh_t (and dL/dc_t) to dL/d gates.</summary>
    public abstract void BackwardUnits<T>(scoped in CellBackwardStep<T> step, UnitRange units)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Multiply-adds of one step per hidden unit, per input and state feature: G.</summary>
    public double ForwardFlops(int steps, int batch, int hiddenSize, int inputAndStateSize)
        => (double)steps * batch * 2 * GateCount * hiddenSize * inputAndStateSize;
}
