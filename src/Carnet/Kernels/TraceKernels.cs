// Dimension legend: T = time steps, B = batch, W = width of one step's row in a time-major buffer (G·H gates,
// H or P states), U = units taken from a row, V = valid steps of the traced sequence (V ≤ T).
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>
/// Reading one sequence out of a recurrent layer's time-major cache for a trace (each step indexed by real time t),
/// and ranking its units by activity.
/// </summary>
internal static class TraceKernels
{
    /// <summary>destination (V, U)[t, u] = source (T, B, W)[t, sequence, offset + u] for t &lt; V.</summary>
    public static void GatherSteps<T>(ReadOnlySpan<T> source, int batch, int width, int sequence, int offset, int validSteps, int units,
        Span<double> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int t = 0; t < validSteps; t++)
        {
            ReadOnlySpan<T> row = source.Slice((t * batch + sequence) * width + offset, units);
            for (int u = 0; u < units; u++)
            {
                destination[t * units + u] = double.CreateTruncating(row[u]);
            }
        }
    }

    /// <summary>
    /// The state after each step t &lt; V, destination (V, W), from the states entering each step, previous (T, B, W), and
    /// the state after the last step processed, final (B, W). Forward, the state after t enters step t + 1 (final for
    /// t = T − 1); in reverse it enters step t − 1 (final for t = 0). A padded step keeps its row's state, so the state
    /// after a shorter sequence's last step is also what enters the padding after it.
    /// </summary>
    public static void StatesAfterSteps<T>(ReadOnlySpan<T> previous, ReadOnlySpan<T> final, int steps, int batch, int width, int sequence,
        int validSteps, bool reverse, Span<double> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int t = 0; t < validSteps; t++)
        {
            int next = reverse ? t - 1 : t + 1;
            ReadOnlySpan<T> row = next < 0 || next >= steps
                ? final.Slice(sequence * width, width)
                : previous.Slice((next * batch + sequence) * width, width);
            for (int u = 0; u < width; u++)
            {
                destination[t * width + u] = double.CreateTruncating(row[u]);
            }
        }
    }

    /// <summary>means (U)[u] = the mean over the V rows of |values (V, U)[t, u]|.</summary>
    public static void MeanAbsoluteColumns(ReadOnlySpan<double> values, int rows, int columns, Span<double> means)
    {
        means.Clear();
        for (int t = 0; t < rows; t++)
        {
            for (int u = 0; u < columns; u++)
            {
                means[u] += Math.Abs(values[t * columns + u]);
            }
        }

        for (int u = 0; u < columns; u++)
        {
            means[u] /= Math.Max(1, rows);
        }
    }
}
