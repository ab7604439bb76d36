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
    public override bool SupportsNonlinearity => true;
}
