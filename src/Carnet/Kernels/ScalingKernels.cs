// Dimension legend: N = rows or sequences, K = columns (features), T = steps per sequence.
namespace Carnet.Kernels;

/// <summary>Standard scaling of features: per-column moments (over valid steps only for padded sequences), scaling, softmax of scores.</summary>
internal static class ScalingKernels
{
    /// <summary>Per-column mean and population standard deviation of the first <paramref name="rows"/> rows of a row-major (N, K) block.</summary>
    public static void ColumnMoments(ReadOnlySpan<double> values, int columns, int rows, Span<double> means, Span<double> deviations)
        => MaskedColumnMoments(values, [rows], rows, columns, means, deviations); // the block is one sequence of N valid steps

    /// <summary>
    /// Per-column mean and population standard deviation over the valid steps of padded sequences (N, T, K):
    /// sequence n contributes its first lengths[n] steps.
    /// </summary>
    public static void MaskedColumnMoments(ReadOnlySpan<double> values, ReadOnlySpan<int> lengths, int steps, int columns, Span<double> means, Span<double> deviations)
    {
        means.Clear();
        deviations.Clear();
        long count = 0;
        for (int n = 0; n < lengths.Length; n++)
        {
            count += lengths[n];
            for (int t = 0; t < lengths[n]; t++)
            {
                for (int k = 0; k < columns; k++)
                {
                    means[k] += values[(n * steps + t) * columns + k];
                }
            }
        }

        for (int k = 0; k < columns; k++)
        {
            means[k] /= count;
        }

        for (int n = 0; n < lengths.Length; n++)
        {
            for (int t = 0; t < lengths[n]; t++)
            {
                for (int k = 0; k < columns; k++)
                {
                    double d = values[(n * steps + t) * columns + k] - means[k];
                    deviations[k] += d * d;
                }
            }
        }

        for (int k = 0; k < columns; k++)
        {
            deviations[k] = Math.Sqrt(deviations[k] / count);
        }
    }

    /// <summary>destination = (source − mean) / scale, per column of a row-major block with K columns (K means and scales).</summary>
    public static void Standardize(ReadOnlySpan<double> source, ReadOnlySpan<double> means, ReadOnlySpan<double> scales, Span<double> destination)
    {
        int columns = means.Length;
        for (int i = 0; i < source.Length; i++)
        {
            int k = i % columns;
            destination[i] = (source[i] - means[k]) / scales[k];
        }
    }

    /// <summary>Row-wise softmax of scores (N, K) into probabilities (N, K), stable (the row maximum subtracted).</summary>
    public static void Softmax(ReadOnlySpan<double> scores, int columns, Span<double> probabilities)
    {
        for (int row = 0; row * columns < scores.Length; row++)
        {
            var s = scores.Slice(row * columns, columns);
            var p = probabilities.Slice(row * columns, columns);
            double max = double.NegativeInfinity, sum = 0;
            for (int k = 0; k < columns; k++)
            {
                max = Math.Max(max, s[k]);
            }

            for (int k = 0; k < columns; k++)
            {
                p[k] = Math.Exp(s[k] - max);
                sum += p[k];
            }

            for (int k = 0; k < columns; k++)
            {
                p[k] /= sum;
            }
        }
    }

    /// <summary>destination (N) = the column of each row's largest value in a row-major (N, K) block (the first on ties).</summary>
    public static void ArgmaxRows(ReadOnlySpan<double> values, int columns, Span<int> destination)
    {
        for (int row = 0; row < destination.Length; row++)
        {
            int best = 0;
            for (int k = 1; k < columns; k++)
            {
                if (values[row * columns + k] > values[row * columns + best])
                {
                    best = k;
                }
            }

            destination[row] = best;
        }
    }
}
