using System.Numerics;

namespace Carnet;

/// <summary>
/// A dense, row-major tensor: a shape and a contiguous block of storage. It may be a view of a larger
/// buffer (a parameter inside a model's flat parameter block), so it holds a <see cref="Memory{T}"/>.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> for models, <see cref="double"/> for gradient checks.</typeparam>
public sealed class Tensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] shape;

    /// <summary>Creates a tensor over existing storage, which must hold exactly the shape's element count.</summary>
    public Tensor(Memory<T> storage, params int[] shape)
    {
        this.shape = (int[])shape.Clone();
        long count = ElementCountOf(this.shape);
        if (count != storage.Length)
        {
            throw new ArgumentException(
                $"Storage of {storage.Length} elements does not match shape {ShapeToString(this.shape)} ({count} elements).");
        }

        Memory = storage;
    }

    /// <summary>The sizes of the dimensions, outermost first.</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length => Memory.Length;

    /// <summary>The storage, row-major.</summary>
    public Memory<T> Memory { get; }

    /// <summary>The storage as a span, row-major.</summary>
    public Span<T> Span => Memory.Span;

    /// <summary>The element at the given indices (one index per dimension).</summary>
    public T this[params int[] indices]
    {
        get => Span[OffsetOf(indices)];
        set => Span[OffsetOf(indices)] = value;
    }

    /// <summary>A new zero-filled tensor.</summary>
    public static Tensor<T> Zeros(params int[] shape) => new(new T[ElementCountOf(shape)], shape);

    /// <summary>A tensor over a copy of <paramref name="values"/>.</summary>
    public static Tensor<T> FromValues(ReadOnlySpan<T> values, params int[] shape)
    {
        var tensor = Zeros(shape);
        if (values.Length != tensor.Length)
        {
            throw new ArgumentException(
                $"{values.Length} values do not fill shape {ShapeToString(shape)} ({tensor.Length} elements).");
        }

        values.CopyTo(tensor.Span);
        return tensor;
    }

    /// <summary>A tensor converting each value from <see cref="double"/>.</summary>
    public static Tensor<T> FromDoubles(ReadOnlySpan<double> values, params int[] shape)
    {
        var tensor = Zeros(shape);
        if (values.Length != tensor.Length)
        {
            throw new ArgumentException(
                $"{values.Length} values do not fill shape {ShapeToString(shape)} ({tensor.Length} elements).");
        }

        Kernels.Elementwise.Convert(values, tensor.Span);
        return tensor;
    }

    /// <summary>A deep copy with its own storage.</summary>
    public Tensor<T> Clone() => FromValues(Span, shape);

    /// <summary>Entries [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of the first dimension, sharing the storage.</summary>
    internal Tensor<T> Rows(int start, int count)
    {
        int width = shape[0] == 0 ? 0 : Length / shape[0];
        int[] rows = [.. shape];
        rows[0] = count;
        return new Tensor<T>(Memory.Slice(start * width, count * width), rows);
    }

    /// <summary>A view of the same storage with another shape of the same element count.</summary>
    public Tensor<T> Reshape(params int[] newShape) => new(Memory, newShape);

    /// <summary>The values converted to <see cref="double"/>, row-major.</summary>
    public double[] ToDoubles()
    {
        var values = new double[Length];
        Kernels.Elementwise.Convert<T, double>(Span, values);
        return values;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="name"/> unless the shape is <paramref name="expected"/>.</summary>
    public void EnsureShape(string name, params int[] expected)
    {
        if (!shape.AsSpan().SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"{name} has shape {ShapeToString(shape)}, expected {ShapeToString(expected)}.", name);
        }
    }

    /// <summary>The shape written as <c>[2, 3, 4]</c>.</summary>
    public override string ToString() => $"Tensor<{typeof(T).Name}>{ShapeToString(shape)}";

    /// <summary>Writes a shape as <c>[2, 3, 4]</c>.</summary>
    public static string ShapeToString(ReadOnlySpan<int> dims) => "[" + string.Join(", ", dims.ToArray()) + "]";

    private static int ElementCountOf(int[] dims)
    {
        long count = 1;
        foreach (int dim in dims)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Shape {ShapeToString(dims)} has a negative dimension.");
            }

            count *= dim;
            if (count > Array.MaxLength)
            {
                throw new ArgumentException($"Shape {ShapeToString(dims)} has too many elements.");
            }
        }

        return (int)count;
    }

    private int OffsetOf(int[] indices)
    {
        if (indices.Length != shape.Length)
        {
            throw new ArgumentException($"{indices.Length} indices given for a tensor of rank {shape.Length}.");
        }

        int offset = 0;
        for (int axis = 0; axis < shape.Length; axis++)
        {
            if ((uint)indices[axis] >= (uint)shape[axis])
            {
                throw new IndexOutOfRangeException(
                    $"Index {indices[axis]} is out of range for dimension {axis} of size {shape[axis]}.");
            }

            offset = offset * shape[axis] + indices[axis];
        }

        return offset;
    }
}
