// Dimension legend: T = time steps, B = batch rows, W = row width.
// active (B) marks the rows whose sequence has not ended at the current step (t < length[b]).
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Carnet.Kernels;

/// <summary>Kernels for variable-length batches, dropout masks and embeddings.</summary>
internal static class SequenceKernels
{
    /// <summary>active (T, B) = t &lt; lengths[b].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ActiveMask(ReadOnlySpan<int> lengths, int steps, Span<bool> active)
    {
        int batch = lengths.Length;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                active[t * batch + b] = t < lengths[b];
            }
        }
    }

    /// <summary>For the rows that are not active, destination row = source row (a state carried through padding).</summary>
    public static void CopyInactiveRows<T>(ReadOnlySpan<bool> active, ReadOnlySpan<T> source, int width, Span<T> destination)
        where T : unmanaged
    {
        for (int b = 0; b < active.Length; b++)
        {
            if (!active[b])
            {
                source.Slice(b * width, width).CopyTo(destination.Slice(b * width, width));
            }
        }
    }

    /// <summary>
    /// For the rows that are not active, columns [start, start + width) of the destination row = those of the source
    /// row, both with row stride <paramref name="stride"/>: one thread's columns of a state carried through padding.
    /// </summary>
    public static void CopyInactiveColumns<T>(
        ReadOnlySpan<bool> active, ReadOnlySpan<T> source, int stride, int start, int width, Span<T> destination)
        where T : unmanaged
    {
        for (int b = 0; b < active.Length; b++)
        {
            if (!active[b])
            {
                source.Slice(b * stride + start, width).CopyTo(destination.Slice(b * stride + start, width));
            }
        }
    }

    /// <summary>For the rows that are not active, zero the first <paramref name="width"/> elements of the (strided) row.</summary>
    public static void ZeroInactiveRows<T>(ReadOnlySpan<bool> active, int width, Span<T> destination, int stride)
        where T : unmanaged
    {
        for (int b = 0; b < active.Length; b++)
        {
            if (!active[b])
            {
                destination.Slice(b * stride, width).Clear();
            }
        }
    }

    /// <summary>mask[i] = 0 with probability p, else 1/(1 − p) (inverted dropout, as PyTorch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DropoutMask<T>(RandomSource random, double probability, Span<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T keep = T.CreateTruncating(1.0 / (1.0 - probability));
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextDouble() < probability ? T.Zero : keep;
        }
    }

    /// <summary>output (N, E) row n = table row ids[n].</summary>
    public static void Gather<T>(ReadOnlySpan<T> table, ReadOnlySpan<int> ids, int width, Span<T> output)
        where T : unmanaged
    {
        for (int n = 0; n < ids.Length; n++)
        {
            table.Slice(ids[n] * width, width).CopyTo(output.Slice(n * width, width));
        }
    }

    /// <summary>dTable row ids[n] += dOutput (N, E) row n, skipping <paramref name="skipId"/> (the padding index, or −1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAdd<T>(ReadOnlySpan<T> dOutput, ReadOnlySpan<int> ids, int width, int skipId, Span<T> dTable)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int n = 0; n < ids.Length; n++)
        {
            if (ids[n] == skipId)
            {
                continue;
            }

            ReadOnlySpan<T> from = dOutput.Slice(n * width, width);
            Span<T> to = dTable.Slice(ids[n] * width, width);
            for (int j = 0; j < width; j++)
            {
                to[j] += from[j];
            }
        }
    }
}
