// Dimension legend: N = elements of a buffer.
using System.Runtime.CompilerServices;

namespace Carnet.Kernels;

/// <summary>
/// Arrays of a pass's size (outputs, gradients, the buffers a layer lends) with their pages faulted in before the
/// threads start on them. The runtime leaves memory fresh from the system untouched (it is zero already), so the first
/// write to each 4 KiB page faults; the forward pass first writes its output one step at a time, inside the step loop
/// where the other thread waits at every step for the one that faulted. On S3 (2 threads, AMD EPYC Zen 5, a virtual
/// machine) 85% of a benchmark's page faults came from copying h_t into the new output in the step loop
/// (<c>perf record -e page-faults</c>); with one element per page written first, on one thread, 88% are in
/// <see cref="Allocate{T}"/> and none in the loop. Alternated with the code before (4 processes each, medians): S5 LSTM
/// forward on 2 threads 120.9 → 103.2 ms, S1 LSTM 4.18 → 2.69 ms, the other cells level
/// (bench/results/2026-12-06-ab-page-faults.jsonl).
/// </summary>
/// <remarks>
/// Tried and not kept: asking Linux for 2 MiB pages for arrays from 4 MiB on (<c>madvise</c> with <c>MADV_HUGEPAGE</c>
/// and <c>MADV_COLLAPSE</c>, pinned arrays). Same build, the advice on and off alternated: S5 GRU forward on 2 threads
/// 98–105 ms with it against 79–84 without, S5 LSTM 117–129 against 103–112; S3 GRU level.
/// </remarks>
internal static class LargeArrays
{
    private const int PageSize = 4096;

    /// <summary>N elements, zeroed when <paramref name="clear"/> (else undefined), every page already faulted in.</summary>
    public static T[] Allocate<T>(int length, bool clear)
    {
        var array = clear ? new T[length] : GC.AllocateUninitializedArray<T>(length);
        FaultIn(array);
        return array;
    }

    /// <summary>Writes one element of each page of a new array (zero, or undefined), so that the page is mapped now.</summary>
    public static void FaultIn<T>(T[] array)
    {
        for (int i = 0, stride = Math.Max(1, PageSize / Unsafe.SizeOf<T>()); i < array.Length; i += stride)
        {
            array[i] = default!; // zero already when cleared, undefined otherwise: the write only faults the page in
        }
    }
}
