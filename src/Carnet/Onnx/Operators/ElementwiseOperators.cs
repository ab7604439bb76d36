using Carnet.Kernels;

namespace Carnet.Onnx;

/// <summary>
/// Element-wise ONNX operators with numpy-style broadcasting: arithmetic (Add, Sub, Mul, Div, Pow, Max, Min) on floats
/// and integers, comparisons (Less, Greater, Equal) to bool, Where, Not, the activations, Cast, Identity and Dropout
/// (inference: the identity, with an all-true mask).
/// </summary>
internal static class ElementwiseOperators
{
    public static void Register(Dictionary<string, OnnxOperator> operators)
    {
        operators["Add"] = (node, inputs) => [Arithmetic<AddOperation<float>, AddOperation<long>>(node, inputs)];
        operators["Sub"] = (node, inputs) => [Arithmetic<SubtractOperation<float>, SubtractOperation<long>>(node, inputs)];
        operators["Mul"] = (node, inputs) => [Arithmetic<MultiplyOperation<float>, MultiplyOperation<long>>(node, inputs)];
        operators["Div"] = (node, inputs) => [Arithmetic<DivideOperation<float>, DivideOperation<long>>(node, inputs)];
        operators["Max"] = (node, inputs) => [Variadic<MaximumOperation<float>, MaximumOperation<long>>(node, inputs)];
        operators["Min"] = (node, inputs) => [Variadic<MinimumOperation<float>, MinimumOperation<long>>(node, inputs)];
        operators["Pow"] = (node, inputs) => [Power(node, inputs)];
        operators["Less"] = (node, inputs) => [Comparison<LessComparison<float>, LessComparison<long>>(node, inputs)];
        operators["Greater"] = (node, inputs) => [Comparison<GreaterComparison<float>, GreaterComparison<long>>(node, inputs)];
        operators["Equal"] = (node, inputs) => [Comparison<EqualComparison<float>, EqualComparison<long>>(node, inputs)];
        operators["Where"] = (node, inputs) => [Where(node, inputs)];
        operators["Not"] = (node, inputs) => [Not(node, inputs)];
        operators["Sigmoid"] = (node, inputs) => [Unary(node, inputs, x => 1 / (1 + MathF.Exp(-x)))];
        operators["Tanh"] = (node, inputs) => [Unary(node, inputs, MathF.Tanh)];
        operators["Exp"] = (node, inputs) => [Unary(node, inputs, MathF.Exp)];
        operators["Sqrt"] = (node, inputs) => [Unary(node, inputs, MathF.Sqrt)];
        operators["Relu"] = (node, inputs) => [Signed(node, inputs, x => Math.Max(x, 0f), x => Math.Max(x, 0L))];
        operators["Neg"] = (node, inputs) => [Signed(node, inputs, x => -x, x => -x)];
        operators["Abs"] = (node, inputs) => [Signed(node, inputs, MathF.Abs, Math.Abs)];
        operators["Identity"] = (node, inputs) => [OnnxNode.Required(node, inputs, 0)];
        operators["Dropout"] = Dropout;
        operators["Cast"] = (node, inputs) => [Cast(node, OnnxNode.Required(node, inputs, 0))];
    }

    private static OnnxTensor Arithmetic<TFloat, TInteger>(OnnxNode node, OnnxTensor?[] inputs)
        where TFloat : IBinaryOperation<float>
        where TInteger : IBinaryOperation<long>
    {
        var (a, b) = Pair(node, inputs);
        var (shape, length, mapA, mapB) = Broadcast(node, a, b);
        if (a.IsFloat)
        {
            var result = new float[length];
            BroadcastKernels.Binary<float, TFloat>(a.Floats, mapA, b.Floats, mapB, result);
            return Operands.Floats(result, shape);
        }

        var integers = new long[length];
        BroadcastKernels.Binary<long, TInteger>(a.Integers, mapA, b.Integers, mapB, integers);
        if (a.ElementType == OnnxElementType.Int32)
        {
            for (int i = 0; i < integers.Length; i++)
            {
                integers[i] = (int)integers[i];
            }
        }

        return Operands.Integers(a.ElementType, integers, shape);
    }

