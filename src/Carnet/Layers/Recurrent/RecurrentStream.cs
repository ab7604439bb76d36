// Dimension legend: B = streams run together (1 on a device), I = input size, H = hidden size, P = size of h,
// G = gate blocks, L = layers.
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// Streaming inference through a unidirectional recurrent stack, one time step at a time: the state lives here
/// (not in the layer), every buffer is allocated once, the weights are packed once, so a step allocates nothing.
/// It computes exactly what the layer's forward pass computes for the same inputs. Call <see cref="Refresh"/>
/// after the layer's weights change, <see cref="Reset"/> to start a new sequence.
/// </summary>
public sealed class RecurrentStream<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RecurrentLayer<T> layer;
    private readonly int batch;
    private readonly WeightPrecision precision;
    private readonly WeightOperand<T>?[] inputWeights, recurrentWeights, projectionWeights; // per layer
    private readonly T[][] biases; // per layer (G·H): b_ih + b_hh (LSTM, RNN) or b_ih (GRU)
    private readonly Memory<T>[] hidden, cell; // per layer and half (2·L): (B, P) and (B, H), each on its own cache lines
    private readonly Memory<T> gates, hiddenGates, tanhCell, unprojected; // (B, G·H), (B, G·H), (B, H), (B, H): both threads write them
    private readonly T[] stepInput; // (B, I) the input of the step being run
    private StepJob? job; // made by Refresh, with the weights' packing
    private int current; // which half of each state buffer holds the current state

    /// <summary>Prepares a stream of <paramref name="batch"/> parallel sequences (1 for a single stream).</summary>
    public RecurrentStream(RecurrentLayer<T> layer, int batch = 1)
        : this(layer, batch, WeightPrecision.Float)
    {
    }

    /// <summary>
    /// Prepares a stream whose weight products run in <paramref name="precision"/>: with <see cref="WeightPrecision.Int8"/>
    /// every weight matrix (W_ih, W_hh, W_hr) is quantised once, row by row, and the inputs and states at each step;
    /// biases and the cells' point-wise steps stay float. Int8 needs a float layer. A layer whose weights are already int8
    /// (<see cref="Module{T}.IsQuantized"/>) always runs on them.
    /// </summary>
    /// <exception cref="ArgumentException">The layer is bidirectional, or int8 is asked of a double-precision layer.</exception>
    public RecurrentStream(RecurrentLayer<T> layer, int batch, WeightPrecision precision)
    {
        if (precision == WeightPrecision.Int8 && typeof(T) != typeof(float))
        {
            throw new ArgumentException("Int8 weights are quantised from single-precision layers; this layer is double precision.", nameof(layer));
        }

        this.precision = layer.IsQuantized ? WeightPrecision.Int8 : precision;
        if (layer.Options.Bidirectional)
        {
            throw new ArgumentException("A bidirectional layer reads each sequence backwards too, so it cannot run one step at a time.", nameof(layer));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        this.layer = layer;
        this.batch = batch;
        int layers = layer.Options.NumLayers, h = layer.Options.HiddenSize, p = layer.StateSize;
        int width = RecurrentCells.Of(layer.Kind).GateCount * h;
        inputWeights = new WeightOperand<T>?[layers];
        recurrentWeights = new WeightOperand<T>?[layers];
        projectionWeights = new WeightOperand<T>?[layers];
        biases = Enumerable.Range(0, layers).Select(_ => new T[width]).ToArray();
        hidden = Enumerable.Range(0, 2 * layers).Select(_ => CacheLines.Allocate<T>(batch * p)).ToArray();
        cell = Enumerable.Range(0, 2 * layers).Select(_ => CacheLines.Allocate<T>(batch * h)).ToArray();
        gates = CacheLines.Allocate<T>(batch * width);
        hiddenGates = CacheLines.Allocate<T>(batch * width);
        tanhCell = CacheLines.Allocate<T>(batch * h);
        unprojected = CacheLines.Allocate<T>(batch * h);
        stepInput = new T[batch * layer.Options.InputSize];
        Refresh();
    }

    /// <summary>The number of parallel sequences.</summary>
    public int Batch => batch;

    /// <summary>The precision of the weight products.</summary>
    public WeightPrecision Precision => precision;

    /// <summary>Repacks the weights (after training changed them).</summary>
    public void Refresh()
    {
        DisposeOperands();
        for (int l = 0; l < layer.Options.NumLayers; l++)
        {
            var spec = layer.SpecOf(l);
            var parameters = layer.ParametersOf(l, 0);
            inputWeights[l] = WeightOperand<T>.ForRows(parameters.WeightIh, spec.InputSize, spec.GateWidth, precision);
            recurrentWeights[l] = WeightOperand<T>.ForRows(parameters.WeightHh, spec.OutputSize, spec.GateWidth, precision);
            projectionWeights[l] = spec.HasProjection ? WeightOperand<T>.ForRows(parameters.WeightHr!, spec.HiddenSize, spec.OutputSize, precision) : null;
            if (parameters.BiasIh is null)
            {
                biases[l].AsSpan().Clear();
            }
            else
            {
                var second = spec.Cell.SeparatesHiddenGates ? default : parameters.BiasHh!.Value.Span;
                Elementwise.BroadcastRows<T>(parameters.BiasIh.Value.Span, second, 1, spec.GateWidth, biases[l]);
            }
        }

        job = new StepJob(this, UnitSlices.Of(layer.SpecOf(0), batch, recurrentWeights[0]!.ColumnAlignment, Environment.ProcessorCount));
    }

    /// <summary>Sets every state to zero, to start new sequences.</summary>
    public void Reset()
    {
        foreach (var buffer in hidden.Concat(cell))
        {
            buffer.Span.Clear();
        }
    }

    /// <summary>The current h of layer <paramref name="layerIndex"/>: (B, P).</summary>
    public ReadOnlySpan<T> Hidden(int layerIndex) => Hidden(layerIndex, current);

    /// <summary>The current c of layer <paramref name="layerIndex"/> (LSTM): (B, H).</summary>
    public ReadOnlySpan<T> Cell(int layerIndex) => Cell(layerIndex, current);

    /// <summary>One time step: input (B, I) → output (B, P), the top layer's new h. Allocates nothing.</summary>
    public void Step(ReadOnlySpan<T> input, Span<T> output)
    {
        int p = layer.StateSize, h = layer.Options.HiddenSize, next = 1 - current;
        if (input.Length != batch * layer.Options.InputSize || output.Length != batch * p)
        {
            throw new ArgumentException(
                $"A step takes {batch}×{layer.Options.InputSize} input values and writes {batch}×{p} outputs; got {input.Length} and {output.Length}.");
        }

        input.CopyTo(stepInput);
        job!.Run(KernelSettings.AvailableThreads);
        Hidden(layer.Options.NumLayers - 1, next).CopyTo(output);
        current = next;
    }

    /// <summary>Returns the packed weights' buffers to the pool.</summary>
    public void Dispose() => DisposeOperands();

    private Span<T> Hidden(int layerIndex, int half) => hidden[(2 * layerIndex) + half].Span;

    private Span<T> Cell(int layerIndex, int half) => cell[(2 * layerIndex) + half].Span;

    /// <summary>
    /// Units [u0, u0 + n) of layer l for the current step: the input product of their gate columns plus the biases, then
    /// <see cref="RecurrentDirection.StepUnits"/>. Layer l reads the whole new h of layer l − 1.
    /// </summary>
    private void StepLayerUnits(int l, int u0, int n)
    {
        var spec = layer.SpecOf(l);
        var parameters = layer.ParametersOf(l, 0);
        int width = spec.GateWidth, h = spec.HiddenSize, next = 1 - current;
        Span<T> stepGates = gates.Span; // (B, G·H)
        Span<T> stepHiddenGates = hiddenGates.Span; // (B, G·H)
        ReadOnlySpan<T> x = l == 0 ? stepInput : Hidden(l - 1, next);
        var weights = parameters.StepWeights(recurrentWeights[l]!, projectionWeights[l]);
        var buffers = new StepBuffers<T>
        {
            Rows = batch, HiddenPrevious = Hidden(l, current), CellPrevious = Cell(l, current), Gates = stepGates, HiddenGates = stepHiddenGates,
            HiddenBias = parameters.BiasHh is null ? default : parameters.BiasHh.Value.Span,
            TanhCell = tanhCell.Span, Unprojected = unprojected.Span, HiddenNext = Hidden(l, next), CellNext = Cell(l, next),
        };
        if (n == h)
        {
            // one slice: the whole product, so no column range needs to start on a panel
            inputWeights[l]!.MultiplyPlusBias(x, batch, stepGates, biases[l], default);
            RecurrentDirection.Step(spec, weights, buffers);
            return;
        }

        Span<int> starts = stackalloc int[spec.GateCount]; // this slice's columns in each gate block
        for (int g = 0; g < starts.Length; g++)
        {
            starts[g] = g * h + u0;
        }

        inputWeights[l]!.MultiplyColumns(x, batch, stepGates, width, accumulate: false, starts, n, biases[l]); // b_ih (+ b_hh) added
        RecurrentDirection.StepUnits(spec, weights, buffers, new UnitRange(u0, n));
    }

    /// <summary>One step of the whole stack: phase l is layer l, sliced by units as the layers' own time loop is.</summary>
    private sealed class StepJob(RecurrentStream<T> stream, int[] bounds)
        : PhasedJob(stream.layer.Options.NumLayers, bounds.Length - 1)
    {
        protected override void RunSlice(int phase, int slice)
            => stream.StepLayerUnits(phase, bounds[slice], bounds[slice + 1] - bounds[slice]);
    }

    private void DisposeOperands()
    {
        foreach (var operand in inputWeights.Concat(recurrentWeights).Concat(projectionWeights))
        {
            operand?.Dispose();
        }

        Array.Clear(inputWeights);
        Array.Clear(recurrentWeights);
        Array.Clear(projectionWeights);
    }
}
