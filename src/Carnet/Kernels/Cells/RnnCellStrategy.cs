using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Elman RNN: one tanh or relu nonlinearity.</summary>
public sealed class RnnCellStrategy : RecurrentCellStrategy
{
    /// <summary>The one instance.</summary>
    public static RnnCellStrategy Instance { get; } = new();

    private RnnCellStrategy()
    {
    }

    /// <inheritdoc/>
    public override string Name => "RNN";

    /// <inheritdoc/>
    public override IReadOnlyList<string> GateNames { get; } = ["hidden"];

    /// <inheritdoc/>
    public override IReadOnlyList<string> TracedGates { get; } = [];

    /// <inheritdoc/>
    public override bool SupportsNonlinearity => true;

    /// <inheritdoc/>
    public override void ForwardUnits<T>(scoped in CellForwardStep<T> step, UnitRange units)
    {
        int hidden = step.HiddenSize;
        for (int b = 0; b < step.Rows; b++)
        {
            RnnKernels.Forward(step.Relu, step.Gates.Slice(b * hidden + units.Start, units.Count));
        }

        Elementwise.CopyRows<T>(step.Gates[units.Start..], hidden, step.Rows, units.Count, step.HiddenNext[units.Start..], step.StateSize);
    }

    /// <inheritdoc/>
    public override void BackwardUnits<T>(scoped in CellBackwardStep<T> step, UnitRange units)
    {
        for (int b = 0; b < step.Rows; b++)
        {
            int row = b * step.HiddenSize + units.Start;
            RnnKernels.Backward<T>(step.Relu, step.Gates.Slice(row, units.Count), step.DHidden.Slice(row, units.Count), step.DGates.Slice(row, units.Count));
        }
    }
}