    private static OnnxTensor Variadic<TFloat, TInteger>(OnnxNode node, OnnxTensor?[] inputs)
        where TFloat : IBinaryOperation<float>
        where TInteger : IBinaryOperation<long>
    {
        var result = OnnxNode.Required(node, inputs, 0);
        for (int i = 1; i < inputs.Length; i++)
        {
            result = Arithmetic<TFloat, TInteger>(node, [result, OnnxNode.Required(node, inputs, i)]);
        }

        return result;
    }

    // The result has the base's type: an integer base gives Math.Pow truncated, as ONNX Runtime casts it.
    private static OnnxTensor Power(OnnxNode node, OnnxTensor?[] inputs)
    {
        var baseTensor = OnnxNode.Required(node, inputs, 0);
        var exponent = OnnxNode.Required(node, inputs, 1);
        if (baseTensor.ElementType == OnnxElementType.Bool || exponent.ElementType == OnnxElementType.Bool)
        {
            throw node.Fail($"inputs are {baseTensor} and {exponent}; expected numbers");
        }

        var a = OnnxTensor.FromFloats(baseTensor.IsFloat ? baseTensor.FloatArray : Array.ConvertAll(baseTensor.IntegerArray, v => (float)v), [.. baseTensor.Shape]);
        var b = OnnxTensor.FromFloats(exponent.IsFloat ? exponent.FloatArray : Array.ConvertAll(exponent.IntegerArray, v => (float)v), [.. exponent.Shape]);
        var power = Arithmetic<PowerOperation, AddOperation<long>>(node, [a, b]);
        return baseTensor.IsFloat
            ? power
            : Operands.Integers(baseTensor.ElementType, Array.ConvertAll(power.FloatArray, v => (long)v), power.ShapeArray);
    }

    private static OnnxTensor Comparison<TFloat, TInteger>(OnnxNode node, OnnxTensor?[] inputs)
        where TFloat : IComparison<float>
        where TInteger : IComparison<long>
    {
        var (a, b) = Pair(node, inputs);
        var (shape, length, mapA, mapB) = Broadcast(node, a, b);
        var result = new long[length];
        if (a.IsFloat)
        {
            BroadcastKernels.Compare<float, TFloat>(a.Floats, mapA, b.Floats, mapB, result);
        }
        else
        {
            BroadcastKernels.Compare<long, TInteger>(a.Integers, mapA, b.Integers, mapB, result);
        }

        return Operands.Integers(OnnxElementType.Bool, result, shape);
    }

    private static OnnxTensor Where(OnnxNode node, OnnxTensor?[] inputs)
    {
        var condition = OnnxNode.Required(node, inputs, 0);
        var (x, y) = Pair(node, inputs[1..]);
        if (condition.ElementType != OnnxElementType.Bool)
        {
            throw node.Fail($"condition is {condition}; expected bool");
        }

        int[] shape = Operands.Broadcast(node, condition.Shape, x.Shape, y.Shape);
        int length = Operands.Length(shape);
        int[] mapC = BroadcastKernels.IndexMap(condition.ShapeArray, shape, length);
        int[] mapX = BroadcastKernels.IndexMap(x.ShapeArray, shape, length), mapY = BroadcastKernels.IndexMap(y.ShapeArray, shape, length);
        if (x.IsFloat)
        {
            var result = new float[length];
            BroadcastKernels.Select<float>(condition.Integers, mapC, x.Floats, mapX, y.Floats, mapY, result);
            return Operands.Floats(result, shape);
        }

        var integers = new long[length];
        BroadcastKernels.Select<long>(condition.Integers, mapC, x.Integers, mapX, y.Integers, mapY, integers);
        return Operands.Integers(x.ElementType, integers, shape);
    }

    private static OnnxTensor Not(OnnxNode node, OnnxTensor?[] inputs)
    {
        var x = OnnxNode.Required(node, inputs, 0);
        return x.ElementType == OnnxElementType.Bool
            ? Operands.Integers(OnnxElementType.Bool, [.. x.Integers.ToArray().Select(v => v == 0 ? 1L : 0L)], x.ShapeArray)
            : throw node.Fail($"input is {x}; expected bool");
    }

