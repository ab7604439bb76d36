using System.Numerics;

namespace Carnet.Kernels;

/// <summary>
/// The LSTM with peephole connections: gates i, f, g, o and a cell state, the input and forget gates reading c_{t−1}
/// and the output gate c_t through one weight per unit each (<c>weight_peephole</c>, 3H: p_i, p_f, p_o).
/// </summary>
public sealed class PeepholeLstmCellStrategy : RecurrentCellStrategy
{
    /// <summary>The one instance.</summary>
    public static PeepholeLstmCellStrategy Instance { get; } = new();

    private PeepholeLstmCellStrategy()
    {
    }

    /// <inheritdoc/>
    public override string Name => "PeepholeLSTM";

    /// <inheritdoc/>
    public override IReadOnlyList<string> GateNames { get; } = ["input gate", "forget gate", "candidate", "output gate"];

    /// <inheritdoc/>
    public override bool HasCellState => true;

    /// <inheritdoc/>
    public override bool SupportsGateBiases => true;

    /// <inheritdoc/>
    public override bool HasPeepholes => true;

    /// <inheritdoc/>
    public override void ForwardUnits<T>(scoped in CellForwardStep<T> step, UnitRange units)
        => PeepholeLstmKernels.Forward(
            step.CellPrevious, step.Peepholes, step.Rows, step.HiddenSize, step.Gates, step.CellNext, step.TanhCell, step.HiddenNext, units.Start, units.Count);

    /// <inheritdoc/>
    public override void BackwardUnits<T>(scoped in CellBackwardStep<T> step, UnitRange units)
        => PeepholeLstmKernels.Backward(
            step.Gates, step.CellPrevious, step.TanhCell, step.Peepholes, step.DHidden, step.Rows, step.HiddenSize, step.DCell, step.DGates, units.Start, units.Count);
}
