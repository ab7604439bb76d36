using System.Diagnostics;
using Carnet.Layers;

namespace Carnet.Cli.Diagnostics;

/// <summary>The shape and settings of a <see cref="LayerBenchmark"/> run.</summary>
public sealed record LayerBenchmarkOptions
{
    /// <summary>The cell.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>I.</summary>
    public int InputSize { get; init; } = 2;

    /// <summary>H.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>L.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>B.</summary>
    public int Batch { get; init; } = 32;

    /// <summary>T.</summary>
    public int SequenceLength { get; init; } = 100;

    /// <summary>Whether each layer runs both directions.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Threads the kernels may use.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Untimed runs before measuring.</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>Untimed runs continue past <see cref="Warmup"/> until this many seconds have passed (0: no minimum).</summary>
    public double MinimumWarmupSeconds { get; init; } = 1.5;

    /// <summary>Timed runs of each kind (the median is reported).</summary>
    public int Iterations { get; init; } = 10;

    /// <summary>Training steps run after the timed ones to see whether memory grows (0: none).</summary>
    public int SoakSteps { get; init; }
}

/// <summary>
/// Memory of a <see cref="LayerBenchmark"/> run: the process's peak working set once the timed training steps have run,
/// and, when <see cref="LayerBenchmarkOptions.SoakSteps"/> is set, over that many more training steps: how much higher the
/// working set peaked in their last two fifths than in the two fifths before, and how much the live managed heap grew
/// over their last four fifths (the first fifth lets the collector settle its budgets).
/// </summary>
public sealed record LayerBenchmarkMemory(double PeakWorkingSetMegabytes, int SoakSteps, double WorkingSetGrowthMegabytes, double ManagedGrowthMegabytes);

/// <summary>Median times of a forward pass and of a training step, with GFLOP/s counted as the reference anchors count them.</summary>
/// <remarks>
/// The forward pass is timed on the frozen layer (<see cref="RecurrentLayer{T}.Freeze"/>: weights packed once, as ONNX
/// Runtime and oneDNN time inference), after a warm-up of its own, and <see cref="UnfrozenForwardMilliseconds"/> on the
/// layer as training runs it, packing its weights in every pass. Every pass's result is disposed before the next, so
/// the layer lends its outputs (<see cref="RecurrentLayer{T}.LendsOutputs"/>), as ONNX Runtime's outputs come from its
/// arena.
/// </remarks>
public sealed record LayerBenchmarkResult(
    LayerBenchmarkOptions Options, double ForwardMilliseconds, double TrainMilliseconds, double ForwardGigaflops, double TrainGigaflops,
    double ForwardFlops, long AllocatedBytesPerTrainStep, double? StreamMilliseconds, double UnfrozenForwardMilliseconds, LayerBenchmarkMemory Memory);

