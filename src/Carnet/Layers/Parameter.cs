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

    /// <summary>
    /// Whether the weight is held as int8 rows with one scale each (<see cref="Quantization"/>): products with it then
    /// run in int8, and <see cref="Value"/> holds the float numbers the rows stand for (q · scale).
    /// </summary>
    public bool IsQuantized => Quantized is not null;

    /// <summary>The weight read as a matrix of rows (N, K): N its first dimension, K the rest; what int8 rows quantise.</summary>
    internal (int Rows, int Columns) RowShape => (Shape[0], Value.Length / Math.Max(1, Shape[0]));

    /// <summary>The int8 rows (N, K) and scales (N) of a quantised weight (N, …), or null.</summary>
    internal QuantizedRows? Quantized { get; set; }

    /// <summary>Throws when the weight is int8: int8 weights are for inference, and training needs the float model.</summary>
    internal void ThrowIfQuantized()
    {
        if (IsQuantized)
        {
            throw new InvalidOperationException($"'{Name}' is an int8 weight, for inference only; train the float model and quantize it again.");
        }
    }

    /// <summary>The shape of the value and of the gradient.</summary>
    public IReadOnlyList<int> Shape => Value.Shape;

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Tensor<T>.ShapeToString(Value.Shape.ToArray())}";
}
