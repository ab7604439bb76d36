// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, P = size of h (H here),
// G = gate blocks (LSTM 4, GRU 3), rows = T·B.
using System.Diagnostics;
using System.Globalization;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Benchmarks;

/// <summary>
/// Where one direction's training step goes: the first layer of a reference shape, through <c>DirectionPass</c>, with
/// each part of its backward pass timed alone on the same buffers (median milliseconds of the runs in
/// <c>--seconds</c> after a warm-up): the forward pass, the whole step, the products over all steps with their GFLOP/s
/// (the two weight gradients in the one pass the step makes, and each alone; dL/dx), the bias gradients, and what is left
/// of the backward pass (its time loop).
/// Then the forward time loop's recurrent products alone: <c>T</c> steps of h (B, P) · W_hhᵀ, on one thread, by rows
/// and by units on two. One process; for comparing code, alternate processes (<c>bench/ab_bench.sh</c> does it for
/// <c>carnet bench</c>). Usage: <c>Carnet.Benchmarks parts [--shape S3] [--cell lstm] [--threads 2] [--seconds 2]</c>.
/// </summary>
public static class StepParts
{
    /// <summary>Runs the measurement the arguments select and prints one line per part.</summary>
    public static int Run(string[] args)
    {
        string shapeName = PeerComparison.Option(args, "--shape", "S3"), cellName = PeerComparison.Option(args, "--cell", "lstm");
        string threadsText = PeerComparison.Option(args, "--threads", "2"), secondsText = PeerComparison.Option(args, "--seconds", "2");
        var cell = RecurrentCells.Parse(cellName);
        if (!Enum.TryParse<LayerShape>(shapeName, out var shape) || !Enum.IsDefined(shape) || cell is null
            || !int.TryParse(threadsText, CultureInfo.InvariantCulture, out int threads) || threads < 1
            || !double.TryParse(secondsText, CultureInfo.InvariantCulture, out double seconds) || !(seconds > 0))
        {
            Console.Error.WriteLine(
                $"parts: --shape {shapeName} --cell {cellName} --threads {threadsText} --seconds {secondsText}; "
                + "expected a shape S1–S5, a cell (lstm, gru, rnn), threads ≥ 1, seconds > 0");
            return 2;
        }

        var (inputSize, hidden, _, batch, steps) = LayerBenchmarks.Dimensions(shape);
        var random = new RandomSource(1);
        var layer = RecurrentCells.CreateLayer<float>(cell.Value, new RecurrentOptions { InputSize = inputSize, HiddenSize = hidden }, random);
        using var scope = KernelSettings.Use(maximumThreads: threads);
        Console.WriteLine($"{shape} {cell}, first layer, {threads} thread(s), {GemmLayout.Current}");
        TrainingStep(layer, new SequenceExtent(steps, batch, Reverse: false), random, seconds);
        LayerStep(layer, steps, batch, seconds);
        RecurrentProducts(layer, batch, steps, seconds);
        return 0;
    }

