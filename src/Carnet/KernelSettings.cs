namespace Carnet;

/// <summary>
/// Process-wide switches for Carnet's arithmetic kernels. Neither changes any result on a given machine beyond
/// what the documentation of each states: the number of threads never changes a single bit, and the reference
/// kernels are the plain scalar definitions the fast kernels are tested against.
/// </summary>
public static class KernelSettings
{
    private static int maximumThreads = Environment.ProcessorCount;

    [ThreadStatic]
    private static int threadBudget; // 0: none set on this thread

    /// <summary>
    /// The most threads one matrix product may use (the calling thread included); at least 1. Defaults to
    /// <see cref="Environment.ProcessorCount"/>. Only products large enough to repay the hand-off are split, and
    /// every element of the result is computed by the same code in the same order whatever this value is, so
    /// results are bit-identical for every setting. Values above the processor count oversubscribe the cores.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaximumThreads
    {
        get => Volatile.Read(ref maximumThreads);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref maximumThreads, value);
        }
    }

    /// <summary>
    /// When true, every kernel runs its plain scalar reference (single-threaded, one multiply and one add per
    /// term, summed in ascending order) instead of the SIMD and multi-threaded version. Slow; meant for checking
    /// a result or a suspected kernel fault. Defaults to false. Single-precision results differ from the fast
    /// kernels in the last bits (fused multiply-adds and blocked sums round differently); double precision
    /// always uses the reference.
    /// </summary>
    public static bool UseReferenceKernels { get; set; }

    /// <summary>
    /// The threads a kernel started on this thread may use: <see cref="MaximumThreads"/>, or less inside
    /// <see cref="RunWithThreadBudget"/> (the two directions of a bidirectional layer run side by side, each on its
    /// share of the threads, rather than both asking every core for its own steps).
    /// </summary>
    internal static int AvailableThreads => threadBudget > 0 ? Math.Min(threadBudget, MaximumThreads) : MaximumThreads;

    /// <summary>Runs <paramref name="body"/> with <see cref="AvailableThreads"/> at most <paramref name="threads"/> on this thread.</summary>
    internal static void RunWithThreadBudget(int threads, Action body)
    {
        int previous = threadBudget;
        threadBudget = Math.Max(1, threads);
        try
        {
            body();
        }
        finally
        {
            threadBudget = previous;
        }
    }
}
