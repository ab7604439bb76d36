// Dimension legend: R = rows (sentences × beams), V = target vocabulary, K = beam size.
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>The arithmetic of beam search: log-probabilities of each row and the best continuations of a sentence's beams.</summary>
internal static class SearchKernels
{
    /// <summary>logProbabilities (R, V) = log_softmax(logits) per row, the row maximum subtracted first.</summary>
    public static void LogSoftmaxRows<T>(ReadOnlySpan<T> logits, int rows, int width, Span<double> logProbabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = logits.Slice(r * width, width);
            Span<double> output = logProbabilities.Slice(r * width, width);
            double maximum = double.CreateTruncating(row[0]);
            for (int j = 1; j < width; j++)
            {
                maximum = Math.Max(maximum, double.CreateTruncating(row[j]));
            }

            double sum = 0;
            for (int j = 0; j < width; j++)
            {
                sum += Math.Exp(double.CreateTruncating(row[j]) - maximum);
            }

            double logSum = Math.Log(sum) + maximum;
            for (int j = 0; j < width; j++)
            {
                output[j] = double.CreateTruncating(row[j]) - logSum;
            }
        }
    }

    /// <summary>
    /// The <paramref name="count"/> best (beam, token) continuations of one sentence: totals[k, v] = beamScores[k] +
    /// logProbabilities[k, v] over its K beams, highest first, ties to the lower beam then the lower token. Beams scored
    /// −∞ are never chosen. Writes beam and token indices; returns how many were found.
    /// </summary>
    public static int BestContinuations(ReadOnlySpan<double> beamScores, ReadOnlySpan<double> logProbabilities, int width, int count,
        Span<int> beams, Span<int> tokens, Span<double> totals)
    {
        int found = 0;
        for (int k = 0; k < beamScores.Length; k++)
        {
            if (double.IsNegativeInfinity(beamScores[k]))
            {
                continue;
            }

            for (int v = 0; v < width; v++)
            {
                double total = beamScores[k] + logProbabilities[k * width + v];
                if (found == count && !(total > totals[found - 1]))
                {
                    continue;
                }

                int at = found == count ? found - 1 : found++;
                while (at > 0 && total > totals[at - 1])
                {
                    (beams[at], tokens[at], totals[at]) = (beams[at - 1], tokens[at - 1], totals[at - 1]);
                    at--;
                }

                (beams[at], tokens[at], totals[at]) = (k, v, total);
            }
        }

        return found;
    }
}
