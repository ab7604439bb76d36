namespace Carnet.Onnx;

/// <summary>
/// ONNX operators that move or make values without arithmetic: Shape, Reshape, Flatten, Squeeze, Unsqueeze, Expand,
/// Constant, ConstantOfShape and Range. Transpose, Concat, Slice, Split, Gather and GatherElements are in
/// <see cref="IndexingOperators"/>.
/// </summary>
internal static class ShapeOperators
{
    public static void Register(Dictionary<string, OnnxOperator> operators)
    {
        operators["Shape"] = (node, inputs) => [Shape(node, OnnxNode.Required(node, inputs, 0))];
        operators["Reshape"] = (node, inputs) => [Reshape(node, OnnxNode.Required(node, inputs, 0), OnnxNode.Required(node, inputs, 1))];
        operators["Flatten"] = (node, inputs) => [Flatten(node, OnnxNode.Required(node, inputs, 0))];
        operators["Squeeze"] = (node, inputs) => [Squeeze(node, inputs)];
        operators["Unsqueeze"] = (node, inputs) => [Unsqueeze(node, inputs)];
        operators["Expand"] = (node, inputs) => [Expand(node, OnnxNode.Required(node, inputs, 0), OnnxNode.Required(node, inputs, 1))];
        operators["Constant"] = (node, _) => [Constant(node)];
        operators["ConstantOfShape"] = (node, inputs) => [ConstantOfShape(node, OnnxNode.Required(node, inputs, 0))];
        operators["Range"] = (node, inputs) => [Range(node, inputs)];
        IndexingOperators.Register(operators);
    }

    private static OnnxTensor Shape(OnnxNode node, OnnxTensor x)
    {
        int rank = x.Rank;
        long start = node.Int("start", 0), end = node.Int("end", rank);
        int from = (int)Math.Clamp(start < 0 ? start + rank : start, 0, rank), to = (int)Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        long[] dims = [.. x.Shape.Skip(from).Take(Math.Max(0, to - from)).Select(d => (long)d)];
        return OnnxTensor.FromInt64(dims, dims.Length);
    }

    private static OnnxTensor Reshape(OnnxNode node, OnnxTensor x, OnnxTensor shapeTensor)
    {
        long[] requested = Operands.Integers(node, shapeTensor, "shape");
        bool allowZero = node.Int("allowzero", 0) != 0;
        var shape = new int[requested.Length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < requested.Length; i++)
        {
            long dim = requested[i];
            if (dim == -1)
            {
                inferred = inferred < 0 ? i : throw node.Fail($"shape {Text(requested)} has more than one -1");
                continue;
            }

            dim = dim == 0 && !allowZero ? (i < x.Rank ? x.Shape[i] : throw node.Fail($"shape {Text(requested)} copies dimension {i} of a rank-{x.Rank} input")) : dim;
            shape[i] = dim is >= 0 and <= int.MaxValue ? (int)dim : throw node.Fail($"shape {Text(requested)} has dimension {dim}");
            known *= shape[i];
        }

        if (inferred >= 0)
        {
            shape[inferred] = known > 0 && x.Length % known == 0 ? (int)(x.Length / known) : throw node.Fail($"cannot reshape {x} to {Text(requested)}");
        }

        return Operands.Length(shape) == x.Length ? Operands.Reshaped(x, shape) : throw node.Fail($"cannot reshape {x} to {Text(requested)}");
    }

    private static OnnxTensor Flatten(OnnxNode node, OnnxTensor x)
    {
        long axis = node.Int("axis", 1);
        int at = axis == x.Rank ? x.Rank : Operands.Axis(node, axis, x.Rank);
        return Operands.Reshaped(x, [Operands.Product(x.Shape, 0, at), Operands.Product(x.Shape, at, x.Rank)]);
    }

    private static OnnxTensor Squeeze(OnnxNode node, OnnxTensor?[] inputs)
    {
        var x = OnnxNode.Required(node, inputs, 0);
        long[]? axes = node.Opset < 13 ? node.Ints("axes") : inputs.Length > 1 && inputs[1] is { } a ? Operands.Integers(node, a, "axes") : null;
        HashSet<int> removed = axes is null
            ? [.. Enumerable.Range(0, x.Rank).Where(i => x.Shape[i] == 1)]
            : axes.Select(axis => Operands.Axis(node, axis, x.Rank)).ToHashSet();
        foreach (int axis in removed.Where(axis => x.Shape[axis] != 1))
        {
            throw node.Fail($"cannot squeeze axis {axis} of {x}: its size is not 1");
        }

        return Operands.Reshaped(x, [.. x.Shape.Where((_, i) => !removed.Contains(i))]);
    }

