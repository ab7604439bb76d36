// Dimension legend: M, K, N: the rows, the shared dimension and the columns of a product; the batch dimensions lead.
using Carnet.Kernels;

namespace Carnet.Onnx;

/// <summary>MatMul (numpy semantics, batch dimensions broadcast) and Gemm, on Carnet's matrix product kernel.</summary>
internal static class MatrixOperators
{
    public static void Register(Dictionary<string, OnnxOperator> operators)
    {
        operators["MatMul"] = (node, inputs) => [MatMul(node, OnnxNode.Required(node, inputs, 0), OnnxNode.Required(node, inputs, 1))];
        operators["Gemm"] = (node, inputs) => [Gemm(node, inputs)];
    }

    private static OnnxTensor MatMul(OnnxNode node, OnnxTensor a, OnnxTensor b)
    {
        if (!a.IsFloat || !b.IsFloat || a.Rank == 0 || b.Rank == 0)
        {
            throw node.Fail($"inputs are {a} and {b}; expected float tensors of rank 1 or more");
        }

        // a vector is a (1, K) row on the left and a (K, 1) column on the right, its extra axis dropped afterwards
        int[] left = a.Rank == 1 ? [1, a.Shape[0]] : a.ShapeArray, right = b.Rank == 1 ? [b.Shape[0], 1] : b.ShapeArray;
        int m = left[^2], k = left[^1], n = right[^1];
        if (right[^2] != k)
        {
            throw node.Fail($"cannot multiply {a} by {b}: {k} columns against {right[^2]} rows");
        }

        int[] batch = Operands.Broadcast(node, left[..^2], right[..^2]);
        int count = Operands.Length(batch);
        int[] mapA = BroadcastKernels.IndexMap(left[..^2], batch, count), mapB = BroadcastKernels.IndexMap(right[..^2], batch, count);
        int[] shape = [.. batch, .. a.Rank == 1 ? Array.Empty<int>() : [m], .. b.Rank == 1 ? Array.Empty<int>() : [n]];
        var result = new float[Operands.Length([.. batch, m, n])]; // (…, M, N)
        for (int i = 0; i < count; i++)
        {
            Kernels.Gemm.MultiplyPlain<float>(
                a.Floats.Slice(mapA[i] * m * k, m * k), b.Floats.Slice(mapB[i] * k * n, k * n), m, n, k, result.AsSpan(i * m * n, m * n), accumulate: false);
        }

        return Operands.Floats(result, shape);
    }

    private static OnnxTensor Gemm(OnnxNode node, OnnxTensor?[] inputs)
    {
        var a = OnnxNode.Required(node, inputs, 0);
        var b = OnnxNode.Required(node, inputs, 1);
        var c = inputs.Length > 2 ? inputs[2] : null;
        bool transposeA = node.Int("transA", 0) != 0, transposeB = node.Int("transB", 0) != 0;
        if (!a.IsFloat || !b.IsFloat || a.Rank != 2 || b.Rank != 2 || (c is not null && !c.IsFloat))
        {
            throw node.Fail($"inputs are {a}, {b}{(c is null ? "" : ", " + c)}; expected float matrices");
        }

        int m = transposeA ? a.Shape[1] : a.Shape[0], k = transposeA ? a.Shape[0] : a.Shape[1];
        int n = transposeB ? b.Shape[0] : b.Shape[1], kb = transposeB ? b.Shape[1] : b.Shape[0];
        if (k != kb)
        {
            throw node.Fail($"cannot multiply {a}{(transposeA ? "ᵀ" : "")} by {b}{(transposeB ? "ᵀ" : "")}");
        }

        var result = new float[Operands.Length([m, n])]; // (M, N)
        float alpha = node.Float("alpha", 1), beta = node.Float("beta", 1);
        if (c is not null && beta != 0)
        {
            if (!Operands.Broadcast(node, c.Shape, [m, n]).SequenceEqual([m, n]))
            {
                throw node.Fail($"C {c} does not broadcast to [{m}, {n}]");
            }

            int[] map = BroadcastKernels.IndexMap(c.ShapeArray, [m, n], m * n);
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = beta * c.Floats[map[i]];
            }
        }

        var product = alpha == 1 ? result : new float[result.Length];
        Kernels.Gemm.Multiply<float>(transposeA, transposeB, a.Floats, a.Shape[1], b.Floats, b.Shape[1], m, n, k, product, n, accumulate: alpha == 1);
        if (alpha != 1)
        {
            for (int i = 0; i < result.Length; i++)
            {
                result[i] += alpha * product[i];
            }
        }

        return Operands.Floats(result, [m, n]);
    }
}
