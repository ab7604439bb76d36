// Dimension legend: B = batch rows of one step, H = hidden size. LSTM gate rows are (B, 4H) in the order
// i, f, g, o; GRU gate rows are (B, 3H) in the order r, z, n.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Carnet.Kernels;

namespace Carnet.Benchmarks;

/// <summary>
/// The point-wise part of one time step (no matrix products), the scalar reference against the SIMD kernel:
/// <see cref="LstmKernels"/>, <see cref="GruKernels"/> and <see cref="RnnKernels"/> (tanh) forward and backward,
/// at B = 64 and B = 1 with H = 256. Each category pairs the two (the reference is the baseline of its Ratio).
/// A kernel that updates a buffer in place (the forward gates, the LSTM's dL/dc, the RNN's values) first
/// restores it from a pristine copy, so every invocation sees the same realistic values; that copy of at most
/// (B, 4H) floats is included in the time of both. Each pristine buffer and its working copy share one array,
/// 2 KiB apart modulo 4 KiB: with the two as separate arrays, the heap sometimes put them a few bytes more than
/// 4 KiB apart, and then 4K aliasing made the 4 KiB copy of B = 1 take 2–4 µs instead of 0.1 µs.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class GateKernelBenchmarks
{
    private ArraySegment<float> preActivations = []; // (B, 4H): pre-activations, restored into gates before each forward
    private ArraySegment<float> gates = []; // (B, 4H): LSTM i, f, g, o; the GRU uses its first (B, 3H) as gx, the RNN (B, H)
    private float[] activations = []; // (B, 4H): LSTM gate activations as the forward step leaves them
    private float[] gruActivations = []; // (B, 3H): GRU r, z, n as the forward step leaves them
    private float[] hiddenGates = []; // (B, 3H): GRU gh = W_hh·h + b_hh
    private float[] previous = []; // (B, H): c_{t−1} for the LSTM, h_{t−1} for the GRU
    private float[] cell = []; // (B, H): c_t
    private float[] tanhCell = []; // (B, H): tanh(c_t)
    private float[] output = []; // (B, H): h_t
    private float[] rnnOutput = []; // (B, H): the RNN's h_t = tanh(pre-activations)
    private float[] dOutput = []; // (B, H): dL/dh_t
    private ArraySegment<float> dCellInitial = []; // (B, H): dL/dc_t from later steps, restored into dCell before each backward
    private ArraySegment<float> dCell = []; // (B, H): dL/dc_t in, dL/dc_{t−1} out
    private float[] dGates = []; // (B, 4H): LSTM dL/d(pre-activations); the GRU uses its first (B, 3H) as dGx
    private float[] dHiddenGates = []; // (B, 3H): GRU dL/d(gh)
    private float[] dPrevious = []; // (B, H): GRU direct part of dL/dh_{t−1}

    /// <summary>B: 64 for a training batch, 1 for streaming.</summary>
    [Params(64, 1)]
    public int Batch { get; set; }

    /// <summary>H.</summary>
    [Params(256)]
    public int Hidden { get; set; }

    private int LstmWidth => Batch * 4 * Hidden;

    private int GruWidth => Batch * 3 * Hidden;

    private int Rows => Batch * Hidden;

    /// <summary>Draws inputs and runs each forward step once so the backward steps read real activations.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new RandomSource(7);
        (preActivations, gates) = PristineAndWorking(LstmWidth);
        activations = new float[LstmWidth];
        gruActivations = new float[GruWidth];
        hiddenGates = new float[GruWidth];
        previous = new float[Rows];
        cell = new float[Rows];
        tanhCell = new float[Rows];
        output = new float[Rows];
        rnnOutput = new float[Rows];
        dOutput = new float[Rows];
        (dCellInitial, dCell) = PristineAndWorking(Rows);
        dGates = new float[LstmWidth];
        dHiddenGates = new float[GruWidth];
        dPrevious = new float[Rows];
        random.FillUniform<float>(preActivations, -3, 3);
        random.FillUniform<float>(hiddenGates, -3, 3);
        random.FillUniform<float>(previous, -1, 1);
        random.FillUniform<float>(dOutput, -1, 1);
        random.FillUniform<float>(dCellInitial, -1, 1);

        preActivations.AsSpan().CopyTo(activations);
        LstmKernels.ForwardReference<float>(previous, Batch, Hidden, activations, cell, tanhCell, output);
        preActivations.AsSpan(0, GruWidth).CopyTo(gruActivations);
        GruKernels.ForwardReference<float>(hiddenGates, previous, Batch, Hidden, gruActivations, output);
        preActivations.AsSpan(0, Rows).CopyTo(rnnOutput);
        RnnKernels.ForwardReference<float>(false, rnnOutput);
    }

    /// <summary>
    /// A pristine buffer and its working copy of <paramref name="length"/> floats, in one array with the copy
    /// starting 2 KiB (modulo 4 KiB) after the pristine one.
    /// </summary>
    private static (ArraySegment<float> Pristine, ArraySegment<float> Working) PristineAndWorking(int length)
    {
        int gap = 512 + (1024 - length % 1024) % 1024; // floats: length + gap ≡ 512 (mod 1024)
        var block = new float[2 * length + gap];
        return (new ArraySegment<float>(block, 0, length), new ArraySegment<float>(block, length + gap, length));
    }

    /// <summary>LSTM forward step, reference: gate nonlinearities, c_t, tanh(c_t), h_t.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("LstmForward")]
    public float LstmForwardReference()
    {
        preActivations.AsSpan().CopyTo(gates);
        LstmKernels.ForwardReference<float>(previous, Batch, Hidden, gates, cell, tanhCell, output);
        return output[^1];
    }

    /// <summary>LSTM forward step, SIMD.</summary>
    [Benchmark]
    [BenchmarkCategory("LstmForward")]
    public float LstmForwardSimd()
    {
        preActivations.AsSpan().CopyTo(gates);
        LstmKernelsSimd.Forward(previous, Batch, Hidden, gates, cell, tanhCell, output);
        return output[^1];
    }

    /// <summary>LSTM backward step, reference: dL/d(pre-activations) and dL/dc_{t−1}.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("LstmBackward")]
    public float LstmBackwardReference()
    {
        dCellInitial.AsSpan().CopyTo(dCell);
        LstmKernels.BackwardReference<float>(activations, previous, tanhCell, dOutput, Batch, Hidden, dCell, dGates);
        return dGates[^1];
    }

    /// <summary>LSTM backward step, SIMD.</summary>
    [Benchmark]
    [BenchmarkCategory("LstmBackward")]
    public float LstmBackwardSimd()
    {
        dCellInitial.AsSpan().CopyTo(dCell);
        LstmKernelsSimd.Backward(activations, previous, tanhCell, dOutput, Batch, Hidden, dCell, dGates);
        return dGates[^1];
    }

    /// <summary>GRU forward step, reference: r, z, n and h_t.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("GruForward")]
    public float GruForwardReference()
    {
        preActivations.AsSpan(0, GruWidth).CopyTo(gates);
        GruKernels.ForwardReference<float>(hiddenGates, previous, Batch, Hidden, gates.AsSpan(0, GruWidth), output);
        return output[^1];
    }

    /// <summary>GRU forward step, SIMD.</summary>
    [Benchmark]
    [BenchmarkCategory("GruForward")]
    public float GruForwardSimd()
    {
        preActivations.AsSpan(0, GruWidth).CopyTo(gates);
        GruKernelsSimd.Forward(hiddenGates, previous, Batch, Hidden, gates.AsSpan(0, GruWidth), output);
        return output[^1];
    }

    /// <summary>GRU backward step, reference: dL/d(gx), dL/d(gh) and the direct part of dL/dh_{t−1}.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("GruBackward")]
    public float GruBackwardReference()
    {
        GruKernels.BackwardReference<float>(
            gruActivations, hiddenGates, previous, dOutput, Batch, Hidden,
            dGates.AsSpan(0, GruWidth), dHiddenGates, dPrevious);
        return dPrevious[^1];
    }

    /// <summary>GRU backward step, SIMD.</summary>
    [Benchmark]
    [BenchmarkCategory("GruBackward")]
    public float GruBackwardSimd()
    {
        GruKernelsSimd.Backward(
            gruActivations, hiddenGates, previous, dOutput, Batch, Hidden,
            dGates.AsSpan(0, GruWidth), dHiddenGates, dPrevious);
        return dPrevious[^1];
    }

    /// <summary>RNN (tanh) forward step, reference: h_t = tanh(pre-activations) in place.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("RnnForward")]
    public float RnnForwardReference()
    {
        preActivations.AsSpan(0, Rows).CopyTo(gates);
        RnnKernels.ForwardReference<float>(false, gates.AsSpan(0, Rows));
        return gates[Rows - 1];
    }

    /// <summary>RNN (tanh) forward step, SIMD.</summary>
    [Benchmark]
    [BenchmarkCategory("RnnForward")]
    public float RnnForwardSimd()
    {
        preActivations.AsSpan(0, Rows).CopyTo(gates);
        RnnKernelsSimd.Forward(false, gates.AsSpan(0, Rows));
        return gates[Rows - 1];
    }

    /// <summary>RNN (tanh) backward step, reference: dL/d(pre-activations) = dL/dh_t ⊙ (1 − h_t²).</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("RnnBackward")]
    public float RnnBackwardReference()
    {
        RnnKernels.BackwardReference<float>(false, rnnOutput, dOutput, dPrevious);
        return dPrevious[^1];
    }

    /// <summary>RNN (tanh) backward step, SIMD.</summary>
    [Benchmark]
    [BenchmarkCategory("RnnBackward")]
    public float RnnBackwardSimd()
    {
        RnnKernelsSimd.Backward(false, rnnOutput, dOutput, dPrevious);
        return dPrevious[^1];
    }
}
