// Dimension legend: phases = the ordered stages of a job (a time step, or half of one); slices = the independent pieces
// of one phase (ranges of hidden units); threads = the calling thread plus GemmThreads' persistent workers.
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Carnet.Kernels;

/// <summary>
/// A job of <see cref="Phases"/> ordered phases, each cut into <see cref="Slices"/> independent slices: every slice of
/// phase p may start once all of phase p − 1 is done. The recurrent loop is one: a phase is a time step, a slice one
/// range of hidden units (its columns of the recurrent product and its gates), so the two cores share every step and
/// meet once per step, with no hand-over through the thread pool.
/// </summary>
internal abstract class PhasedJob
{
    /// <summary>How long a thread spins on its core for the rest of a phase before it yields the core, in stopwatch ticks (20 µs).</summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 50000;

    private int[] taken = []; // (phases · slices): 1 once a thread has claimed the slice
    private int roles; // threads that have joined this run: the caller is role 0
    private int completed;
    private Exception? failure;

    protected PhasedJob(int phases, int slices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(phases);
        ArgumentOutOfRangeException.ThrowIfLessThan(slices, 1);
        Phases = phases;
        Slices = slices;
    }

    /// <summary>Ordered stages.</summary>
    public int Phases { get; }

    /// <summary>Independent pieces of one phase.</summary>
    public int Slices { get; }

    /// <summary>Runs one slice of one phase; every slice of the earlier phases is done.</summary>
    protected abstract void RunSlice(int phase, int slice);

    /// <summary>
    /// Runs every phase on the calling thread and up to <paramref name="threads"/> − 1 workers, and returns when all
    /// are done. In each phase a thread claims its own slice, then any unclaimed one, and waits at the phase boundary,
    /// so a worker the operating system has not scheduled costs nothing: the caller claims its slices too. Which thread
    /// runs a slice never changes a result.
    /// </summary>
    public unsafe void Run(int threads)
    {
        if (taken.Length != Phases * Slices)
        {
            taken = new int[Phases * Slices];
        }
        else
        {
            Array.Clear(taken);
        }

        roles = 0;
        completed = 0;
        failure = null;
        if (threads > 1 && Slices > 1 && Phases > 0)
        {
            var handle = GCHandle.Alloc(this);
            try
            {
                if (GemmThreads.TryRun(&Work, (void*)GCHandle.ToIntPtr(handle), threads, threads))
                {
                    Finish();
                    return;
                }
            }
            finally
            {
                handle.Free();
            }
        }

        ClaimSlices();
        Finish();
    }

    private static unsafe void Work(void* state, int chunk)
        => ((PhasedJob)GCHandle.FromIntPtr((nint)state).Target!).ClaimSlices();

    private void Finish()
    {
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>
    /// Waits until <paramref name="ready"/> slices are done: first by spinning on the core (a step's other slices end
    /// within microseconds when their thread is running), then by yielding it, in case that thread waits for this core.
    /// </summary>
    private void WaitForPhase(int ready)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (Volatile.Read(ref completed) < ready)
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() - start > SpinTicks)
            {
                var spinner = default(SpinWait);
                while (Volatile.Read(ref completed) < ready)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }

                return;
            }

            Thread.SpinWait(16);
        }
    }

    /// <summary>
    /// Runs slices phase by phase until none is left (or one has failed): in each phase, once the phase before is done,
    /// this thread's own slice first (role r prefers slice r mod slices, so from step to step a core keeps the same
    /// weights in its cache), then any slice no other thread has claimed yet.
    /// </summary>
    private void ClaimSlices()
    {
        int role = Interlocked.Increment(ref roles) - 1, total = Phases * Slices;
        for (int phase = 0; phase < Phases; phase++)
        {
            int ready = phase * Slices;
            if (Volatile.Read(ref completed) < ready)
            {
                WaitForPhase(ready);
            }

            for (int i = 0; i < Slices; i++)
            {
                int slice = (role + i) % Slices;
                if (Interlocked.Exchange(ref taken[ready + slice], 1) != 0)
                {
                    continue;
                }

                if (Volatile.Read(ref failure) is not null)
                {
                    return;
                }

                try
                {
                    RunSlice(phase, slice);
                }
                catch (Exception e)
                {
                    // stop everyone: threads waiting for this slice are released, and they return at the next check
                    Interlocked.CompareExchange(ref failure, e, null);
                    Volatile.Write(ref completed, total);
                    return;
                }

                Interlocked.Increment(ref completed);
            }
        }
    }
}
