using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Long short-term memory: gates i, f, g, o, a cell state, an optional projection and chosen gate biases.</summary>
public sealed class LstmCellStrategy : RecurrentCellStrategy
{
    /// <summary>The one instance.</summary>
    public static LstmCellStrategy Instance { get; } = new();

    private LstmCellStrategy()
    {
    }

    /// <inheritdoc/>
    public override string Name => "LSTM";

    /// <inheritdoc/>
    public override IReadOnlyList<string> GateNames { get; } = ["input gate", "forget gate", "candidate", "output gate"];

    /// <inheritdoc/>
    public override bool HasCellState => true;

    /// <inheritdoc/>
    public override bool SupportsProjection => true;

    /// <inheritdoc/>
    public override bool SupportsGateBiases => true;

    /// <inheritdoc/>
    public override void ForwardUnits<T>(scoped in CellForwardStep<T> step, UnitRange units)
        => LstmKernels.Forward(
            step.CellPrevious, step.Rows, step.HiddenSize, step.Gates, step.CellNext, step.TanhCell, step.HiddenNext, units.Start, units.Count);

    /// <inheritdoc/>
    public override void BackwardUnits<T>(scoped in CellBackwardStep<T> step, UnitRange units)
        => LstmKernels.Backward(
            step.Gates, step.CellPrevious, step.TanhCell, step.DHidden, step.Rows, step.HiddenSize, step.DCell, step.DGates, units.Start, units.Count);
}
