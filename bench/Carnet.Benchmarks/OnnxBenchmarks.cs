// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, L = layers, G = gate blocks.
// Tensors are time-major (ONNX layout 0), as PyTorch exports nn.LSTM by default.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Carnet.Layers;
using Carnet.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Carnet.Benchmarks;

/// <summary>
/// The same ONNX file, a recurrent stack of the reference shapes S1–S5 (one LSTM or GRU node per layer, seeded
/// weights), run forward by Carnet's ONNX runtime (<see cref="OnnxModel.Run"/>, which runs the nodes on Carnet's
/// recurrent layers) and by ONNX Runtime 1.32's CPU provider, on 1 or 2 threads; and the native layer's forward on the
/// same weights, to show what the ONNX path costs. GFLOP/s counts matrix products only, as ANCHORS.md does.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class OnnxBenchmarks
{
    private OnnxModel? carnet;
    private InferenceSession? runtime;
    private RunOptions? runOptions;
    private OrtValue? runtimeInput;
    private RecurrentLayer<float>? native;
    private Tensor<float>? input; // (T, B, I)
    private Dictionary<string, OnnxTensor> feeds = [];

    /// <summary>The reference shape.</summary>
    [Params(LayerShape.S1, LayerShape.S2, LayerShape.S3, LayerShape.S4, LayerShape.S5)]
    public LayerShape Shape { get; set; }

    /// <summary>The cell.</summary>
    [Params(RecurrentCellKind.Lstm, RecurrentCellKind.Gru)]
    public RecurrentCellKind Cell { get; set; }

    /// <summary>Threads each side may use: Carnet's kernel threads, ONNX Runtime's intra-op threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Exports the seeded stack to ONNX bytes once, and loads them into both runtimes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (inputSize, hidden, layers, batch, steps) = LayerBenchmarks.Dimensions(Shape);
        var random = new RandomSource(2026);
        native = RecurrentCells.CreateLayer<float>(Cell, new RecurrentOptions { InputSize = inputSize, HiddenSize = hidden, NumLayers = layers }, random);
        input = Tensor<float>.Zeros(steps, batch, inputSize);
        random.FillUniform(input.Span, -1, 1);
        byte[] bytes = OnnxExport.Serialize(native);
        KernelSettings.DefaultMaximumThreads = Threads;
        carnet = OnnxModel.Parse(bytes, $"{Shape}-{Cell}.onnx");
        feeds = new Dictionary<string, OnnxTensor> { ["input"] = OnnxTensor.FromFloats(input.Span.ToArray(), steps, batch, inputSize) };
        var options = new SessionOptions { IntraOpNumThreads = Threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        runtime = new InferenceSession(bytes, options);
        runOptions = new RunOptions();
        runtimeInput = OrtValue.CreateTensorValueFromMemory(input.Span.ToArray(), [steps, batch, inputSize]);
    }

    /// <summary>Releases ONNX Runtime's session and tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        runtimeInput?.Dispose();
        runOptions?.Dispose();
        runtime?.Dispose();
    }

    /// <summary>Carnet's ONNX runtime: the file's graph, forward.</summary>
    [Benchmark(Baseline = true)]
    public float CarnetOnnx() => carnet!.Run(feeds)["prediction"].Floats[0];

    /// <summary>ONNX Runtime on the same file, forward.</summary>
    [Benchmark]
    public float OnnxRuntime()
    {
        using var outputs = runtime!.Run(runOptions!, ["input"], [runtimeInput!], ["prediction"]);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    /// <summary>The native layer on the same weights, forward (what the ONNX path adds is the difference).</summary>
    [Benchmark]
    public float CarnetNative()
    {
        using var result = native!.ForwardCore(input!, null, null, null, training: false, random: null);
        return result.Output.Span[0];
    }

    /// <summary>Adds the FLOP count and GFLOP/s columns.</summary>
    public sealed class Config : ManualConfig
    {
        /// <summary>Creates the configuration.</summary>
        public Config()
        {
            AddColumn(RateColumn.Flops(FlopsOf, showCount: true), RateColumn.Flops(FlopsOf));
        }

        private static double FlopsOf(BenchmarkCase benchmarkCase)
            => RateColumn.ParameterOf(benchmarkCase, nameof(Shape)) is LayerShape shape && RateColumn.ParameterOf(benchmarkCase, nameof(Cell)) is RecurrentCellKind cell
                ? LayerBenchmarks.ForwardFlops(shape, cell == RecurrentCellKind.Lstm ? 4 : 3)
                : 0;
    }
}