/// <summary>
/// Measures a recurrent stack in float32: the median milliseconds of a forward pass (inference) and of a training step
/// (forward + backward, gradients for the input, the initial states and every parameter), after a warm-up.
/// FLOPs count matrix products only: forward = Σ over layers and directions of T·B·2·G·H·(I_layer + H), G = 4 (LSTM),
/// 3 (GRU), 1 (RNN); a training step counts three forwards (shared/reference/ANCHORS.md).
/// </summary>
public static class LayerBenchmark
{
    /// <summary>Runs the measurement; <see cref="KernelSettings.MaximumThreads"/> is set for its duration.</summary>
    public static LayerBenchmarkResult Run(LayerBenchmarkOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Iterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Threads);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Warmup);
        if (options.SoakSteps < 0)
        {
            throw new ArgumentException($"--soak-steps is {options.SoakSteps}; it must be 0 or more.");
        }

        if (!(options.MinimumWarmupSeconds >= 0))
        {
            throw new ArgumentException($"the warm-up time is {options.MinimumWarmupSeconds} s; it must be 0 or more.");
        }

        var recurrent = new RecurrentOptions
        {
            InputSize = options.InputSize, HiddenSize = options.HiddenSize, NumLayers = options.NumLayers, Bidirectional = options.Bidirectional,
        };
        var random = new RandomSource(1);
        RecurrentLayer<float> layer = RecurrentCells.CreateLayer<float>(options.Cell, recurrent, random);
        layer.LendsOutputs = true; // each pass's result is disposed before the next, as an inference or training loop does
        var input = Tensor<float>.Zeros(options.SequenceLength, options.Batch, options.InputSize); // (T, B, I)
        var gradOutput = Tensor<float>.Zeros(options.SequenceLength, options.Batch, layer.OutputSize); // (T, B, D·H)
        random.FillGaussian(input.Span, 0, 1);
        random.FillGaussian(gradOutput.Span, 0, 1);

        using var threadScope = KernelSettings.Use(maximumThreads: options.Threads);
        void Forward() => Run(layer, input, null);
        void Train()
        {
            layer.ZeroGradients();
            Run(layer, input, gradOutput);
        }

        WarmUp(options, () =>
        {
            Forward();
            Train();
        });

        double unfrozen = Median(options.Iterations, Forward);
        long before = GC.GetAllocatedBytesForCurrentThread();
        double train = Median(options.Iterations, Train);
        long allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / options.Iterations;
        var memory = Soak(options.SoakSteps, Train);
        layer.Freeze();
        WarmUp(options, Forward); // the frozen pass runs code the unfrozen one does not (the packed weights' products)
        double forward = Median(options.Iterations, Forward);
        double? stream = options.Bidirectional ? null : StreamMedian(layer, input, options);
        double flops = ForwardFlops(options);
        return new LayerBenchmarkResult(
            options, forward, train, flops / forward / 1e6, 3 * flops / train / 1e6, flops, allocated, stream, unfrozen, memory);
    }

    /// <summary>
    /// The peak working set so far; then, over <paramref name="steps"/> more steps, how much higher the working set peaked in
    /// the last two fifths than in the two fifths before (the collector lets the heap swing between collections, so single
    /// readings would measure the swing), and the growth of the live managed heap over the last four fifths.
    /// </summary>
    private static LayerBenchmarkMemory Soak(int steps, Action train)
    {
        const double Megabyte = 1 << 20;
        using var process = Process.GetCurrentProcess();
        double peak = process.PeakWorkingSet64 / Megabyte;
        if (steps <= 0)
        {
            return new LayerBenchmarkMemory(peak, 0, 0, 0);
        }

        int settled = steps / 5, middle = 3 * steps / 5;
        for (int step = 0; step < settled; step++)
        {
            train();
        }

        long managed = GC.GetTotalMemory(forceFullCollection: true), earlierPeak = 0, laterPeak = 0;
        for (int step = settled; step < steps; step++)
        {
            train();
            if (step < middle)
            {
                earlierPeak = Math.Max(earlierPeak, Environment.WorkingSet);
            }
            else
            {
                laterPeak = Math.Max(laterPeak, Environment.WorkingSet);
            }
        }

        long managedAfter = GC.GetTotalMemory(forceFullCollection: true);
        return new LayerBenchmarkMemory(peak, steps, (laterPeak - earlierPeak) / Megabyte, (managedAfter - managed) / Megabyte);
    }

    /// <summary>Σ over layers and directions of T·B·2·G·H·(I_layer + H).</summary>
    public static double ForwardFlops(LayerBenchmarkOptions o)
    {
        var cell = RecurrentCells.Of(o.Cell);
        int directions = o.Bidirectional ? 2 : 1;
        double total = 0;
        for (int layer = 0; layer < o.NumLayers; layer++)
        {
            int inputSize = layer == 0 ? o.InputSize : directions * o.HiddenSize;
            total += directions * cell.ForwardFlops(o.SequenceLength, o.Batch, o.HiddenSize, inputSize + o.HiddenSize);
        }

        return total;
    }

    private static void Run(RecurrentLayer<float> layer, Tensor<float> input, Tensor<float>? gradOutput)
    {
        using var result = layer.ForwardCore(input, null, null, null, false, null);
        if (gradOutput is not null)
        {
            layer.BackwardCore(result, gradOutput, null, null);
        }
    }

    /// <summary>
    /// The median milliseconds of running the sequence through a <see cref="RecurrentStream{T}"/> one step at a time
    /// (the streaming inference path of a device), after the same warm-up.
    /// </summary>
    private static double StreamMedian(RecurrentLayer<float> layer, Tensor<float> input, LayerBenchmarkOptions options)
    {
        using var stream = new RecurrentStream<float>(layer, options.Batch);
        int stepInputs = options.Batch * options.InputSize;
        var output = new float[options.Batch * layer.StateSize]; // (B, P)
        void Run()
        {
            stream.Reset();
            for (int t = 0; t < options.SequenceLength; t++)
            {
                stream.Step(input.Span.Slice(t * stepInputs, stepInputs), output);
            }
        }

        WarmUp(options, Run);

        return Median(options.Iterations, Run);
    }

    /// <summary>
    /// Runs <paramref name="action"/> <see cref="LayerBenchmarkOptions.Warmup"/> times and then on until
    /// <see cref="LayerBenchmarkOptions.MinimumWarmupSeconds"/> have passed: the runtime compiles a method's optimized
    /// code in the background once it has been called often enough, so the first runs still execute unoptimized code.
    /// </summary>
    private static void WarmUp(LayerBenchmarkOptions options, Action action)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < options.Warmup || Stopwatch.GetElapsedTime(start).TotalSeconds < options.MinimumWarmupSeconds; i++)
        {
            action();
        }
    }

    private static double Median(int iterations, Action action)
    {
        var times = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return iterations % 2 == 1 ? times[iterations / 2] : (times[iterations / 2 - 1] + times[iterations / 2]) / 2;
    }
}
