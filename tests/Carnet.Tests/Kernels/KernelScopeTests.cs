// Dimension legend: B = batch, T = steps, I = input size, H = hidden size.
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Tests.Kernels;

/// <summary>
/// The kernel choice is a value: a scope opened by <see cref="KernelSettings.Use"/> holds for the code inside it (its
/// thread, the flows it starts, the workers that run its jobs) and for nothing else, so flows with different choices
/// run side by side and each gets its own kernels' bits.
/// </summary>
public sealed class KernelScopeTests
{
    [Fact]
    public void ScopesNestAndRestoreTheEnclosingChoice()
    {
        Assert.Equal(KernelMode.Fast, KernelSettings.Mode);
        using (KernelSettings.Use(KernelMode.Reference))
        {
            Assert.True(KernelSettings.UseReferenceKernels);
            using (KernelSettings.Use(maximumThreads: 1))
            {
                Assert.Equal((KernelMode.Reference, 1), (KernelSettings.Mode, KernelSettings.MaximumThreads)); // the mode is kept
                using (KernelSettings.Use(KernelMode.Fast))
                {
                    Assert.Equal((KernelMode.Fast, 1), (KernelSettings.Mode, KernelSettings.MaximumThreads));
                }
            }

            Assert.Equal((KernelMode.Reference, KernelSettings.DefaultMaximumThreads), (KernelSettings.Mode, KernelSettings.MaximumThreads));
        }

        Assert.Equal(KernelMode.Fast, KernelSettings.Mode);
    }

    [Fact]
    public void ScopesAreLeftInOrderAndOnlyOnce()
    {
        var outer = KernelSettings.Use(KernelMode.Reference);
        var inner = KernelSettings.Use(maximumThreads: 1);
        Assert.Throws<InvalidOperationException>(outer.Dispose);
        inner.Dispose();
        inner.Dispose(); // a second dispose does nothing
        outer.Dispose();
        Assert.Equal(KernelMode.Fast, KernelSettings.Mode);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.Use((KernelMode)7));
    }

    [Fact]
    public async Task AFlowStartedInsideAScopeSeesItAndOneStartedOutsideDoesNot()
    {
        using (KernelSettings.Use(KernelMode.Reference, 1))
        {
            Assert.Equal((KernelMode.Reference, 1), await Task.Run(() => (KernelSettings.Mode, KernelSettings.MaximumThreads)));
        }

        var outside = new Thread(() => Assert.Equal(KernelMode.Fast, KernelSettings.Mode));
        using (KernelSettings.Use(KernelMode.Reference))
        {
            Assert.Equal(KernelMode.Fast, await Task.Run(() =>
            {
                using var fast = KernelSettings.Use(KernelMode.Fast);
                return KernelSettings.Mode;
            }));
            Assert.Equal(KernelMode.Reference, KernelSettings.Mode); // the inner flow's scope stayed in it
        }

        outside.Start();
        outside.Join();
    }

    /// <summary>
    /// Two threads, one in a reference scope and one in a fast one, run the same multi-threaded products and LSTM passes
    /// (phased jobs over the GEMM workers) over and over at the same time: each gets, every time, the bits its own kernels
    /// give when run alone, and the two differ.
    /// </summary>
    [Fact]
    public async Task FlowsWithDifferentChoicesRunSideBySideWithTheirOwnBits()
    {
        var expectedReference = Work(KernelMode.Reference);
        var expectedFast = Work(KernelMode.Fast);
        Assert.NotEqual(expectedReference.Product, expectedFast.Product);
        Assert.NotEqual(expectedReference.Output, expectedFast.Output);

        using var start = new Barrier(2);
        (float[] Product, float[] Output)[] Repeat(KernelMode mode)
        {
            start.SignalAndWait();
            return Enumerable.Range(0, 6).Select(_ => Work(mode)).ToArray();
        }

        var reference = Task.Factory.StartNew(() => Repeat(KernelMode.Reference), TaskCreationOptions.LongRunning);
        var fast = Task.Factory.StartNew(() => Repeat(KernelMode.Fast), TaskCreationOptions.LongRunning);
        foreach (var run in await reference)
        {
            Assert.Equal(expectedReference.Product, run.Product);
            Assert.Equal(expectedReference.Output, run.Output);
        }

        foreach (var run in await fast)
        {
            Assert.Equal(expectedFast.Product, run.Product);
            Assert.Equal(expectedFast.Output, run.Output);
        }
    }

    /// <summary>A 300 × 500 × 200 product (large enough to be split between threads) and a two-layer LSTM forward pass, under <paramref name="mode"/>.</summary>
    private static (float[] Product, float[] Output) Work(KernelMode mode)
    {
        using var scope = KernelSettings.Use(mode, maximumThreads: 2);
        var operands = new GemmOperands(300, 500, 200, seed: 41);
        var (lda, ldb, ldc) = operands.Strides(false, true, 300, 500, 200);
        float[] product = operands.Run(c => Gemm.Multiply<float>(false, true, operands.A, lda, operands.B, ldb, 300, 500, 200, c, ldc, false));
        var random = new RandomSource(43);
        var lstm = new Lstm<float>(new RecurrentOptions { InputSize = 24, HiddenSize = 128, NumLayers = 2 }, random);
        var input = Tensor<float>.Zeros(12, 4, 24); // (T, B, I)
        random.FillGaussian(input.Span, 0, 1);
        using var result = lstm.Forward(input);
        return (product, result.Output.Span.ToArray());
    }
}

/// <summary>A worker thread runs a job under the scope of the thread that handed it out, never its own or another's.</summary>
[Collection(nameof(GemmWorkersCollection))]
public sealed class KernelScopeWorkerTests
{
    [Theory]
    [InlineData(KernelMode.Reference, 2)]
    [InlineData(KernelMode.Fast, 2)]
    public void EverySliceOfAPhasedJobSeesTheCallersScope(KernelMode mode, int threads)
    {
        var job = new ObservingJob();
        using (KernelSettings.Use(mode, threads))
        {
            job.Run(threads);
        }

        Assert.True(job.Threads.Distinct().Count() == 2, "the worker never joined the job");
        Assert.All(job.Seen, seen => Assert.Equal((mode, threads), seen));

        var unscoped = new ObservingJob();
        unscoped.Run(2);
        Assert.All(unscoped.Seen, seen => Assert.Equal((KernelSettings.DefaultMode, KernelSettings.DefaultMaximumThreads), seen));
    }

    /// <summary>Phases of two slices that wait for each other (so both threads take part) and record the settings each slice sees.</summary>
    private sealed class ObservingJob() : PhasedJob(4, 2)
    {
        private readonly Lock gate = new();
        private readonly Barrier meeting = new(2);

        public List<(KernelMode, int)> Seen { get; } = [];

        public List<int> Threads { get; } = [];

        protected override void RunSlice(int phase, int slice)
        {
            lock (gate)
            {
                Seen.Add((KernelSettings.Mode, KernelSettings.MaximumThreads));
                Threads.Add(Environment.CurrentManagedThreadId);
            }

            meeting.SignalAndWait(TimeSpan.FromSeconds(5));
        }
    }
}
