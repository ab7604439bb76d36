// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, P = size of h
// (projection size, or H), G = gate blocks (LSTM 4, GRU 3, RNN 1), S = row stride of the output buffer.
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>The time extent of one direction's pass: T steps of B rows, run from the last step when reversed.</summary>
internal readonly record struct SequenceExtent(int Steps, int Batch, bool Reverse)
{
    /// <summary>T·B rows of every (T, B, ·) buffer.</summary>
    public int Rows => Steps * Batch;
}

/// <summary>A direction's columns of a (T, B, S) buffer: its values from the direction's first column, and the row stride S.</summary>
internal readonly record struct StridedColumns<T>(Memory<T> Values, int Stride);

/// <summary>Read-only <see cref="StridedColumns{T}"/>.</summary>
internal readonly record struct ReadOnlyStridedColumns<T>(ReadOnlyMemory<T> Values, int Stride);

/// <summary>h (B, P) and, for a cell with a cell state, c (B, H) of one direction; c is empty otherwise.</summary>
internal readonly ref struct StateSpans<T>(Span<T> hidden, Span<T> cell)
{
    /// <summary>h: (B, P).</summary>
    public Span<T> Hidden { get; } = hidden;

    /// <summary>c: (B, H), empty without a cell state.</summary>
    public Span<T> Cell { get; } = cell;
}

