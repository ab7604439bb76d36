namespace Carnet.Onnx;

/// <summary>
/// ONNX operators that pick elements by position: Transpose, Concat, Slice, Split, Gather, GatherElements. Each works
/// out, for every result element, the input element it copies (an index map), then copies.
/// </summary>
internal static class IndexingOperators
{
    public static void Register(Dictionary<string, OnnxOperator> operators)
    {
        operators["Transpose"] = (node, inputs) => [Transpose(node, OnnxNode.Required(node, inputs, 0))];
        operators["Concat"] = (node, inputs) => [Concat(node, inputs)];
        operators["Slice"] = (node, inputs) => [Slice(node, inputs)];
        operators["Split"] = Split;
        operators["Gather"] = (node, inputs) => [Gather(node, OnnxNode.Required(node, inputs, 0), OnnxNode.Required(node, inputs, 1))];
        operators["GatherElements"] = (node, inputs) => [GatherElements(node, OnnxNode.Required(node, inputs, 0), OnnxNode.Required(node, inputs, 1))];
    }

    /// <summary>The elements of <paramref name="x"/> at <paramref name="map"/>, as a tensor of <paramref name="shape"/>.</summary>
    public static OnnxTensor Take(OnnxTensor x, int[] map, int[] shape)
        => x.IsFloat
            ? Operands.Floats(Array.ConvertAll(map, i => x.FloatArray[i]), shape)
            : Operands.Integers(x.ElementType, Array.ConvertAll(map, i => x.IntegerArray[i]), shape);

    private static OnnxTensor Transpose(OnnxNode node, OnnxTensor x)
    {
        int rank = x.Rank;
        long[] permutation = node.Ints("perm") ?? [.. Enumerable.Range(0, rank).Reverse().Select(i => (long)i)];
        int[] perm = [.. permutation.Select(p => Operands.Axis(node, p, Math.Max(rank, 1)))];
        if (perm.Length != rank || perm.Distinct().Count() != rank)
        {
            throw node.Fail($"perm [{string.Join(", ", permutation)}] is not a permutation of {rank} axes");
        }

        return Permute(x, perm);
    }

    /// <summary>x with its axes in the order <paramref name="perm"/> gives (result axis i is input axis perm[i]).</summary>
    public static OnnxTensor Permute(OnnxTensor x, int[] perm)
    {
        int rank = x.Rank;
        int[] shape = [.. perm.Select(p => x.Shape[p])];
        int[] strides = Strides(x.Shape);
        var map = new int[x.Length];
        var index = new int[rank];
        for (int i = 0; i < map.Length; i++)
        {
            int source = 0;
            for (int axis = 0; axis < rank; axis++)
            {
                source += index[axis] * strides[perm[axis]];
            }

            map[i] = source;
            Advance(index, shape);
        }

        return Take(x, map, shape);
    }

    private static OnnxTensor Concat(OnnxNode node, OnnxTensor?[] inputs)
    {
        var parts = inputs.Select((t, i) => t ?? throw node.Fail($"input {i} is required")).ToList();
        var first = parts.Count > 0 ? parts[0] : throw node.Fail("has no input");
        int axis = Operands.Axis(node, node.Int("axis"), first.Rank);
        foreach (var part in parts.Where(p => p.Rank != first.Rank || p.IsFloat != first.IsFloat || p.Shape.Where((d, i) => i != axis && d != first.Shape[i]).Any()))
        {
            throw node.Fail($"cannot join {part} to {first} along axis {axis}");
        }

        int outer = Operands.Product(first.Shape, 0, axis), inner = Operands.Product(first.Shape, axis + 1, first.Rank);
        int[] shape = [.. first.Shape];
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        var floats = first.IsFloat ? new float[Operands.Length(shape)] : null;
        var integers = first.IsFloat ? null : new long[Operands.Length(shape)];
        int row = shape[axis] * inner, offset = 0;
        foreach (var part in parts)
        {
            int width = part.Shape[axis] * inner;
            for (int o = 0; o < outer; o++)
            {
                if (floats is not null)
                {
                    part.Floats.Slice(o * width, width).CopyTo(floats.AsSpan(o * row + offset, width));
                }
                else
                {
                    part.Integers.Slice(o * width, width).CopyTo(integers.AsSpan(o * row + offset, width));
                }
            }

            offset += width;
        }

        return OnnxTensor.Create(first.ElementType, shape, floats, integers);
    }

