namespace Carnet.Training;

/// <summary>How a loss combines the losses of its elements (PyTorch's <c>reduction</c> argument).</summary>
public enum Reduction
{
    /// <summary>The average (<c>reduction='mean'</c>); cross-entropy divides by the weight of its non-ignored targets.</summary>
    Mean,

    /// <summary>The total (<c>reduction='sum'</c>).</summary>
    Sum,
}