/// <summary>
/// One direction of one recurrent layer over a whole time-major sequence: its spec, parameters, extent, activity mask
/// and buffer pool. Slices buffers and calls kernels: the input projection of all steps is one matrix product; each
/// step adds one recurrent product for all gates and runs the cell's point-wise step. Backward runs the steps in
/// reverse (back-propagation through time) and then forms the weight gradients with one product each over all steps.
/// </summary>
internal sealed class DirectionPass<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public DirectionPass(CellSpec spec, DirectionParameters<T> parameters, SequenceExtent extent, ReadOnlyMemory<bool> active = default, BufferPool<T>? pool = null)
    {
        (Spec, Parameters, Extent, Active, Pool) = (spec, parameters, extent, active, pool);
    }

    public CellSpec Spec { get; }

    public DirectionParameters<T> Parameters { get; }

    public SequenceExtent Extent { get; }

    /// <summary>(T, B) which rows are real at each step; empty when unmasked.</summary>
    public ReadOnlyMemory<bool> Active { get; }

    public BufferPool<T>? Pool { get; }

    /// <summary>
    /// Runs the direction over input (T, B, I) from the initial state, writes its columns of output and the final state,
    /// and returns what the backward pass needs.
    /// </summary>
    public DirectionCache<T> Forward(ReadOnlySpan<T> input, StateSpans<T> initial, StridedColumns<T> output, StateSpans<T> final)
    {
        var (spec, parameters, pool) = (Spec, Parameters, Pool);
        var (steps, batch, reverse) = Extent;
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth, rows = steps * batch;
        bool keepsCell = spec.Cell.HasCellState, separateHiddenGates = spec.Cell.SeparatesHiddenGates;
        var cache = new DirectionCache<T>
        {
            // every element is written before it is read, so lent buffers need no clearing
            Gates = Buffers.Rent(pool, rows * width), // (T, B, G·H)
            HiddenGates = separateHiddenGates ? Buffers.Rent(pool, rows * width) : default, // (T, B, 3H)
            HiddenPrevious = Buffers.Rent(pool, rows * size), // (T, B, P)
            CellPrevious = keepsCell ? Buffers.Rent(pool, rows * hidden) : default, // (T, B, H)
            TanhCell = keepsCell ? Buffers.Rent(pool, rows * hidden) : default, // (T, B, H)
            Unprojected = spec.HasProjection ? Buffers.Rent(pool, rows * hidden) : default, // (T, B, H)
        };

        // input projection for every step at once: gates (T·B, G·H) = x · W_ihᵀ + biases (the GRU keeps b_hh apart)
        ReadOnlySpan<T> biasIh = parameters.BiasIh is null ? default : parameters.BiasIh.Value.Span;
        ReadOnlySpan<T> biasHh = parameters.BiasHh is null ? default : parameters.BiasHh.Value.Span;

        // the weights: packed for this pass, or once for every pass of a frozen layer
        using var packedHere = parameters.Frozen is null ? new PackedWeights<T>(spec, parameters) : null;
        var packed = parameters.Frozen ?? packedHere!;
        var (recurrentWeights, projectionWeights) = (packed.Recurrent, packed.Projection);
        if (biasIh.IsEmpty)
        {
            packed.Input.Multiply(input, rows, cache.Gates.Span, width, accumulate: false);
        }
        else
        {
            packed.Input.MultiplyPlusBias(input, rows, cache.Gates.Span, biasIh, separateHiddenGates ? default : biasHh);
        }

        int first = reverse ? steps - 1 : 0;
        initial.Hidden.CopyTo(cache.HiddenPrevious.Span.Slice(first * batch * size, batch * size));
        if (keepsCell)
        {
            initial.Cell.CopyTo(cache.CellPrevious.Span.Slice(first * batch * hidden, batch * hidden));
        }

        int threads = KernelSettings.AvailableThreads;
        var loop = new ForwardSteps<T>(
            this, parameters.StepWeights(recurrentWeights, projectionWeights), cache,
            StepSlicing.Of(spec, batch, recurrentWeights.ColumnAlignment, threads), output,
            separateHiddenGates && parameters.BiasHh is not null ? parameters.BiasHh.Value.Memory : default);
        loop.Run(threads);
        loop.FinalHidden.Span.CopyTo(final.Hidden);
        if (keepsCell)
        {
            loop.FinalCell.Span.CopyTo(final.Cell);
        }

        loop.ReturnBuffers();

        return cache;
    }

    /// <summary>
    /// Back-propagation through time for one direction: accumulates the weight gradients, writes dL/dinput into
    /// dInput (every element: it need not be cleared) and dL/dh_0, dL/dc_0. When dStates (T, B, P) is given it receives dL/dh_t for every step:
    /// the gradient reaching h_t from the later steps and from output[t] (zero at padded steps).
    /// </summary>
    public void Backward(
        DirectionCache<T> cache, ReadOnlySpan<T> input, ReadOnlyStridedColumns<T> dOutput, StateSpans<T> dFinal,
        Span<T> dInput, StateSpans<T> dInitial, Memory<T> dStates = default)
    {
        var (spec, parameters, pool) = (Spec, Parameters, Pool);
        var (steps, batch, _) = Extent;
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth, rows = steps * batch;
        bool separateHiddenGates = spec.Cell.SeparatesHiddenGates;
        using var recurrentWeights = WeightOperand<T>.Create(false, parameters.WeightHh.Value.Memory, size, width, size); // W_hh (G·H, P)
        using var projectionWeights = spec.HasProjection ? WeightOperand<T>.Create(false, parameters.WeightHr!.Value.Memory, hidden, size, hidden) : null; // W_hr (P, H)

        var dGatesInput = Buffers.Rent(pool, rows * width); // (T, B, G·H) dL/d(input pre-activations), every element written
        int threads = KernelSettings.AvailableThreads;
        var gradients = new StepGradients<T>(
            dGatesInput, separateHiddenGates ? Buffers.Rent(pool, rows * width) : dGatesInput, spec.HasProjection ? Buffers.Rent(pool, rows * size) : default);
        var loop = new BackwardSteps<T>(
            this, parameters.StepWeights(recurrentWeights, projectionWeights), cache,
            StepSlicing.Of(spec, batch, recurrentWeights.ColumnAlignment, threads), dOutput, gradients, dFinal, dStates);
        loop.Run(threads);
        loop.DInitialHidden.Span.CopyTo(dInitial.Hidden);
        if (spec.Cell.HasCellState)
        {
            loop.DCell.Span.CopyTo(dInitial.Cell);
        }

        loop.ReturnBuffers();

        // weight and input gradients, one product each over all steps
        var dGatesHidden = loop.DGatesHidden.Span; // (T, B, G·H)
        // dL/dW_ih and dL/dW_hh in one pass over the gate gradients, shared but for the blocks the cell keeps apart
        int sharedRows = separateHiddenGates ? spec.Cell.SharedHiddenGateBlocks * hidden : width;
        Gemm.AccumulateTransposedAPair<T>(
            dGatesInput.Span, dGatesHidden, sharedRows, width, rows, input, spec.InputSize, parameters.WeightIh.Gradient.Span,
            cache.HiddenPrevious.Span, size, parameters.WeightHh.Gradient.Span);
        Gemm.MultiplyPlain<T>(dGatesInput.Span, parameters.WeightIh.Value.Span, rows, spec.InputSize, width, dInput, accumulate: false);
        if (parameters.BiasIh is not null && parameters.BiasHh is not null)
        {
            // the LSTM and the RNN give both biases the same gradient: one read of it for the two
            var (biasIh, biasHh) = (parameters.BiasIh.Gradient.Memory, parameters.BiasHh.Gradient.Memory);
            ColumnSums<T>.Accumulate(dGatesInput, rows, width, biasIh, separateHiddenGates ? default : biasHh, threads);
            if (separateHiddenGates)
            {
                ColumnSums<T>.Accumulate(loop.DGatesHidden, rows, width, biasHh, default, threads);
            }
        }

        if (spec.HasProjection)
        {
            Gemm.AccumulateTransposedA<T>(loop.DHiddenSteps.Span, cache.Unprojected.Span, size, hidden, rows, parameters.WeightHr!.Gradient.Span);
        }

        if (parameters.Peepholes is { } peepholes)
        {
            PeepholeLstmKernels.AccumulatePeepholeGradient<T>(cache.Gates.Span, dGatesInput.Span, cache.CellPrevious.Span, rows, hidden, peepholes.Gradient.Span);
        }

        pool?.Return(dGatesInput);
        if (separateHiddenGates)
        {
            pool?.Return(loop.DGatesHidden);
        }

        pool?.Return(loop.DHiddenSteps);
    }
}

/// <summary>The gradients the backward time loop writes: dL/d input and hidden pre-activations, and dL/dh_t for dW_hr.</summary>
internal sealed record StepGradients<T>(Memory<T> GatesInput, Memory<T> GatesHidden, Memory<T> HiddenSteps); // (T, B, G·H) ×2, (T, B, P) or empty
