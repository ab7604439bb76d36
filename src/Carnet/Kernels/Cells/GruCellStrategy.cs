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
    public override IReadOnlyList<string> GateNames { get; } = ["reset", "update", "candidate"];

    /// <inheritdoc/>
    public override bool SeparatesHiddenGates => true;
}
