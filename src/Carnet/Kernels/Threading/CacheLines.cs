// Dimension legend: N = elements of a buffer.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Carnet.Kernels;

/// <summary>
/// Buffers that start on a cache line. When two threads write the units of one step, each writes its own columns of
/// every batch row; if the buffer does not start on a 64-byte line, the lines at their boundaries are shared and bounce
/// between the cores at every row (false sharing): the S1 stream step on two threads took 58–64 µs when its gate
/// buffer started 8 to 56 bytes past a line and 35.5 µs when it started on one (AMD EPYC Zen 5; where a .NET array
/// starts within a line depends on what was allocated before it).
/// </summary>
internal static class CacheLines
{
    /// <summary>The cache line of the processors this runs on, in bytes.</summary>
    public const int Size = 64;

    /// <summary>N zeroed elements starting on a cache line, in a pinned array (the pinned heap never moves it), pages faulted in.</summary>
    public static Memory<T> Allocate<T>(int length) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        var array = GC.AllocateArray<T>(length + (Size / size), pinned: true);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        int skip = (int)((Size - (address % Size)) % Size) / size;
        LargeArrays.FaultIn(array);
        return array.AsMemory(skip, length);
    }
}