    private static OnnxTensor Slice(OnnxNode node, OnnxTensor?[] inputs)
    {
        var x = OnnxNode.Required(node, inputs, 0);
        long[] starts, ends;
        long[]? axes, steps;
        if (node.Opset < 10)
        {
            starts = node.Ints("starts") ?? throw node.Fail("attribute 'starts' is required");
            ends = node.Ints("ends") ?? throw node.Fail("attribute 'ends' is required");
            axes = node.Ints("axes");
            steps = null;
        }
        else
        {
            starts = Operands.Integers(node, OnnxNode.Required(node, inputs, 1), "starts");
            ends = Operands.Integers(node, OnnxNode.Required(node, inputs, 2), "ends");
            axes = inputs.Length > 3 && inputs[3] is { } a ? Operands.Integers(node, a, "axes") : null;
            steps = inputs.Length > 4 && inputs[4] is { } s ? Operands.Integers(node, s, "steps") : null;
        }

        axes ??= [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        if (ends.Length != starts.Length || axes.Length != starts.Length || (steps is not null && steps.Length != starts.Length))
        {
            throw node.Fail($"starts, ends, axes and steps have {starts.Length}, {ends.Length}, {axes.Length} and {steps?.Length ?? starts.Length} values");
        }

        int rank = x.Rank;
        var first = new int[rank];
        var stride = Enumerable.Repeat(1, rank).ToArray();
        int[] shape = [.. x.Shape];
        for (int i = 0; i < starts.Length; i++)
        {
            int axis = Operands.Axis(node, axes[i], rank), dim = x.Shape[axis];
            long step = steps?[i] ?? 1;
            if (step == 0 || step is > int.MaxValue or < -int.MaxValue)
            {
                throw node.Fail($"step {step} on axis {axis}");
            }

            (long begin, long end) = (Clamp(starts[i], dim, step), Clamp(ends[i], dim, step, isEnd: true));
            first[axis] = (int)begin;
            stride[axis] = (int)step;
            shape[axis] = (int)Math.Max(0, step > 0 ? (end - begin + step - 1) / step : (begin - end - step - 1) / -step);
        }

        int[] strides = Strides(x.Shape);
        var map = new int[Operands.Length(shape)];
        var index = new int[rank];
        for (int i = 0; i < map.Length; i++)
        {
            int source = 0;
            for (int axis = 0; axis < rank; axis++)
            {
                source += (first[axis] + index[axis] * stride[axis]) * strides[axis];
            }

            map[i] = source;
            Advance(index, shape);
        }

        return Take(x, map, shape);
    }

    // A start or end index made non-negative and clamped as ONNX's Slice does for the step's sign.
    private static long Clamp(long value, int dim, long step, bool isEnd = false)
    {
        value = value < 0 ? value + dim : value;
        return step > 0 ? Math.Clamp(value, 0, dim) : Math.Clamp(value, isEnd ? -1 : 0, dim - 1);
    }

    private static OnnxTensor?[] Split(OnnxNode node, OnnxTensor?[] inputs)
    {
        var x = OnnxNode.Required(node, inputs, 0);
        int axis = Operands.Axis(node, node.Int("axis", 0), x.Rank), dim = x.Shape[axis], count = node.Outputs.Length;
        long[]? sizes = node.Opset < 13 ? node.Ints("split") : inputs.Length > 1 && inputs[1] is { } s ? Operands.Integers(node, s, "split") : null;
        if (sizes is null)
        {
            int parts = node.Opset >= 18 && node.Has("num_outputs") ? (int)Math.Clamp(node.Int("num_outputs"), 1, int.MaxValue) : count;
            int size = node.Opset >= 18 ? (dim + parts - 1) / parts : (dim % parts == 0 ? dim / parts : throw node.Fail($"cannot split {dim} into {parts} equal parts"));
            sizes = [.. Enumerable.Range(0, parts).Select(p => (long)Math.Max(0, Math.Min(size, dim - p * size)))];
        }

        if (sizes.Length != count || sizes.Any(v => v < 0) || sizes.Sum() != dim)
        {
            throw node.Fail($"split [{string.Join(", ", sizes)}] does not cut axis {axis} of size {dim} into {count} outputs");
        }

        var results = new OnnxTensor?[count];
        long begin = 0;
        for (int i = 0; i < count; i++)
        {
            var slice = new SliceRequest(axis, begin, begin + sizes[i]);
            results[i] = SliceAlong(x, slice);
            begin += sizes[i];
        }

        return results;
    }

    private static OnnxTensor SliceAlong(OnnxTensor x, SliceRequest request)
    {
        int outer = Operands.Product(x.Shape, 0, request.Axis), inner = Operands.Product(x.Shape, request.Axis + 1, x.Rank);
        int dim = x.Shape[request.Axis], width = (int)(request.End - request.Start);
        int[] shape = [.. x.Shape];
        shape[request.Axis] = width;
        var map = new int[outer * width * inner];
        for (int o = 0, at = 0; o < outer; o++)
        {
            for (int r = 0; r < width * inner; r++)
            {
                map[at++] = (o * dim + (int)request.Start) * inner + r;
            }
        }

        return Take(x, map, shape);
    }

    private static OnnxTensor Gather(OnnxNode node, OnnxTensor data, OnnxTensor indices)
    {
        int axis = Operands.Axis(node, node.Int("axis", 0), data.Rank), dim = data.Shape[axis];
        long[] picks = Operands.Integers(node, indices, "indices");
        int outer = Operands.Product(data.Shape, 0, axis), inner = Operands.Product(data.Shape, axis + 1, data.Rank);
        int[] shape = [.. data.Shape.Take(axis), .. indices.Shape, .. data.Shape.Skip(axis + 1)];
        var map = new int[Operands.Length(shape)];
        int at = 0;
        for (int o = 0; o < outer; o++)
        {
            foreach (long pick in picks)
            {
                long index = pick < 0 ? pick + dim : pick;
                if (index < 0 || index >= dim)
                {
                    throw node.Fail($"index {pick} is out of [{-dim}, {dim})");
                }

                for (int i = 0; i < inner; i++)
                {
                    map[at++] = (int)((o * dim + index) * inner + i);
                }
            }
        }

        return Take(data, map, shape);
    }

    private static OnnxTensor GatherElements(OnnxNode node, OnnxTensor data, OnnxTensor indices)
    {
        int axis = Operands.Axis(node, node.Int("axis", 0), data.Rank), dim = data.Shape[axis];
        long[] picks = Operands.Integers(node, indices, "indices");
        if (indices.Rank != data.Rank || indices.Shape.Where((d, i) => i != axis && d > data.Shape[i]).Any())
        {
            throw node.Fail($"indices {indices} do not fit data {data} along axis {axis}");
        }

        int[] strides = Strides(data.Shape), shape = [.. indices.Shape];
        var map = new int[picks.Length];
        var index = new int[data.Rank];
        for (int i = 0; i < map.Length; i++)
        {
            long pick = picks[i] < 0 ? picks[i] + dim : picks[i];
            int source = pick >= 0 && pick < dim ? 0 : throw node.Fail($"index {picks[i]} is out of [{-dim}, {dim})");
            for (int a = 0; a < data.Rank; a++)
            {
                source += (a == axis ? (int)pick : index[a]) * strides[a];
            }

            map[i] = source;
            Advance(index, shape);
        }

        return Take(data, map, shape);
    }

    private static int[] Strides(IReadOnlyList<int> shape)
    {
        var strides = new int[shape.Count];
        int stride = 1;
        for (int axis = shape.Count - 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride *= shape[axis];
        }

        return strides;
    }

    // The next multi-index in row-major order.
    private static void Advance(int[] index, int[] shape)
    {
        for (int axis = index.Length - 1; axis >= 0; axis--)
        {
            if (++index[axis] < shape[axis])
            {
                return;
            }

            index[axis] = 0;
        }
    }

    /// <summary>Elements [Start, End) of one axis.</summary>
    private readonly record struct SliceRequest(int Axis, long Start, long End);
}
