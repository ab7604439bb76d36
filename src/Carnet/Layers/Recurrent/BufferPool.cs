using System.Collections.Concurrent;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// Buffers a layer lends to its forward and backward passes and takes back when a result is disposed, so that a
/// training loop in steady state allocates no large buffer per batch (no page faults, no zeroing, no garbage
/// collections of the large-object heap). Every buffer is on the pinned heap and starts on a cache line
/// (<see cref="CacheLines"/>), so the threads of a time loop, which write their own rows or columns of each step, share
/// no line at a buffer's start. Measured against ordinary arrays (AMD EPYC Zen 5, 2 vCPUs, 2026-12-06, alternated, 4–8
/// processes each, bench/results/2026-12-06-ab-pinned-buffers.jsonl): S1 LSTM forward 4.88 → 3.13 ms on one thread and
/// 5.09 → 2.52 on two, S4 GRU 2.43 → 2.01, S5 LSTM on two threads 105.9 → 110.9, the others level; training steps 9%
/// faster (median ratio); ordinary arrays cut to start on a line gave 4.88 and 4.85 ms on S1 LSTM, so the gain comes
/// from where the pinned heap puts the buffers, not from the alignment, which is not explained yet (this virtual
/// machine shows no hardware counters). Buffers are kept by exact length; the pool holds at most what was in use at
/// once, and is collected with its layer.
/// </summary>
internal sealed class BufferPool<T> where T : unmanaged
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<Memory<T>>> free = new();

    /// <summary>A buffer of exactly <paramref name="length"/> elements: a returned one when there is one (zeroed when <paramref name="clear"/>), else a new one.</summary>
    public Memory<T> Rent(int length, bool clear)
    {
        if (length > 0 && free.TryGetValue(length, out var bag) && bag.TryTake(out var buffer))
        {
            if (clear)
            {
                buffer.Span.Clear();
            }

            return buffer;
        }

        return CacheLines.Allocate<T>(length);
    }

    /// <summary>Takes a buffer back; it must no longer be used by its caller.</summary>
    public void Return(Memory<T> buffer)
    {
        if (!buffer.IsEmpty)
        {
            free.GetOrAdd(buffer.Length, static _ => []).Add(buffer);
        }
    }
}

/// <summary>Where a pass gets its buffers: from a layer's <see cref="BufferPool{T}"/>, or new arrays when it has none.</summary>
internal static class Buffers
{
    /// <summary>
    /// A buffer of <paramref name="length"/> elements from <paramref name="pool"/> (on a cache line), or a new zeroed
    /// array: a pinned, aligned allocation for every call costs more than it saves (S1's GRU forward on two threads:
    /// 3.6 ms against 2.2 when the layer's returned output was allocated so).
    /// </summary>
    public static Memory<T> Rent<T>(BufferPool<T>? pool, int length, bool clear = false) where T : unmanaged
        => pool is null ? LargeArrays.Allocate<T>(length, clear: true) : pool.Rent(length, clear);
}
