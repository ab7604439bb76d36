// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, L = layers, G = gate blocks
// (4 for the LSTM, 3 for the GRU). Tensors are time-major (batch-first off), as in ANCHORS.md.
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Carnet.Layers;

namespace Carnet.Benchmarks;

/// <summary>The reference shapes of /work/shared/reference/ANCHORS.md that <see cref="LayerBenchmarks"/> runs.</summary>
public enum LayerShape
{
    /// <summary>Radar / time series: I=2 H=64 L=2 B=32 T=100.</summary>
    S1,

    /// <summary>I=256 H=256 L=1 B=64 T=50.</summary>
    S2,

    /// <summary>I=512 H=512 L=1 B=64 T=50.</summary>
    S3,

    /// <summary>Streaming: I=128 H=256 L=2 B=1 T=100.</summary>
    S4,

    /// <summary>Character language model: I=64 H=512 L=2 B=32 T=128.</summary>
    S5,
}

/// <summary>
/// Whole-layer timings of <see cref="Lstm{T}"/> and <see cref="Gru{T}"/> (float): inference forward, and a
/// training step (zero the gradients, forward, backward with upstream gradients for the output and the
/// final states, so every parameter's gradient is formed). The GFLOP/s column counts matrix products only,
/// as ANCHORS.md does: forward = Σ_layers T·B·2·G·H·(I_l + H); a training step counts 3× forward.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class LayerBenchmarks
{
    private Lstm<float>? lstm;
    private Gru<float>? gru;
    private Tensor<float>? input; // (T, B, I)
    private Tensor<float>? gradOutput; // (T, B, H)
    private Tensor<float>? gradHidden; // (L, B, H)
    private Tensor<float>? gradCell; // (L, B, H)
    private Lstm<float>? lstmInt8; // the same weights, quantised (Quantization.Quantize)
    private RecurrentStream<float>? lstmStream, lstmStreamInt8;
    private float[] streamOutput = []; // (B, H)

    /// <summary>The reference shape.</summary>
    [Params(LayerShape.S1, LayerShape.S4)]
    public LayerShape Shape { get; set; }

    /// <summary>Builds both layers (seeded PyTorch initialisation), the input and the upstream gradients once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (inputSize, hidden, layers, batch, steps) = Dimensions(Shape);
        var random = new RandomSource(2026);
        lstm = new Lstm<float>(inputSize, hidden, layers, random: random);
        gru = new Gru<float>(inputSize, hidden, layers, random: random);
        input = Uniform(random, steps, batch, inputSize);
        gradOutput = Uniform(random, steps, batch, hidden);
        gradHidden = Uniform(random, layers, batch, hidden);
        gradCell = Uniform(random, layers, batch, hidden);
        lstmInt8 = new Lstm<float>(inputSize, hidden, layers, random: new RandomSource(2026));
        Quantization.Quantize([("", lstmInt8)]);
        lstmStream = new RecurrentStream<float>(lstm, batch);
        lstmStreamInt8 = new RecurrentStream<float>(lstm, batch, WeightPrecision.Int8);
        streamOutput = new float[batch * hidden];
    }

    /// <summary>Returns the stream's packed weights.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        lstmStream?.Dispose();
        lstmStreamInt8?.Dispose();
    }

    /// <summary>LSTM inference: forward over the whole sequence, no dropout (the result handed back for reuse).</summary>
    [Benchmark]
    public float LstmForward()
    {
        using var result = lstm!.Forward(input!);
        return result.Output.Span[0];
    }

    /// <summary><see cref="LstmForward"/> with the weights in int8 (<see cref="Quantization.Quantize"/>).</summary>
    [Benchmark]
    public float LstmForwardInt8() => Forward(lstmInt8!, threads: null);

    /// <summary><see cref="LstmForward"/> on one thread.</summary>
    [Benchmark]
    public float LstmForwardOneThread() => Forward(lstm!, threads: 1);

    /// <summary><see cref="LstmForwardInt8"/> on one thread.</summary>
    [Benchmark]
    public float LstmForwardInt8OneThread() => Forward(lstmInt8!, threads: 1);

    /// <summary>
    /// The floor under a float step: every float weight of the LSTM read once per step (a SIMD sum over the flat block),
    /// T times, one thread. A float stream cannot step faster; int8 reads a quarter of the bytes.
    /// </summary>
    [Benchmark]
    public float FloatWeightRead()
    {
        var (_, _, _, _, steps) = Dimensions(Shape);
        using var scope = KernelSettings.Use(maximumThreads: 1);
        float total = 0;
        for (int t = 0; t < steps; t++)
        {
            total += TensorPrimitives.Sum<float>(lstm!.ParameterValues.Span);
        }

        return total;
    }

    private float Forward(Lstm<float> layer, int? threads)
    {
        using var scope = KernelSettings.Use(maximumThreads: threads);
        using var result = layer.Forward(input!);
        return result.Output.Span[0];
    }

    /// <summary>
    /// LSTM streaming inference: the sequence one step at a time through a <see cref="RecurrentStream{T}"/> (the device
    /// path), which allocates nothing per step.
    /// </summary>
    [Benchmark]
    public float LstmStream() => Stream(lstmStream!, threads: null);

    /// <summary><see cref="LstmStream"/> with int8 weights (<see cref="WeightPrecision.Int8"/>): a quarter of the weight bytes read per step.</summary>
    [Benchmark]
    public float LstmStreamInt8() => Stream(lstmStreamInt8!, threads: null);

    /// <summary><see cref="LstmStream"/> on one thread.</summary>
    [Benchmark]
    public float LstmStreamOneThread() => Stream(lstmStream!, threads: 1);

    /// <summary><see cref="LstmStreamInt8"/> on one thread.</summary>
    [Benchmark]
    public float LstmStreamInt8OneThread() => Stream(lstmStreamInt8!, threads: 1);

    private float Stream(RecurrentStream<float> stream, int? threads)
    {
        var (inputSize, _, _, batch, steps) = Dimensions(Shape);
        using var scope = KernelSettings.Use(maximumThreads: threads);
        stream.Reset();
        for (int t = 0; t < steps; t++)
        {
            stream.Step(input!.Span.Slice(t * batch * inputSize, batch * inputSize), streamOutput);
        }

        return streamOutput[0];
    }

    /// <summary>LSTM training step: zero gradients, forward, backward through output, h_n and c_n.</summary>
    [Benchmark]
    public RecurrentGradients<float> LstmTrainingStep()
    {
        lstm!.ZeroGradients();
        using var result = lstm.Forward(input!, training: true);
        return lstm.Backward(result, gradOutput, gradHidden, gradCell);
    }

    /// <summary>GRU inference: forward over the whole sequence, no dropout.</summary>
    [Benchmark]
    public float GruForward()
    {
        using var result = gru!.Forward(input!);
        return result.Output.Span[0];
    }

    /// <summary>GRU training step: zero gradients, forward, backward through output and h_n.</summary>
    [Benchmark]
    public RecurrentGradients<float> GruTrainingStep()
    {
        gru!.ZeroGradients();
        using var result = gru.Forward(input!, training: true);
        return gru.Backward(result, gradOutput, gradHidden);
    }

    /// <summary>(I, H, L, B, T) of a reference shape.</summary>
    public static (int Input, int Hidden, int Layers, int Batch, int Steps) Dimensions(LayerShape shape) => shape switch
    {
        LayerShape.S1 => (2, 64, 2, 32, 100),
        LayerShape.S2 => (256, 256, 1, 64, 50),
        LayerShape.S3 => (512, 512, 1, 64, 50),
        LayerShape.S4 => (128, 256, 2, 1, 100),
        LayerShape.S5 => (64, 512, 2, 32, 128),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "Unknown reference shape."),
    };

    /// <summary>ANCHORS.md's operation count of one forward pass: Σ_layers T·B·2·G·H·(I_l + H).</summary>
    public static double ForwardFlops(LayerShape shape, int gates)
    {
        var (inputSize, hidden, layers, batch, steps) = Dimensions(shape);
        double total = 0;
        for (int l = 0; l < layers; l++)
        {
            int layerInput = l == 0 ? inputSize : hidden;
            total += (double)steps * batch * 2 * gates * hidden * (layerInput + hidden);
        }

        return total;
    }

    private static Tensor<float> Uniform(RandomSource random, params int[] shape)
    {
        var tensor = Tensor<float>.Zeros(shape);
        random.FillUniform(tensor.Span, -1, 1);
        return tensor;
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
        {
            if (RateColumn.ParameterOf(benchmarkCase, nameof(Shape)) is not LayerShape shape)
            {
                return 0;
            }

            string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
            if (method == nameof(FloatWeightRead))
            {
                return 0;
            }

            int gates = method.StartsWith("Lstm", StringComparison.Ordinal) ? 4 : 3; // LstmStream: the forward's count
            double forward = ForwardFlops(shape, gates);
            return method.EndsWith("TrainingStep", StringComparison.Ordinal) ? 3 * forward : forward;
        }
    }
}