    private static OnnxTensor Unary(OnnxNode node, OnnxTensor?[] inputs, Func<float, float> function)
    {
        var x = OnnxNode.Required(node, inputs, 0);
        return x.IsFloat ? Operands.Floats(Array.ConvertAll(x.FloatArray, v => function(v)), x.ShapeArray) : throw node.Fail($"input is {x}; expected float");
    }

    private static OnnxTensor Signed(OnnxNode node, OnnxTensor?[] inputs, Func<float, float> onFloats, Func<long, long> onIntegers)
    {
        var x = OnnxNode.Required(node, inputs, 0);
        if (x.ElementType == OnnxElementType.Bool)
        {
            throw node.Fail($"input is {x}; expected a number");
        }

        return x.IsFloat
            ? Operands.Floats(Array.ConvertAll(x.FloatArray, v => onFloats(v)), x.ShapeArray)
            : Operands.Integers(x.ElementType, Array.ConvertAll(x.IntegerArray, v => onIntegers(v)), x.ShapeArray);
    }

    private static OnnxTensor?[] Dropout(OnnxNode node, OnnxTensor?[] inputs)
    {
        var x = OnnxNode.Required(node, inputs, 0);
        bool training = inputs.Length > 2 && inputs[2] is { } mode && !mode.IsFloat && mode.Integers.ContainsAnyExcept(0L);
        if (training)
        {
            throw node.Fail("training_mode is true; Carnet runs graphs for inference");
        }

        var mask = Operands.Integers(OnnxElementType.Bool, [.. Enumerable.Repeat(1L, x.Length)], x.ShapeArray);
        return [x, mask];
    }

    private static OnnxTensor Cast(OnnxNode node, OnnxTensor x)
    {
        long code = node.Int("to");
        OnnxElementType to;
        try
        {
            to = OnnxTensorCodec.ElementType((int)Math.Clamp(code, int.MinValue, int.MaxValue), $"Cast's target");
        }
        catch (ArgumentException e)
        {
            throw node.Fail(e.Message);
        }

        if (to == OnnxElementType.Float)
        {
            return x.IsFloat ? x : Operands.Floats(Array.ConvertAll(x.IntegerArray, v => (float)v), x.ShapeArray);
        }

        long[] values = x.IsFloat ? Array.ConvertAll(x.FloatArray, v => float.IsNaN(v) ? 0L : (long)Math.Clamp(MathF.Truncate(v), long.MinValue, long.MaxValue)) : x.IntegerArray;
        values = to switch
        {
            OnnxElementType.Bool => Array.ConvertAll(x.IsFloat ? Array.ConvertAll(x.FloatArray, v => v != 0 ? 1L : 0L) : values, v => v != 0 ? 1L : 0L),
            OnnxElementType.Int32 => Array.ConvertAll(values, v => (long)(int)v),
            _ => values,
        };
        return Operands.Integers(to, values, x.ShapeArray);
    }

    // The broadcast shape of two operands, its element count, and each operand's index map.
    private static (int[] Shape, int Length, int[] MapA, int[] MapB) Broadcast(OnnxNode node, OnnxTensor a, OnnxTensor b)
    {
        int[] shape = Operands.Broadcast(node, a.Shape, b.Shape);
        int length = Operands.Length(shape);
        return (shape, length, BroadcastKernels.IndexMap(a.ShapeArray, shape, length), BroadcastKernels.IndexMap(b.ShapeArray, shape, length));
    }

    private static (OnnxTensor A, OnnxTensor B) Pair(OnnxNode node, OnnxTensor?[] inputs)
    {
        var a = OnnxNode.Required(node, inputs, 0);
        var b = OnnxNode.Required(node, inputs, 1);
        return a.IsFloat == b.IsFloat && (a.ElementType == OnnxElementType.Bool) == (b.ElementType == OnnxElementType.Bool)
            ? (a, b)
            : throw node.Fail($"inputs are {a} and {b}; expected the same element type");
    }
}
