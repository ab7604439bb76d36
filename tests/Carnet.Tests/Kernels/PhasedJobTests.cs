// Dimension legend: phases = ordered stages of a job, slices = independent pieces of one phase, threads = the caller
// plus the GEMM workers that join it.
using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>
/// <see cref="PhasedJob"/>: every slice runs exactly once, no slice of phase p starts before all of phase p − 1 is
/// done, the thread count changes no result, a failing slice stops the job and its exception reaches the caller, and
/// the same job can run again.
/// </summary>
public sealed class PhasedJobTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 1, 2)]
    [InlineData(1, 5, 2)]
    [InlineData(13, 3, 2)]
    [InlineData(40, 2, 2)]
    [InlineData(9, 5, 3)]
    [InlineData(25, 7, 1)]
    public void EverySliceRunsOnceAfterTheWholePreviousPhase(int phases, int slices, int threads)
    {
        var job = new RecordingJob(phases, slices);
        for (int round = 0; round < 3; round++) // the same job again: the counters start over
        {
            job.Reset();
            job.Run(threads);
            Assert.Equal(0, job.EarlyStarts);
            for (int p = 0; p < phases; p++)
            {
                for (int s = 0; s < slices; s++)
                {
                    Assert.Equal(1, job.Runs[p, s]);
                }
            }
        }
    }

    [Fact]
    public void NoPhasesRunsNothingAndBadShapesAreRejected()
    {
        var empty = new RecordingJob(0, 4);
        empty.Run(2);
        empty.Run(1);
        Assert.Empty(empty.Runs);
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdleJob(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdleJob(3, 0));
        Assert.Equal((0, 1), (new IdleJob(0, 1).Phases, new IdleJob(0, 1).Slices));
    }

    [Fact]
    public void ThreadCountChangesNoResult()
    {
        // a recurrence: slice s of phase p reads every slice of phase p − 1 (as a step reads all of h_{t−1})
        double[] expected = new RecurrenceJob(31, 6).RunAndRead(1);
        foreach (int threads in new[] { 2, 3, 2, 1 })
        {
            Assert.Equal(expected, new RecurrenceJob(31, 6).RunAndRead(threads));
        }

        Assert.Equal(32 * 6, expected.Length);
        Assert.True(expected[^6..].Distinct().Count() == 6 && expected[^6..].All(v => v != 0 && Math.Abs(v) < 1)); // not trivial
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(1, 6, 2)]
    [InlineData(2, 6, 2)]
    [InlineData(2, 0, 1)]
    [InlineData(3, 11, 0)]
    [InlineData(2, 19, 3)]
    public void AFailingSliceStopsTheJobAndItsExceptionReachesTheCaller(int threads, int failingPhase, int failingSlice)
    {
        var job = new RecordingJob(20, 4) { FailAt = (failingPhase, failingSlice) };
        var thrown = Assert.Throws<InvalidOperationException>(() => job.Run(threads));
        Assert.Same(job.Failure, thrown);
        for (int p = failingPhase + 1; p < job.Phases; p++)
        {
            for (int s = 0; s < job.Slices; s++)
            {
                Assert.Equal(0, job.Runs[p, s]); // nothing after the failing phase started
            }
        }

        for (int p = 0; p < failingPhase; p++)
        {
            for (int s = 0; s < job.Slices; s++)
            {
                Assert.Equal(1, job.Runs[p, s]);
            }
        }

        // the job runs again, whole, once it no longer fails
        job.FailAt = null;
        job.Reset();
        job.Run(threads);
        Assert.Equal(0, job.EarlyStarts);
        Assert.All(job.Runs.Cast<int>(), runs => Assert.Equal(1, runs));
    }

    /// <summary>Does nothing: for the checks of the constructor's arguments.</summary>
    private sealed class IdleJob(int phases, int slices) : PhasedJob(phases, slices)
    {
        protected override void RunSlice(int phase, int slice)
        {
        }
    }

    /// <summary>Counts each slice's runs and every slice that started before its previous phase was done.</summary>
    private sealed class RecordingJob(int phases, int slices) : PhasedJob(phases, slices)
    {
        private int done;
        private int earlyStarts;

        public int[,] Runs { get; private set; } = new int[phases, slices];

        public int EarlyStarts => Volatile.Read(ref earlyStarts);

        public (int Phase, int Slice)? FailAt { get; set; }

        public Exception? Failure { get; private set; }

        public void Reset()
        {
            Runs = new int[Phases, Slices];
            done = 0;
            earlyStarts = 0;
        }

        protected override void RunSlice(int phase, int slice)
        {
            if (Volatile.Read(ref done) < phase * Slices)
            {
                Interlocked.Increment(ref earlyStarts);
            }

            Interlocked.Increment(ref Runs[phase, slice]);
            if (FailAt == (phase, slice))
            {
                Failure = new InvalidOperationException($"slice {slice} of phase {phase}");
                throw Failure;
            }

            Thread.SpinWait(50 * (1 + (phase + slice) % 3)); // slices of uneven length
            Interlocked.Increment(ref done);
        }
    }

    /// <summary>
    /// x_p[s] = tanh(Σ_j x_{p−1}[j] · w[s, j] + s/8): every slice of phase p reads all of phase p − 1 and writes its own
    /// element of x_p, so a slice that ran early or twice (or a race) would change the bits.
    /// </summary>
    private sealed class RecurrenceJob : PhasedJob
    {
        private readonly double[][] x;
        private readonly double[] w;

        public RecurrenceJob(int phases, int slices)
            : base(phases, slices)
        {
            x = Enumerable.Range(0, phases + 1).Select(_ => new double[slices]).ToArray();
            w = new double[slices * slices];
            var random = new RandomSource(41);
            random.FillGaussian<double>(w, 0, 0.9);
            for (int s = 0; s < slices; s++)
            {
                x[0][s] = 1.0 - s * 0.25;
            }
        }

        public double[] RunAndRead(int threads)
        {
            Run(threads);
            return x.SelectMany(row => row).ToArray();
        }

        protected override void RunSlice(int phase, int slice)
        {
            double sum = slice / 8.0;
            for (int j = 0; j < Slices; j++)
            {
                sum += x[phase][j] * w[slice * Slices + j];
            }

            Thread.SpinWait(20 * (1 + slice % 4));
            x[phase + 1][slice] = Math.Tanh(sum);
        }
    }
}

