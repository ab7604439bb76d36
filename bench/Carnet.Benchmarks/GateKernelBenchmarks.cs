// Dimension legend: B = batch rows of one step, H = hidden size. LSTM gate rows are (B, 4H) in the order
// i, f, g, o; GRU gate rows are (B, 3H) in the order r, z, n.
using BenchmarkDotNet.Attributes;
using Carnet.Kernels;

namespace Carnet.Benchmarks;

/// <summary>
/// The point-wise part of one time step (no matrix products): <see cref="LstmKernels"/> and
/// <see cref="GruKernels"/> forward and backward, at B = 64 and B = 1 with H = 256.
/// A kernel that updates a buffer in place (the forward gates, the LSTM's dL/dc) first restores it from a
/// pristine copy, so every invocation sees the same realistic values; that copy of at most (B, 4H) floats
/// is included in the time and is small next to the transcendental functions.
/// </summary>
[MemoryDiagnoser]
public class GateKernelBenchmarks
{
    private float[] preActivations = []; // (B, 4H): pre-activations, restored into gates before each forward
    private float[] gates = []; // (B, 4H): LSTM i, f, g, o; the GRU uses its first (B, 3H) as gx
    private float[] activations = []; // (B, 4H): LSTM gate activations as the forward step leaves them
    private float[] gruActivations = []; // (B, 3H): GRU r, z, n as the forward step leaves them
    private float[] hiddenGates = []; // (B, 3H): GRU gh = W_hh·h + b_hh
    private float[] previous = []; // (B, H): c_{t−1} for the LSTM, h_{t−1} for the GRU
    private float[] cell = []; // (B, H): c_t
    private float[] tanhCell = []; // (B, H): tanh(c_t)
    private float[] output = []; // (B, H): h_t
    private float[] dOutput = []; // (B, H): dL/dh_t
    private float[] dCellInitial = []; // (B, H): dL/dc_t from later steps, restored into dCell before each backward
    private float[] dCell = []; // (B, H): dL/dc_t in, dL/dc_{t−1} out
    private float[] dGates = []; // (B, 4H): LSTM dL/d(pre-activations); the GRU uses its first (B, 3H) as dGx
    private float[] dHiddenGates = []; // (B, 3H): GRU dL/d(gh)
    private float[] dPrevious = []; // (B, H): GRU direct part of dL/dh_{t−1}

    /// <summary>B: 64 for a training batch, 1 for streaming.</summary>
    [Params(64, 1)]
    public int Batch { get; set; }

    /// <summary>H.</summary>
    [Params(256)]
    public int Hidden { get; set; }

    /// <summary>Draws inputs and runs each forward step once so the backward steps read real activations.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new RandomSource(7);
        int rows = Batch * Hidden, lstmWidth = Batch * 4 * Hidden, gruWidth = Batch * 3 * Hidden;
        preActivations = new float[lstmWidth];
        gates = new float[lstmWidth];
        activations = new float[lstmWidth];
        gruActivations = new float[gruWidth];
        hiddenGates = new float[gruWidth];
        previous = new float[rows];
        cell = new float[rows];
        tanhCell = new float[rows];
        output = new float[rows];
        dOutput = new float[rows];
        dCellInitial = new float[rows];
        dCell = new float[rows];
        dGates = new float[lstmWidth];
        dHiddenGates = new float[gruWidth];
        dPrevious = new float[rows];
        random.FillUniform<float>(preActivations, -3, 3);
        random.FillUniform<float>(hiddenGates, -3, 3);
        random.FillUniform<float>(previous, -1, 1);
        random.FillUniform<float>(dOutput, -1, 1);
        random.FillUniform<float>(dCellInitial, -1, 1);

        preActivations.CopyTo(activations, 0);
        LstmKernels.Forward<float>(previous, Batch, Hidden, activations, cell, tanhCell, output);
        preActivations.AsSpan(0, gruWidth).CopyTo(gruActivations);
        GruKernels.Forward<float>(hiddenGates, previous, Batch, Hidden, gruActivations, output);
    }

    /// <summary>LSTM forward step: gate nonlinearities, c_t, tanh(c_t), h_t.</summary>
    [Benchmark]
    public float LstmForward()
    {
        preActivations.CopyTo(gates, 0);
        LstmKernels.Forward<float>(previous, Batch, Hidden, gates, cell, tanhCell, output);
        return output[^1];
    }

    /// <summary>LSTM backward step: dL/d(pre-activations) and dL/dc_{t−1}.</summary>
    [Benchmark]
    public float LstmBackward()
    {
        dCellInitial.CopyTo(dCell, 0);
        LstmKernels.Backward<float>(activations, previous, tanhCell, dOutput, Batch, Hidden, dCell, dGates);
        return dGates[^1];
    }

    /// <summary>GRU forward step: r, z, n and h_t.</summary>
    [Benchmark]
    public float GruForward()
    {
        int width = Batch * 3 * Hidden;
        preActivations.AsSpan(0, width).CopyTo(gates);
        GruKernels.Forward<float>(hiddenGates, previous, Batch, Hidden, gates.AsSpan(0, width), output);
        return output[^1];
    }

    /// <summary>GRU backward step: dL/d(gx), dL/d(gh) and the direct part of dL/dh_{t−1}.</summary>
    [Benchmark]
    public float GruBackward()
    {
        int width = Batch * 3 * Hidden;
        GruKernels.Backward<float>(
            gruActivations, hiddenGates, previous, dOutput, Batch, Hidden,
            dGates.AsSpan(0, width), dHiddenGates, dPrevious);
        return dPrevious[^1];
    }
}
