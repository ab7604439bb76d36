namespace Carnet.Onnx;

/// <summary>What operators share: axes, integer inputs read as lists, broadcast shapes, new tensors of a kind.</summary>
internal static class Operands
{
    /// <summary>An axis in [−rank, rank) made non-negative, or an error naming it.</summary>
    public static int Axis(OnnxNode node, long axis, int rank)
        => axis >= -rank && axis < rank ? (int)(axis < 0 ? axis + rank : axis) : throw node.Fail($"axis {axis} is out of range for rank {rank}");

    /// <summary>The values of an integer tensor (a shape, axes, indices), or an error when it holds floats.</summary>
    public static long[] Integers(OnnxNode node, OnnxTensor tensor, string what)
        => tensor.IsFloat ? throw node.Fail($"{what} is {tensor}; expected integers") : tensor.IntegerArray;

    /// <summary>The numpy-style broadcast of several shapes, or an error naming them.</summary>
    public static int[] Broadcast(OnnxNode node, params IReadOnlyList<int>[] shapes)
    {
        int rank = shapes.Max(s => s.Count);
        var result = new int[rank];
        for (int axis = 0; axis < rank; axis++)
        {
            int size = 1;
            foreach (var shape in shapes)
            {
                int at = axis - (rank - shape.Count);
                int dim = at >= 0 ? shape[at] : 1;
                if (dim != 1 && size != 1 && dim != size)
                {
                    throw node.Fail($"shapes {string.Join(" and ", shapes.Select(s => OnnxTensor.Describe([.. s])))} do not broadcast");
                }

                size = dim == 1 ? size : dim;
            }

            result[axis] = size;
        }

        OnnxTensor.CheckedLength(result);
        return result;
    }

    /// <summary>A new float tensor over values computed by the caller.</summary>
    public static OnnxTensor Floats(float[] values, int[] shape) => OnnxTensor.Create(OnnxElementType.Float, shape, values, null);

    /// <summary>A new integer or boolean tensor over values computed by the caller.</summary>
    public static OnnxTensor Integers(OnnxElementType type, long[] values, int[] shape) => OnnxTensor.Create(type, shape, null, values);

    /// <summary>The same values under another shape (no copy: tensors are never written after they are made).</summary>
    public static OnnxTensor Reshaped(OnnxTensor tensor, int[] shape)
        => OnnxTensor.Create(tensor.ElementType, shape, tensor.IsFloat ? tensor.FloatArray : null, tensor.IsFloat ? null : tensor.IntegerArray);

    /// <summary>Elements in a shape.</summary>
    public static int Length(ReadOnlySpan<int> shape) => (int)OnnxTensor.CheckedLength(shape);

    /// <summary>The product of shape[from..to).</summary>
    public static int Product(IReadOnlyList<int> shape, int from, int to)
    {
        int product = 1;
        for (int i = from; i < to; i++)
        {
            product *= shape[i];
        }

        return product;
    }
}
