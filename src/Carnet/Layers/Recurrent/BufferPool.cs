using System.Collections.Concurrent;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// Arrays a layer lends to its forward and backward passes and takes back when a result is disposed, so that a
/// training loop in steady state allocates no large buffer per batch (no page faults, no zeroing, no garbage
/// collections of the large-object heap). Arrays are kept by exact length; the pool holds at most what was in use at
/// once, and is collected with its layer.
/// </summary>
internal sealed class BufferPool<T>
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<T[]>> free = new();

    /// <summary>An array of exactly <paramref name="length"/> elements: a returned one when there is one (zeroed when <paramref name="clear"/>), else a new one.</summary>
    public T[] Rent(int length, bool clear)
    {
        if (length > 0 && free.TryGetValue(length, out var bag) && bag.TryTake(out var array))
        {
            if (clear)
            {
                Array.Clear(array);
            }

            return array;
        }

        return LargeArrays.Allocate<T>(length, clear: true);
    }

    /// <summary>Takes an array back; it must no longer be used by its caller.</summary>
    public void Return(T[]? array)
    {
        if (array is { Length: > 0 })
        {
            free.GetOrAdd(array.Length, static _ => []).Add(array);
        }
    }
}

/// <summary>Where a pass gets its buffers: from a layer's <see cref="BufferPool{T}"/>, or new arrays when it has none.</summary>
internal static class Buffers
{
    /// <summary>An array of <paramref name="length"/> elements from <paramref name="pool"/>, or a new (zeroed) one.</summary>
    public static T[] Rent<T>(BufferPool<T>? pool, int length, bool clear = false)
        => pool is null ? LargeArrays.Allocate<T>(length, clear: true) : pool.Rent(length, clear);
}
