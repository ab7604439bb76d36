using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Gated recurrent unit: gates r, z, n, with the recurrent product kept apart for the candidate.</summary>
public sealed class GruCellStrategy : RecurrentCellStrategy
{
    /// <summary>The one instance.</summary>
    public static GruCellStrategy Instance { get; } = new();

    private GruCellStrategy()
    {
    }

    /// <inheritdoc/>
    public override string Name => "GRU";

    /// <inheritdoc/>
    public override IReadOnlyList<string> GateNames { get; } = ["reset gate", "update gate", "candidate"];

    /// <inheritdoc/>
    public override bool SeparatesHiddenGates => true;

    /// <inheritdoc/>
    public override int SharedHiddenGateBlocks => 2; // r and z; the candidate's hidden part is scaled by r

    /// <inheritdoc/>
    public override void ForwardUnits<T>(scoped in CellForwardStep<T> step, UnitRange units)
        => GruKernels.Forward<T>(step.HiddenGates, step.HiddenPrevious, step.Rows, step.HiddenSize, step.Gates, step.HiddenNext, units.Start, units.Count);

    /// <inheritdoc/>
    public override void BackwardUnits<T>(scoped in CellBackwardStep<T> step, UnitRange units)
        => GruKernels.Backward(
            step.Gates, step.HiddenGates, step.HiddenPrevious, step.DHidden, step.Rows, step.HiddenSize,
            step.DGates, step.DGatesHidden, step.DHiddenBefore, units.Start, units.Count);
}