/// <summary>
/// <see cref="PhasedJob"/> really shares a phase between two threads: in the collection that runs alone, so that no
/// other product holds the GEMM workers (one job uses them at a time, and a job that finds them busy runs alone).
/// </summary>
[Collection(nameof(GemmWorkersCollection))]
public sealed class PhasedJobConcurrencyTests
{
    [Fact]
    public void TwoThreadsRunTheSlicesOfOnePhaseSideBySide()
    {
        var job = new MeetingJob();
        job.Run(2);
        Assert.True(job.Met, "the two slices of the phase never ran at the same time: the worker did not join the job");
        Assert.NotEqual(job.Threads[0], job.Threads[1]);
    }

    [Fact]
    public async Task ASliceMayRunAMultiThreadedProduct()
    {
        var expected = new ProductJob();
        expected.Run(1);
        var job = new ProductJob();
        var run = Task.Run(() => job.Run(2));
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20)))); // hangs without a fix
        await run;
        for (int s = 0; s < job.Slices; s++)
        {
            Assert.Equal(expected.C[s], job.C[s]);
        }
    }

    /// <summary>Three phases of four slices, each adding a 300 × 300 × 300 product (big enough for two threads) into its own C.</summary>
    private sealed class ProductJob() : PhasedJob(3, 4)
    {
        private const int Size = 300;
        private readonly float[] a = Gaussian(1), b = Gaussian(2);

        public float[][] C { get; } = Enumerable.Range(0, 4).Select(_ => new float[Size * Size]).ToArray();

        protected override void RunSlice(int phase, int slice)
            => Gemm.Multiply<float>(false, false, a, Size, b, Size, Size, Size, Size, C[slice], Size, accumulate: true);

        private static float[] Gaussian(ulong seed)
        {
            var values = new float[Size * Size];
            new RandomSource(seed).FillGaussian<float>(values, 0, 1);
            return values;
        }
    }

    /// <summary>One phase of two slices, each waiting (up to 20 s) until the other has started.</summary>
    private sealed class MeetingJob() : PhasedJob(1, 2)
    {
        private int started;

        public bool Met { get; private set; } = true;

        public int[] Threads { get; } = new int[2];

        protected override void RunSlice(int phase, int slice)
        {
            Threads[slice] = Environment.CurrentManagedThreadId;
            Interlocked.Increment(ref started);
            if (!SpinWait.SpinUntil(() => Volatile.Read(ref started) == 2, TimeSpan.FromSeconds(20)))
            {
                Met = false;
            }
        }
    }
}