    private static OnnxTensor Unsqueeze(OnnxNode node, OnnxTensor?[] inputs)
    {
        var x = OnnxNode.Required(node, inputs, 0);
        long[] axes = node.Opset < 13
            ? node.Ints("axes") ?? throw node.Fail("attribute 'axes' is required")
            : Operands.Integers(node, OnnxNode.Required(node, inputs, 1), "axes");
        int rank = x.Rank + axes.Length;
        var inserted = axes.Select(axis => Operands.Axis(node, axis, rank)).ToHashSet();
        if (inserted.Count != axes.Length)
        {
            throw node.Fail($"axes {Text(axes)} repeat an axis");
        }

        var shape = new int[rank];
        for (int i = 0, source = 0; i < rank; i++)
        {
            shape[i] = inserted.Contains(i) ? 1 : x.Shape[source++];
        }

        return Operands.Reshaped(x, shape);
    }

    private static OnnxTensor Expand(OnnxNode node, OnnxTensor x, OnnxTensor shapeTensor)
    {
        int[] requested = [.. Operands.Integers(node, shapeTensor, "shape").Select(d => d is >= 0 and <= int.MaxValue ? (int)d : throw node.Fail($"shape has dimension {d}"))];
        int[] shape = Operands.Broadcast(node, x.Shape, requested);
        int length = Operands.Length(shape);
        int[] map = Kernels.BroadcastKernels.IndexMap(x.ShapeArray, shape, length);
        return x.IsFloat
            ? Operands.Floats([.. map.Select(i => x.Floats[i])], shape)
            : Operands.Integers(x.ElementType, [.. map.Select(i => x.Integers[i])], shape);
    }

    private static OnnxTensor Constant(OnnxNode node)
    {
        if (node.Tensor("value") is { } proto)
        {
            return Decode(node, proto);
        }

        if (node.Has("value_float"))
        {
            return OnnxTensor.FromFloats([node.Float("value_float", 0)]);
        }

        if (node.Floats("value_floats") is { } floats)
        {
            return OnnxTensor.FromFloats(floats, floats.Length);
        }

        if (node.Has("value_int"))
        {
            return OnnxTensor.FromInt64([node.Int("value_int")]);
        }

        return node.Ints("value_ints") is { } ints
            ? OnnxTensor.FromInt64(ints, ints.Length)
            : throw node.Fail("has no value Carnet reads (value, value_float(s) or value_int(s))");
    }

    private static OnnxTensor ConstantOfShape(OnnxNode node, OnnxTensor shapeTensor)
    {
        int[] shape = [.. Operands.Integers(node, shapeTensor, "shape").Select(d => d is >= 0 and <= int.MaxValue ? (int)d : throw node.Fail($"shape has dimension {d}"))];
        int length = Operands.Length(shape);
        var value = node.Tensor("value") is { } proto ? Decode(node, proto) : OnnxTensor.FromFloats([0f], 1);
        if (value.Length != 1)
        {
            throw node.Fail($"value is {value}; expected one element");
        }

        return value.IsFloat
            ? Operands.Floats([.. Enumerable.Repeat(value.Floats[0], length)], shape)
            : Operands.Integers(value.ElementType, [.. Enumerable.Repeat(value.Integers[0], length)], shape);
    }

    private static OnnxTensor Range(OnnxNode node, OnnxTensor?[] inputs)
    {
        var start = OnnxNode.Required(node, inputs, 0);
        var limit = OnnxNode.Required(node, inputs, 1);
        var delta = OnnxNode.Required(node, inputs, 2);
        if (start.Length != 1 || limit.Length != 1 || delta.Length != 1)
        {
            throw node.Fail($"start, limit and delta must be scalars (are {start}, {limit}, {delta})");
        }

        double first = start.ToDoubles()[0], step = delta.ToDoubles()[0], end = limit.ToDoubles()[0];
        double count = step == 0 ? throw node.Fail("delta is 0") : Math.Max(Math.Ceiling((end - first) / step), 0);
        int length = count <= OnnxTensor.MaximumLength ? (int)count : throw node.Fail($"Range of {count} values is more than a tensor may hold");
        return start.IsFloat
            ? OnnxTensor.FromFloats([.. Enumerable.Range(0, length).Select(i => start.Floats[0] + i * delta.Floats[0])], length)
            : Operands.Integers(start.ElementType, [.. Enumerable.Range(0, length).Select(i => start.Integers[0] + i * delta.Integers[0])], [length]);
    }

    private static OnnxTensor Decode(OnnxNode node, Protocol.TensorProto proto)
    {
        try
        {
            return OnnxTensorCodec.Decode(proto, "its value");
        }
        catch (ArgumentException e)
        {
            throw node.Fail(e.Message);
        }
    }

    private static string Text(long[] values) => "[" + string.Join(", ", values) + "]";
}
