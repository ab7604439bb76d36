// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, L = layers.
// Tensors are time-major (ONNX layout 0), as PyTorch exports nn.LSTM by default.
using System.Diagnostics;
using System.Globalization;
using Carnet.Layers;
using Carnet.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Carnet.Benchmarks;

/// <summary>
/// One engine's forward pass on the reference shapes, for <c>bench/run_carnet_bench.sh</c> to run beside
/// <c>carnet bench</c>, oneDNN and PyTorch, one process after another (A B C A B C …, so that the machine's drift hits
/// all alike): ONNX Runtime 1.32 (CPU provider, intra-op threads = the thread count) or Carnet's ONNX runtime, on the
/// file Carnet exports from the same seeded stack. Engines never share a process: both keep their worker threads
/// spinning for a while after each run, and measured side by side in one process each slowed the other by up to 2×.
/// For each shape, cell and thread count: a warm-up of at least 1.5 s, then <c>iterations</c> timed runs; prints
/// <c>{"tool":"onnxruntime","shape":"S3","cell":"lstm","threads":2,"forward_ms":…,"runs":…}</c> with the median.
/// Usage: <c>Carnet.Benchmarks peers --engine onnxruntime|carnet_onnx [--shapes S1,S2] [--cells lstm,gru]
/// [--threads 1,2] [--iterations 9]</c>.
/// </summary>
public static class PeerComparison
{
    private const double WarmupSeconds = 1.5;

    /// <summary>Runs the comparison the arguments select and writes the JSON lines to standard output.</summary>
    public static int Run(string[] args)
    {
        var shapes = Option(args, "--shapes", "S1,S2,S3,S4,S5").Split(',').Select(Enum.Parse<LayerShape>).ToArray();
        var cells = Option(args, "--cells", "lstm,gru").Split(',').Select(c => RecurrentCells.Parse(c) ?? throw new ArgumentException($"unknown cell {c}")).ToArray();
        int[] threadCounts = Option(args, "--threads", "1,2").Split(',').Select(int.Parse).ToArray();
        string engine = Option(args, "--engine", "onnxruntime");
        if (engine is not ("onnxruntime" or "carnet_onnx"))
        {
            Console.Error.WriteLine($"peers: --engine is {engine}; expected onnxruntime or carnet_onnx");
            return 2;
        }

        int iterations = int.Parse(Option(args, "--iterations", "9"), CultureInfo.InvariantCulture);
        foreach (var shape in shapes)
        {
            foreach (var cell in cells)
            {
                foreach (int threads in threadCounts)
                {
                    var milliseconds = Measure(engine, shape, cell, threads, iterations);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{{\"tool\":\"{engine}\",\"shape\":\"{shape}\",\"cell\":\"{cell.ToString().ToLowerInvariant()}\",\"threads\":{threads}" +
                        $",\"forward_ms\":{Median(milliseconds):R},\"runs\":{milliseconds.Count}}}"));
                }
            }
        }

        return 0;
    }

    /// <summary>The timed runs of one engine on one cell, in milliseconds.</summary>
    private static List<double> Measure(string engine, LayerShape shape, RecurrentCellKind cell, int threads, int iterations)
    {
        var (inputSize, hidden, layers, batch, steps) = LayerBenchmarks.Dimensions(shape);
        var random = new RandomSource(2026);
        var layer = RecurrentCells.CreateLayer<float>(cell, new RecurrentOptions { InputSize = inputSize, HiddenSize = hidden, NumLayers = layers }, random);
        var input = Tensor<float>.Zeros(steps, batch, inputSize); // (T, B, I)
        random.FillUniform(input.Span, -1, 1);
        byte[] bytes = OnnxExport.Serialize(layer);
        KernelSettings.DefaultMaximumThreads = threads;
        if (engine == "carnet_onnx")
        {
            var model = OnnxModel.Parse(bytes, $"{shape}-{cell}.onnx");
            var feeds = new Dictionary<string, OnnxTensor> { ["input"] = OnnxTensor.FromFloats(input.Span.ToArray(), steps, batch, inputSize) };
            return Time(() => model.Run(feeds), iterations);
        }

        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var session = new InferenceSession(bytes, options);
        using var runOptions = new RunOptions();
        using var runtimeInput = OrtValue.CreateTensorValueFromMemory(input.Span.ToArray(), [steps, batch, inputSize]);
        return Time(
            () =>
            {
                using var outputs = session.Run(runOptions, ["input"], [runtimeInput], ["prediction"]);
            },
            iterations);
    }

    /// <summary>Runs <paramref name="run"/> for at least 1.5 s untimed, then <paramref name="iterations"/> timed runs.</summary>
    private static List<double> Time(Action run, int iterations)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < WarmupSeconds)
        {
            run();
        }

        var times = new List<double>(iterations);
        for (int i = 0; i < iterations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return times;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>The value after <paramref name="name"/> on the command line, or <paramref name="fallback"/>.</summary>
    internal static string Option(string[] args, string name, string fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