    private static void TrainingStep(RecurrentLayer<float> layer, SequenceExtent extent, RandomSource random, double seconds)
    {
        var spec = layer.SpecOf(0);
        var parameters = layer.ParametersOf(0, 0);
        int rows = extent.Rows, width = spec.GateWidth, inputSize = spec.InputSize, size = spec.OutputSize, batch = extent.Batch;
        var input = new float[rows * inputSize]; // (T, B, I)
        var dOutput = new float[rows * size]; // (T, B, P)
        random.FillGaussian<float>(input, 0, 1);
        random.FillGaussian<float>(dOutput, 0, 1);
        var pool = new BufferPool<float>();
        var pass = new DirectionPass<float>(spec, parameters, extent, default, pool);
        var output = new float[rows * size]; // (T, B, P)
        var dInput = new float[rows * inputSize]; // (T, B, I)
        float[] State() => new float[batch * spec.HiddenSize]; // (B, H)
        var (h0, c0, hn, cn, dh0, dc0, dhn, dcn) = (State(), State(), State(), State(), State(), State(), State(), State());
        DirectionCache<float> Forward() => pass.Forward(input, new StateSpans<float>(h0, c0), new StridedColumns<float>(output, size), new StateSpans<float>(hn, cn));
        void Return(DirectionCache<float> cache)
        {
            foreach (var buffer in new[] { cache.Gates, cache.HiddenGates, cache.HiddenPrevious, cache.CellPrevious, cache.TanhCell })
            {
                pool.Return(buffer);
            }
        }

        double forward = Median(() => Return(Forward()), seconds);
        double step = Median(
            () =>
            {
                var cache = Forward();
                pass.Backward(cache, input, new ReadOnlyStridedColumns<float>(dOutput, size), new StateSpans<float>(dhn, dcn), dInput, new StateSpans<float>(dh0, dc0));
                Return(cache);
            },
            seconds);
        var previous = Forward().HiddenPrevious; // (T, B, P)
        var dGates = new float[rows * width]; // (T, B, G·H)
        random.FillGaussian<float>(dGates, 0, 1);
        double inputFlops = 2.0 * rows * width * inputSize, hiddenFlops = 2.0 * rows * width * size;
        double dWeightIh = Median(() => Gemm.AccumulateTransposedA<float>(dGates, input, width, inputSize, rows, parameters.WeightIh.Gradient.Span), seconds);
        var ownGradient = new float[width * inputSize]; // (G·H, I), an array of its own rather than a view into the layer's block
        double dWeightIhAlone = Median(() => Gemm.AccumulateTransposedA<float>(dGates, input, width, inputSize, rows, ownGradient), seconds);
        double dX = Median(() => Gemm.MultiplyPlain<float>(dGates, parameters.WeightIh.Value.Span, rows, inputSize, width, dInput, accumulate: true), seconds);
        double dWeightHh = Median(() => Gemm.AccumulateTransposedA<float>(dGates, previous.Span, width, size, rows, parameters.WeightHh.Gradient.Span), seconds);
        double dWeights = WeightGradients(spec, parameters, dGates, input, previous, rows, seconds);
        var (biasIh, biasHh) = (parameters.BiasIh!.Gradient.Memory, parameters.BiasHh!.Gradient.Memory);
        double biases = Median(
            () =>
            {
                ColumnSums<float>.Accumulate(dGates, rows, width, biasIh, spec.Cell.SeparatesHiddenGates ? default : biasHh, KernelSettings.AvailableThreads);
                if (spec.Cell.SeparatesHiddenGates)
                {
                    ColumnSums<float>.Accumulate(dGates, rows, width, biasHh, default, KernelSettings.AvailableThreads);
                }
            },
            seconds);
        Print("forward", forward);
        Print("training step", step);
        Print("  dL/dW_ih and dL/dW_hh in one pass (the step's)", dWeights, inputFlops + hiddenFlops);
        Print("    dL/dW_ih alone", dWeightIh, inputFlops);
        Print("    dL/dW_ih alone, into an array of its own", dWeightIhAlone, inputFlops);
        Print("    dL/dW_hh alone", dWeightHh, hiddenFlops);
        Print("  dL/dx over all steps", dX, inputFlops);
        Print("  bias gradients", biases);
        Print("  the rest of backward (its time loop)", step - forward - dWeights - dX - biases);
    }

    /// <summary>Both weight gradients over all steps as the step computes them: one pass, the GRU's n block from gate gradients of its own.</summary>
    private static double WeightGradients(
        CellSpec spec, DirectionParameters<float> parameters, float[] dGates, float[] input, Memory<float> previous, int rows, double seconds)
    {
        int width = spec.GateWidth;
        float[] dGatesHidden = spec.Cell.SeparatesHiddenGates ? (float[])dGates.Clone() : dGates; // (T, B, G·H): another matrix for the GRU
        int sharedRows = spec.Cell.SeparatesHiddenGates ? width - spec.HiddenSize : width;
        return Median(
            () => Gemm.AccumulateTransposedAPair<float>(
                dGates, dGatesHidden, sharedRows, width, rows, input, spec.InputSize, parameters.WeightIh.Gradient.Span,
                previous.Span, spec.OutputSize, parameters.WeightHh.Gradient.Span),
            seconds);
    }

