namespace Carnet;

/// <summary>Which implementation of the arithmetic kernels runs.</summary>
public enum KernelMode
{
    /// <summary>The SIMD and multi-threaded kernels (the default).</summary>
    Fast,

    /// <summary>
    /// The plain scalar references (single-threaded, one multiply and one add per term, summed in ascending order) that
    /// the fast kernels are tested against. Slow; meant for checking a result or a suspected kernel fault. Single-precision
    /// results differ from the fast kernels' in the last bits (fused multiply-adds and blocked sums round differently);
    /// double precision always uses the reference.
    /// </summary>
    Reference,
}

/// <summary>
/// The choice of kernels and threads, as a value: process-wide defaults (<see cref="DefaultMode"/>,
/// <see cref="DefaultMaximumThreads"/>) and scopes opened by <see cref="Use"/> that override them for the code that runs
/// inside, on this thread, in the asynchronous flows it starts and on the kernel worker threads that run its jobs, and
/// nowhere else. Two tests, requests or models can therefore run side by side with different settings. The thread count
/// never changes a single bit of a result.
/// </summary>
public static class KernelSettings
{
    private static readonly AsyncLocal<KernelScope?> FlowScope = new();
    private static int defaultMaximumThreads = Environment.ProcessorCount;
    private static volatile KernelMode defaultMode;

    [ThreadStatic]
    private static KernelScope? lentScope; // a worker's: the scope of the job it is running

    [ThreadStatic]
    private static int threadBudget; // 0: none set on this thread

    /// <summary>The kernels used where no scope says otherwise. Defaults to <see cref="KernelMode.Fast"/>.</summary>
    public static KernelMode DefaultMode
    {
        get => defaultMode;
        set => defaultMode = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "not a kernel mode");
    }

    /// <summary>
    /// The most threads one matrix product or recurrent pass may use (the calling thread included) where no scope says
    /// otherwise; at least 1. Defaults to <see cref="Environment.ProcessorCount"/>. Values above the processor count
    /// oversubscribe the cores.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int DefaultMaximumThreads
    {
        get => Volatile.Read(ref defaultMaximumThreads);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref defaultMaximumThreads, value);
        }
    }

    /// <summary>The kernels the code running here uses: the innermost scope's choice, else <see cref="DefaultMode"/>.</summary>
    public static KernelMode Mode => Current?.Mode ?? DefaultMode;

    /// <summary>Whether the code running here uses the scalar reference kernels (<see cref="Mode"/> is <see cref="KernelMode.Reference"/>).</summary>
    public static bool UseReferenceKernels => Mode == KernelMode.Reference;

    /// <summary>
    /// The most threads one product or pass started here may use: the innermost scope's limit, else
    /// <see cref="DefaultMaximumThreads"/>. Only work large enough to repay the hand-off is split, and every element of a
    /// result is computed by the same code in the same order whatever this value is.
    /// </summary>
    public static int MaximumThreads => Current?.MaximumThreads ?? DefaultMaximumThreads;

    /// <summary>
    /// The threads a kernel started on this thread may use: <see cref="MaximumThreads"/>, or less inside
    /// <see cref="RunWithThreadBudget"/> (the two directions of a bidirectional layer run side by side, each on its
    /// share of the threads, rather than both asking every core for its own steps).
    /// </summary>
    internal static int AvailableThreads => threadBudget > 0 ? Math.Min(threadBudget, MaximumThreads) : MaximumThreads;

    /// <summary>The scope in force here: a worker's lent one, else this flow's, else none.</summary>
    internal static KernelScope? Current => lentScope ?? FlowScope.Value;

    /// <summary>
    /// Opens a scope in which the kernels are <paramref name="mode"/> and products use at most
    /// <paramref name="maximumThreads"/> threads; a setting left null keeps the enclosing scope's (or the default).
    /// Dispose the scope to leave it: <c>using (KernelSettings.Use(KernelMode.Reference)) { … }</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A thread count below 1, or an unknown mode.</exception>
    public static KernelScope Use(KernelMode? mode = null, int? maximumThreads = null)
    {
        if (mode is { } m && !Enum.IsDefined(m))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), m, "not a kernel mode");
        }

        if (maximumThreads is { } threads)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(maximumThreads));
        }

        var enclosing = FlowScope.Value;
        var scope = new KernelScope(mode ?? enclosing?.Mode, maximumThreads ?? enclosing?.MaximumThreads, enclosing);
        FlowScope.Value = scope;
        return scope;
    }

    /// <summary>Leaves <paramref name="scope"/>, which must be this flow's innermost.</summary>
    internal static void Leave(KernelScope scope)
    {
        if (!ReferenceEquals(FlowScope.Value, scope))
        {
            throw new InvalidOperationException("kernel scopes must be left in the reverse order they were opened, on the flow that opened them");
        }

        FlowScope.Value = scope.Enclosing;
    }

    /// <summary>Runs <paramref name="body"/> on this (worker) thread under <paramref name="scope"/>, the scope of the thread that handed out the job.</summary>
    internal static void RunLent(KernelScope? scope, Action body)
    {
        var previous = lentScope;
        lentScope = scope ?? KernelScope.None;
        try
        {
            body();
        }
        finally
        {
            lentScope = previous;
        }
    }

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

/// <summary>
/// A choice of kernels and threads in force until it is disposed (<see cref="KernelSettings.Use"/>); settings it leaves
/// null fall back to the process-wide defaults.
/// </summary>
public sealed class KernelScope : IDisposable
{
    private bool disposed;

    internal KernelScope(KernelMode? mode, int? maximumThreads, KernelScope? enclosing)
    {
        Mode = mode;
        MaximumThreads = maximumThreads;
        Enclosing = enclosing;
    }

    /// <summary>The kernels chosen, or null for <see cref="KernelSettings.DefaultMode"/>.</summary>
    public KernelMode? Mode { get; }

    /// <summary>The thread limit chosen, or null for <see cref="KernelSettings.DefaultMaximumThreads"/>.</summary>
    public int? MaximumThreads { get; }

    /// <summary>A scope that chooses nothing: what a worker runs under for a caller that opened none.</summary>
    internal static KernelScope None { get; } = new(null, null, null);

    internal KernelScope? Enclosing { get; }

    /// <summary>Leaves the scope; the enclosing one (or the defaults) applies again.</summary>
    public void Dispose()
    {
        if (!disposed)
        {
            KernelSettings.Leave(this);
            disposed = true;
        }
    }
}
