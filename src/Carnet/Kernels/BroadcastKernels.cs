// Dimension legend: N = elements of the result; each operand is read through an index map (N) that sends every result
// position to the operand element numpy-style broadcasting pairs with it.
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>A binary element-wise operation on <typeparamref name="T"/>.</summary>
internal interface IBinaryOperation<T>
{
    static abstract T Apply(T a, T b);
}

/// <summary>A comparison of two <typeparamref name="T"/>.</summary>
internal interface IComparison<T>
{
    static abstract bool Apply(T a, T b);
}

internal readonly struct AddOperation<T> : IBinaryOperation<T> where T : INumber<T>
{
    public static T Apply(T a, T b) => a + b;
}

internal readonly struct SubtractOperation<T> : IBinaryOperation<T> where T : INumber<T>
{
    public static T Apply(T a, T b) => a - b;
}

internal readonly struct MultiplyOperation<T> : IBinaryOperation<T> where T : INumber<T>
{
    public static T Apply(T a, T b) => a * b;
}

internal readonly struct DivideOperation<T> : IBinaryOperation<T> where T : INumber<T>
{
    public static T Apply(T a, T b) => a / b; // integers truncate toward zero, as ONNX Runtime
}

internal readonly struct MaximumOperation<T> : IBinaryOperation<T> where T : INumber<T>
{
    public static T Apply(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? a + b : T.Max(a, b);
}

internal readonly struct MinimumOperation<T> : IBinaryOperation<T> where T : INumber<T>
{
    public static T Apply(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? a + b : T.Min(a, b);
}

internal readonly struct PowerOperation : IBinaryOperation<float>
{
    public static float Apply(float a, float b) => MathF.Pow(a, b);
}

internal readonly struct LessComparison<T> : IComparison<T> where T : INumber<T>
{
    public static bool Apply(T a, T b) => a < b;
}

internal readonly struct GreaterComparison<T> : IComparison<T> where T : INumber<T>
{
    public static bool Apply(T a, T b) => a > b;
}

internal readonly struct EqualComparison<T> : IComparison<T> where T : INumber<T>
{
    public static bool Apply(T a, T b) => a == b;
}

/// <summary>Element-wise arithmetic over broadcast operands (scalar loops: the graphs around recurrent nodes are small).</summary>
internal static class BroadcastKernels
{
    /// <summary>
    /// For each position of <paramref name="resultShape"/>, the offset of the element of an operand of
    /// <paramref name="shape"/> (right-aligned, size-1 dimensions repeated) that broadcasting pairs with it.
    /// </summary>
    public static int[] IndexMap(ReadOnlySpan<int> shape, ReadOnlySpan<int> resultShape, int length)
    {
        int rank = resultShape.Length, offset = rank - shape.Length;
        var strides = new int[rank]; // (rank) 0 where the operand is broadcast
        int stride = 1;
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            strides[axis + offset] = shape[axis] == 1 ? 0 : stride;
            stride *= shape[axis];
        }

        var map = new int[length]; // (N)
        var index = new int[rank];
        int at = 0;
        for (int i = 0; i < length; i++)
        {
            map[i] = at;
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                at += strides[axis];
                if (++index[axis] < resultShape[axis])
                {
                    break;
                }

                at -= strides[axis] * index[axis];
                index[axis] = 0;
            }
        }

        return map;
    }

    /// <summary>result[i] = op(a[mapA[i]], b[mapB[i]]).</summary>
    public static void Binary<T, TOperation>(ReadOnlySpan<T> a, ReadOnlySpan<int> mapA, ReadOnlySpan<T> b, ReadOnlySpan<int> mapB, Span<T> result)
        where TOperation : IBinaryOperation<T>
    {
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = TOperation.Apply(a[mapA[i]], b[mapB[i]]);
        }
    }

    /// <summary>result[i] = op(a[mapA[i]], b[mapB[i]]) as 1 or 0.</summary>
    public static void Compare<T, TComparison>(ReadOnlySpan<T> a, ReadOnlySpan<int> mapA, ReadOnlySpan<T> b, ReadOnlySpan<int> mapB, Span<long> result)
        where TComparison : IComparison<T>
    {
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = TComparison.Apply(a[mapA[i]], b[mapB[i]]) ? 1 : 0;
        }
    }

    /// <summary>result[i] = condition[mapC[i]] ≠ 0 ? x[mapX[i]] : y[mapY[i]].</summary>
    public static void Select<T>(
        ReadOnlySpan<long> condition, ReadOnlySpan<int> mapC, ReadOnlySpan<T> x, ReadOnlySpan<int> mapX, ReadOnlySpan<T> y, ReadOnlySpan<int> mapY, Span<T> result)
    {
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = condition[mapC[i]] != 0 ? x[mapX[i]] : y[mapY[i]];
        }
    }
}