    /// <summary>The layer's own training step, as <c>carnet bench</c> times it: gradients zeroed, forward and backward, outputs lent.</summary>
    private static void LayerStep(RecurrentLayer<float> layer, int steps, int batch, double seconds)
    {
        layer.LendsOutputs = true;
        var input = Tensor<float>.Zeros(steps, batch, layer.Options.InputSize); // (T, B, I)
        var gradOutput = Tensor<float>.Zeros(steps, batch, layer.OutputSize); // (T, B, P)
        var random = new RandomSource(4);
        random.FillGaussian(input.Span, 0, 1);
        random.FillGaussian(gradOutput.Span, 0, 1);
        Print("the layer's training step (carnet bench's)", Median(
            () =>
            {
                layer.ZeroGradients();
                using var result = layer.ForwardCore(input, null, null, null, false, null);
                layer.BackwardCore(result, gradOutput, null, null);
            },
            seconds));
        Print("  of which zeroing the gradients", Median(layer.ZeroGradients, seconds));
    }

    /// <summary>T steps of the forward loop's recurrent product alone: one thread, then two by rows and two by units.</summary>
    private static void RecurrentProducts(RecurrentLayer<float> layer, int batch, int steps, double seconds)
    {
        var spec = layer.SpecOf(0);
        using var weights = new PackedWeights<float>(spec, layer.ParametersOf(0, 0));
        var hiddenState = new float[batch * spec.OutputSize]; // (B, P)
        var gates = new float[batch * spec.GateWidth]; // (B, G·H)
        new RandomSource(3).FillGaussian<float>(hiddenState, 0, 1);
        double flops = 2.0 * batch * spec.OutputSize * spec.GateWidth * steps;
        int threads = KernelSettings.AvailableThreads;
        using (KernelSettings.Use(maximumThreads: 1))
        {
            Print($"recurrent products, {steps} steps, 1 thread", Median(() => RecurrentJob.Alone(weights.Recurrent, hiddenState, batch, gates, steps), seconds), flops);
        }

        if (threads < 2 || batch < 2)
        {
            return;
        }

        var byRows = new RecurrentJob(spec, weights.Recurrent, hiddenState, gates, steps, [0, batch / 2, batch], null);
        var byUnits = new RecurrentJob(spec, weights.Recurrent, hiddenState, gates, steps, null, UnitSlices.Of(spec, batch, weights.Recurrent.ColumnAlignment, 2));
        Print($"recurrent products, {steps} steps, 2 threads by rows", Median(() => byRows.Run(2), seconds), flops);
        Print($"recurrent products, {steps} steps, 2 threads by units", Median(() => byUnits.Run(2), seconds), flops);
    }

    private static void Print(string part, double milliseconds, double flops = 0)
        => Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"{part,-50} {milliseconds,8:F2} ms{(flops > 0 ? $"  {flops / milliseconds / 1e6,6:F1} GFLOP/s" : "")}"));

    private static double Median(Action action, double seconds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < Math.Min(1, seconds / 2))
        {
            action();
        }

        var times = new List<double>();
        clock.Restart();
        while (clock.Elapsed.TotalSeconds < seconds || times.Count < 3)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>T recurrent products as the time loop runs them: each phase one step, each slice a range of rows or of units.</summary>
    private sealed class RecurrentJob(CellSpec spec, WeightOperand<float> weights, float[] hiddenState, float[] gates, int steps, int[]? rows, int[]? units)
        : PhasedJob(rows is null ? steps : 1, (rows ?? units!).Length - 1)
    {
        public static void Alone(WeightOperand<float> weights, float[] hiddenState, int batch, float[] gates, int steps)
        {
            for (int s = 0; s < steps; s++)
            {
                weights.Multiply(hiddenState, batch, gates, gates.Length / batch, accumulate: false);
            }
        }

        protected override void RunSlice(int phase, int slice)
        {
            int width = spec.GateWidth, size = spec.OutputSize;
            if (rows is not null)
            {
                int b0 = rows[slice], count = rows[slice + 1] - b0;
                for (int s = 0; s < steps; s++)
                {
                    weights.Multiply(hiddenState.AsSpan(b0 * size, count * size), count, gates.AsSpan(b0 * width), width, accumulate: false);
                }

                return;
            }

            int u0 = units![slice], n = units[slice + 1] - u0;
            Span<int> starts = stackalloc int[spec.GateCount];
            for (int g = 0; g < starts.Length; g++)
            {
                starts[g] = (g * spec.HiddenSize) + u0;
            }

            weights.MultiplyColumns(hiddenState, hiddenState.Length / size, gates, width, accumulate: false, starts, n);
        }
    }
}
