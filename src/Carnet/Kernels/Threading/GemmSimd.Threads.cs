// Dimension legend: chunks = the pieces one product is cut into (whole tiles each); threads = the calling thread plus
// up to KernelSettings.MaximumThreads − 1 persistent workers, which claim chunks one at a time until none is left.
namespace Carnet.Kernels;

/// <summary>
/// The worker threads of the multi-threaded products: persistent background threads, started on first use, that
/// spin briefly after each job (the recurrent loop calls a product every few microseconds) and then sleep. The
/// calling thread and the workers claim chunks from a shared counter, so a worker the operating system has not
/// scheduled (the cores busy with other work) costs nothing: the caller runs its chunks too. One product uses the
/// workers at a time; a product that finds them busy runs alone. Neither changes a bit of the result, since no
/// element's arithmetic depends on which thread computes it. Workers run each job under the caller's
/// <see cref="KernelScope"/>, so a reference-mode caller's job never runs fast kernels on a worker, and the reverse.
/// </summary>
internal static unsafe class GemmThreads
{
    /// <summary>How long an idle worker polls for the next job before it blocks, in stopwatch ticks (50 µs).</summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 20000;

    /// <summary>How long of that an idle worker spins on its core before it starts yielding it between polls, in stopwatch ticks (10 µs).</summary>
    private static readonly long HotTicks = System.Diagnostics.Stopwatch.Frequency / 100000;

    private static readonly object Gate = new();
    private static readonly object Signal = new();
    private static int workerCount;
    private static int generation;
    private static int sleepers; // workers blocked on Signal, the only ones a new job must pulse

    // The current job, valid while closed = 0 (written before it is opened, read after a worker has seen it open).
    private static KernelScope? scope; // the caller's kernel choice, which the workers run the job under
    private static delegate*<void*, int, void> work;
    private static void* state;
    private static int chunks;
    private static int next;
    private static int closed = 1;
    private static int active;

    /// <summary>
    /// Runs <paramref name="job"/>(<paramref name="jobState"/>, chunk) for every chunk in 0..chunks−1 on the calling
    /// thread and up to <paramref name="threads"/> − 1 workers, and returns when all are done. Returns false, having
    /// run nothing, when another product holds the workers.
    /// </summary>
    public static bool TryRun(delegate*<void*, int, void> job, void* jobState, int chunkCount, int threads)
    {
        // a job of this thread's own (a product inside a phased job's slice) must not replace the job it runs in
        if (Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate))
        {
            return false;
        }

        try
        {
            while (workerCount < threads - 1)
            {
                // no execution context: a worker belongs to no caller's flow, and runs each job under that job's scope
                new Thread(WorkerLoop) { IsBackground = true, Name = "Carnet GEMM worker" }.UnsafeStart();
                workerCount++;
            }

            work = job;
            state = jobState;
            scope = KernelSettings.Current;
            chunks = chunkCount;
            next = 0;
            Interlocked.Exchange(ref closed, 0);
            Interlocked.Increment(ref generation); // a full fence: a worker that counts itself asleep after this sees the job
            if (Volatile.Read(ref sleepers) > 0)
            {
                lock (Signal)
                {
                    Monitor.PulseAll(Signal);
                }
            }

            try
            {
                RunChunks();
            }
            finally
            {
                // Close the job, then wait for every worker that joined it (one that joins later sees it closed):
                // the job's state lives on the caller's stack.
                Interlocked.Exchange(ref closed, 1);
                var spinner = default(SpinWait);
                while (Volatile.Read(ref active) != 0)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }

                work = null;
                state = null;
                scope = null;
            }

            return true;
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    /// <summary>Claims and runs chunks of the current job until none is left.</summary>
    private static void RunChunks()
    {
        for (int chunk = Interlocked.Increment(ref next) - 1; chunk < chunks; chunk = Interlocked.Increment(ref next) - 1)
        {
            work(state, chunk);
        }
    }

    private static void WorkerLoop()
    {
        int seen = 0;
        while (true)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            while (Volatile.Read(ref generation) == seen && System.Diagnostics.Stopwatch.GetTimestamp() - start < HotTicks)
            {
                Thread.SpinWait(1); // the next step's job usually comes within microseconds: see it at once
            }

            while (Volatile.Read(ref generation) == seen && System.Diagnostics.Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                Thread.Yield(); // polls without taking a shared core from the thread that will hand out the next job
            }

            if (Volatile.Read(ref generation) == seen)
            {
                lock (Signal)
                {
                    // counted first (a full fence), then the generation read again: a job opened before the count is
                    // seen here, one opened after it finds a sleeper and pulses once this thread waits
                    Interlocked.Increment(ref sleepers);
                    while (Volatile.Read(ref generation) == seen)
                    {
                        Monitor.Wait(Signal);
                    }

                    Interlocked.Decrement(ref sleepers);
                }
            }

            seen = Volatile.Read(ref generation);

            Interlocked.Increment(ref active);
            try
            {
                if (Volatile.Read(ref closed) == 0)
                {
                    KernelSettings.RunLent(scope, RunChunks);
                }
            }
            finally
            {
                Interlocked.Decrement(ref active);
            }
        }
    }
}
