using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// A trainable tensor under its PyTorch <c>state_dict</c> name, with the gradient that backward passes
/// accumulate into (as PyTorch's <c>.grad</c>). Both are views of their module's flat parameter block.
/// </summary>
public sealed class Parameter<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Parameter(string name, Tensor<T> value, Tensor<T> gradient)
    {
        Name = name;
        Value = value;
        Gradient = gradient;
    }

    /// <summary>The PyTorch name, such as <c>weight_ih_l0</c> or <c>bias_hh_l1_reverse</c>.</summary>
    public string Name { get; }

    /// <summary>The values.</summary>
    public Tensor<T> Value { get; }

    /// <summary>The accumulated gradient, same shape as <see cref="Value"/>.</summary>
    public Tensor<T> Gradient { get; }

    /// <summary>The shape of the value and of the gradient.</summary>
    public IReadOnlyList<int> Shape => Value.Shape;

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Tensor<T>.ShapeToString(Value.Shape.ToArray())}";
}
