// Dimension legend: the input is viewed as (outer, R, inner), R the reduced extent (the product of the reduced axes when
// they are adjacent; callers move other axis sets next to each other first).
namespace Carnet.Kernels;

/// <summary>How a reduction of <see cref="ReductionKernels"/> combines values.</summary>
internal enum ReductionKind
{
    Sum,
    Mean,
    Max,
}

/// <summary>Reductions and softmax along one extent of a (outer, R, inner) view.</summary>
internal static class ReductionKernels
{
    /// <summary>result (outer, inner) = sum, mean or max over R of x (outer, R, inner).</summary>
    public static void Reduce(ReadOnlySpan<float> x, int outer, int extent, int inner, ReductionKind kind, Span<float> result)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                double accumulator = kind == ReductionKind.Max ? double.NegativeInfinity : 0;
                for (int r = 0; r < extent; r++)
                {
                    float value = x[(o * extent + r) * inner + i];
                    accumulator = kind != ReductionKind.Max ? accumulator + value : float.IsNaN(value) || value > accumulator ? value : accumulator;
                }

                result[o * inner + i] = (float)(kind == ReductionKind.Mean ? accumulator / extent : accumulator);
            }
        }
    }

    /// <summary>Integer sum or max over R of x (outer, R, inner).</summary>
    public static void Reduce(ReadOnlySpan<long> x, int outer, int extent, int inner, ReductionKind kind, Span<long> result)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                long accumulator = kind == ReductionKind.Max ? long.MinValue : 0;
                for (int r = 0; r < extent; r++)
                {
                    long value = x[(o * extent + r) * inner + i];
                    accumulator = kind == ReductionKind.Max ? Math.Max(accumulator, value) : accumulator + value;
                }

                result[o * inner + i] = kind == ReductionKind.Mean && extent > 0 ? accumulator / extent : accumulator;
            }
        }
    }

    /// <summary>result = softmax (or log-softmax) over R of x (outer, R, inner), computed stably in double.</summary>
    public static void Softmax(ReadOnlySpan<float> x, int outer, int extent, int inner, bool logarithm, Span<float> result)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                double max = double.NegativeInfinity;
                for (int r = 0; r < extent; r++)
                {
                    max = Math.Max(max, x[(o * extent + r) * inner + i]);
                }

                double sum = 0;
                for (int r = 0; r < extent; r++)
                {
                    sum += Math.Exp(x[(o * extent + r) * inner + i] - max);
                }

                for (int r = 0; r < extent; r++)
                {
                    int at = (o * extent + r) * inner + i;
                    result[at] = (float)(logarithm ? x[at] - max - Math.Log(sum) : Math.Exp(x[at] - max) / sum);
                }
            }
        }
    }
}
