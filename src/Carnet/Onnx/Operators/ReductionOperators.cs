using Carnet.Kernels;

namespace Carnet.Onnx;

/// <summary>ReduceMean, ReduceMax, ReduceSum (axes as an attribute or, from opset 13/18, an input), Softmax and LogSoftmax.</summary>
internal static class ReductionOperators
{
    public static void Register(Dictionary<string, OnnxOperator> operators)
    {
        operators["ReduceMean"] = (node, inputs) => [Reduce(node, inputs, ReductionKind.Mean, axesInputFrom: 18)];
        operators["ReduceMax"] = (node, inputs) => [Reduce(node, inputs, ReductionKind.Max, axesInputFrom: 18)];
        operators["ReduceSum"] = (node, inputs) => [Reduce(node, inputs, ReductionKind.Sum, axesInputFrom: 13)];
        operators["Softmax"] = (node, inputs) => [Softmax(node, OnnxNode.Required(node, inputs, 0), logarithm: false)];
        operators["LogSoftmax"] = (node, inputs) => [Softmax(node, OnnxNode.Required(node, inputs, 0), logarithm: true)];
    }

    private static OnnxTensor Reduce(OnnxNode node, OnnxTensor?[] inputs, ReductionKind kind, int axesInputFrom)
    {
        var x = OnnxNode.Required(node, inputs, 0);
        long[]? axes = node.Opset < axesInputFrom ? node.Ints("axes") : inputs.Length > 1 && inputs[1] is { } a ? Operands.Integers(node, a, "axes") : null;
        if (axes is { Length: 0 })
        {
            axes = null;
        }

        if (axes is null && node.Opset >= axesInputFrom && node.Int("noop_with_empty_axes", 0) != 0)
        {
            return x;
        }

        var reduced = axes is null ? [.. Enumerable.Range(0, x.Rank)] : axes.Select(axis => Operands.Axis(node, axis, x.Rank)).ToHashSet();
        bool keep = node.Int("keepdims", 1) != 0;
        if (x.Length == 0 && kind == ReductionKind.Max)
        {
            throw node.Fail($"cannot take the maximum of empty {x}");
        }

        // Move the reduced axes last: x viewed as (kept, R, 1).
        int[] order = [.. Enumerable.Range(0, x.Rank).Where(i => !reduced.Contains(i)), .. reduced.Order()];
        var moved = x.Rank == 0 ? x : IndexingOperators.Permute(x, order);
        int extent = reduced.Aggregate(1, (p, axis) => p * x.Shape[axis]), outer = x.Length / Math.Max(extent, 1);
        int[] shape = keep ? [.. x.Shape.Select((d, i) => reduced.Contains(i) ? 1 : d)] : [.. x.Shape.Where((_, i) => !reduced.Contains(i))];
        if (x.IsFloat)
        {
            var result = new float[Operands.Length(shape)];
            ReductionKernels.Reduce(moved.Floats, outer, extent, 1, kind, result);
            return Operands.Floats(result, shape);
        }

        var integers = new long[Operands.Length(shape)];
        ReductionKernels.Reduce(moved.Integers, outer, extent, 1, kind, integers);
        return Operands.Integers(x.ElementType, integers, shape);
    }

    private static OnnxTensor Softmax(OnnxNode node, OnnxTensor x, bool logarithm)
    {
        if (!x.IsFloat)
        {
            throw node.Fail($"input is {x}; expected float");
        }

        int axis = Operands.Axis(node, node.Int("axis", node.Opset < 13 ? 1 : -1), Math.Max(x.Rank, 1));
        var result = new float[x.Length];
        if (node.Opset < 13)
        {
            // before opset 13 the input is coerced to 2-D (x[:axis] flattened, x[axis:] flattened) and normalised per row
            ReductionKernels.Softmax(x.Floats, Operands.Product(x.Shape, 0, axis), Operands.Product(x.Shape, axis, x.Rank), 1, logarithm, result);
        }
        else
        {
            int outer = Operands.Product(x.Shape, 0, axis), inner = Operands.Product(x.Shape, axis + 1, x.Rank);
            ReductionKernels.Softmax(x.Floats, outer, x.Rank == 0 ? 1 : x.Shape[axis], inner, logarithm, result);
        }

        return Operands.Floats(result, x.ShapeArray);
    }
}
