// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, P = size of h
// (projection size, or H), G = gate blocks (LSTM 4, GRU 3, RNN 1), S = row stride of the output buffer
// (P for one direction, 2P when both directions of a bidirectional layer share it).
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// One direction of one recurrent layer over a whole time-major sequence: slices buffers and calls kernels.
/// The input projection of all steps is one matrix product; each step adds one recurrent product for all
/// gates and runs the cell's point-wise kernel. Backward runs the steps in reverse (back-propagation
/// through time) and then forms the weight gradients with one product each over all steps.
/// Variable lengths use an activity mask: at a padded step a row keeps its state, its output is zero and
/// it passes its gradient through unchanged.
/// </summary>
internal static class RecurrentDirection
{
    public static DirectionCache<T> Forward<T>(
        CellSpec spec, DirectionParameters<T> parameters, int steps, int batch, bool reverse,
        ReadOnlySpan<T> input, ReadOnlyMemory<bool> active, ReadOnlySpan<T> initialHidden, ReadOnlySpan<T> initialCell,
        Memory<T> output, int outputStride, Span<T> finalHidden, Span<T> finalCell, BufferPool<T>? pool = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth, rows = steps * batch;
        bool isLstm = spec.Cell.HasCellState, isGru = spec.Cell.SeparatesHiddenGates;
        var cache = new DirectionCache<T>
        {
            // every element is written before it is read, so lent buffers need no clearing
            Gates = Buffers.Rent(pool, rows * width), // (T, B, G·H)
            HiddenGates = isGru ? Buffers.Rent(pool, rows * width) : null, // (T, B, 3H)
            HiddenPrevious = Buffers.Rent(pool, rows * size), // (T, B, P)
            CellPrevious = isLstm ? Buffers.Rent(pool, rows * hidden) : null, // (T, B, H)
            TanhCell = isLstm ? Buffers.Rent(pool, rows * hidden) : null, // (T, B, H)
            Unprojected = spec.HasProjection ? Buffers.Rent(pool, rows * hidden) : null, // (T, B, H)
        };

        // input projection for every step at once: gates (T·B, G·H) = x · W_ihᵀ + biases (the GRU keeps b_hh apart)
        ReadOnlySpan<T> weightIh = parameters.WeightIh.Value.Span;
        ReadOnlySpan<T> biasIh = parameters.BiasIh is null ? default : parameters.BiasIh.Value.Span;
        ReadOnlySpan<T> biasHh = parameters.BiasHh is null ? default : parameters.BiasHh.Value.Span;
        if (!biasIh.IsEmpty)
        {
            Elementwise.BroadcastRows(biasIh, isGru ? default : biasHh, rows, width, cache.Gates);
            if (isGru)
            {
                Elementwise.BroadcastRows(biasHh, default, rows, width, cache.HiddenGates);
            }
        }

        Gemm.MultiplyTransposedB(input, weightIh, rows, width, spec.InputSize, cache.Gates, accumulate: !biasIh.IsEmpty);

        // the weights every step multiplies by, packed once for the whole sequence
        using var recurrentWeights = WeightOperand<T>.Create(true, parameters.WeightHh.Value.Memory, size, size, width); // W_hhᵀ (P, G·H)
        using var projectionWeights = spec.HasProjection ? WeightOperand<T>.Create(true, parameters.WeightHr!.Value.Memory, hidden, hidden, size) : null; // W_hrᵀ (H, P)

        int first = reverse ? steps - 1 : 0;
        initialHidden.CopyTo(cache.HiddenPrevious.AsSpan(first * batch * size, batch * size));
        if (isLstm)
        {
            initialCell.CopyTo(cache.CellPrevious.AsSpan(first * batch * hidden, batch * hidden));
        }

        int threads = KernelSettings.AvailableThreads;
        var loop = new ForwardSteps<T>(
            spec, recurrentWeights, projectionWeights, cache, StepSlicing.Of(spec, batch, recurrentWeights.ColumnAlignment, threads),
            steps, batch, reverse, accumulateHidden: !biasHh.IsEmpty, active, output, outputStride);
        loop.Run(threads);
        loop.FinalHidden.CopyTo(finalHidden);
        if (isLstm)
        {
            loop.FinalCell.CopyTo(finalCell);
        }

        return cache;
    }

    /// <summary>
    /// One time step of one direction, given gates (B, G·H) that already hold the input projection and the input-side
    /// biases (for LSTM and RNN both biases): adds the recurrent product, runs the point-wise kernel and, for an LSTM with
    /// a projection, projects. On exit gates holds the activations, hiddenGates (B, 3H, GRU only) W_hh·h + b_hh,
    /// tanhCell (B, H, LSTM) tanh(c_t), unprojected (B, H, LSTM with projection) o ⊙ tanh(c_t); hNext (B, P) and
    /// cNext (B, H, LSTM) the new state.
    /// </summary>
    public static void Step<T>(CellSpec spec, StepWeights<T> weights, ReadOnlySpan<T> biasHh, scoped in StepBuffers<T> buffers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (spec.Cell.SeparatesHiddenGates && !biasHh.IsEmpty)
        {
            Elementwise.BroadcastRows(biasHh, default, buffers.Rows, spec.GateWidth, buffers.HiddenGates);
        }

        StepUnits(spec, weights, buffers, accumulateHidden: !biasHh.IsEmpty, new UnitRange(0, spec.HiddenSize));
    }

    /// <summary>
    /// <see cref="Step"/> for <paramref name="units"/> only: their columns of
    /// every gate block, of c and (without a projection) of h. The GRU's hiddenGates already hold b_hh when
    /// <paramref name="accumulateHidden"/>. A cut between units must fall on <see cref="WeightOperand{T}.ColumnAlignment"/>;
    /// an LSTM with a projection runs all its units at once.
    /// </summary>
    public static void StepUnits<T>(
        CellSpec spec, StepWeights<T> weights, scoped in StepBuffers<T> buffers, bool accumulateHidden, UnitRange units)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = buffers.Rows, unitStart = units.Start, unitCount = units.Count;
        var (recurrentWeights, projectionWeights) = weights;
        ReadOnlySpan<T> hPrevious = buffers.HiddenPrevious;
        Span<T> gates = buffers.Gates, hiddenGates = buffers.HiddenGates, hNext = buffers.HiddenNext;
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth;
        bool whole = unitStart == 0 && unitCount == hidden;
        var cell = spec.Cell;
        Span<T> sums = cell.SeparatesHiddenGates ? hiddenGates : gates;
        bool accumulate = !cell.SeparatesHiddenGates || accumulateHidden;
        if (whole)
        {
            recurrentWeights.Multiply(hPrevious, batch, sums, width, accumulate);
        }
        else
        {
            Span<int> starts = stackalloc int[spec.GateCount]; // this slice's columns in each gate block
            for (int g = 0; g < starts.Length; g++)
            {
                starts[g] = g * hidden + unitStart;
            }

            recurrentWeights.MultiplyColumns(hPrevious, batch, sums, width, accumulate, starts, unitCount);
        }

        Span<T> r = spec.HasProjection ? buffers.Unprojected : hNext; // what the cell writes: h_t, or r_t before the projection
        var step = new CellForwardStep<T>
        {
            Rows = batch, HiddenSize = hidden, StateSize = size, Relu = spec.Nonlinearity == RnnNonlinearity.Relu,
            Gates = gates, HiddenGates = hiddenGates, HiddenPrevious = hPrevious, CellPrevious = buffers.CellPrevious,
            CellNext = buffers.CellNext, TanhCell = buffers.TanhCell, HiddenNext = r,
        };
        cell.ForwardUnits(step, units);
        projectionWeights?.Multiply(r, batch, hNext, size, accumulate: false);
    }

    /// <summary>
    /// Back-propagation through time for one direction: accumulates the weight gradients, adds dL/dinput into
    /// dInput and writes dL/dh_0, dL/dc_0. When dStates (T, B, P) is given it receives dL/dh_t for every step:
    /// the gradient reaching h_t from the later steps and from output[t] (zero at padded steps).
    /// </summary>
    public static void Backward<T>(
        CellSpec spec, DirectionParameters<T> parameters, int steps, int batch, bool reverse, DirectionCache<T> cache,
        ReadOnlySpan<T> input, ReadOnlyMemory<bool> active,
        ReadOnlyMemory<T> dOutput, int outputStride, ReadOnlySpan<T> dFinalHidden, ReadOnlySpan<T> dFinalCell,
        Span<T> dInput, Span<T> dInitialHidden, Span<T> dInitialCell, Memory<T> dStates = default, BufferPool<T>? pool = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth, rows = steps * batch;
        bool isGru = spec.Cell.SeparatesHiddenGates;
        using var recurrentWeights = WeightOperand<T>.Create(false, parameters.WeightHh.Value.Memory, size, width, size); // W_hh (G·H, P)
        using var projectionWeights = spec.HasProjection ? WeightOperand<T>.Create(false, parameters.WeightHr!.Value.Memory, hidden, size, hidden) : null; // W_hr (P, H)

        var dGatesInput = Buffers.Rent(pool, rows * width); // (T, B, G·H) dL/d(input pre-activations), every element written
        int threads = KernelSettings.AvailableThreads;
        var loop = new BackwardSteps<T>(
            spec, recurrentWeights, projectionWeights, cache, StepSlicing.Of(spec, batch, recurrentWeights.ColumnAlignment, threads),
            steps, batch, reverse, active, dOutput, outputStride,
            dGatesInput, isGru ? Buffers.Rent(pool, rows * width) : dGatesInput, spec.HasProjection ? Buffers.Rent(pool, rows * size) : null,
            dFinalHidden, dFinalCell, dStates);
        loop.Run(threads);
        loop.DInitialHidden.CopyTo(dInitialHidden);
        if (spec.Cell.HasCellState)
        {
            loop.DCell.CopyTo(dInitialCell);
        }

        // weight and input gradients, one product each over all steps
        T[] dGatesHidden = loop.DGatesHidden;
        Gemm.AccumulateTransposedA<T>(dGatesInput, input, width, spec.InputSize, rows, parameters.WeightIh.Gradient.Span);
        Gemm.MultiplyPlain<T>(dGatesInput, parameters.WeightIh.Value.Span, rows, spec.InputSize, width, dInput, accumulate: true);
        Gemm.AccumulateTransposedA<T>(dGatesHidden, cache.HiddenPrevious, width, size, rows, parameters.WeightHh.Gradient.Span);
        if (parameters.BiasIh is not null && parameters.BiasHh is not null)
        {
            Elementwise.AccumulateColumnSums<T>(dGatesInput, rows, width, parameters.BiasIh.Gradient.Span);
            Elementwise.AccumulateColumnSums<T>(dGatesHidden, rows, width, parameters.BiasHh.Gradient.Span);
        }

        if (spec.HasProjection)
        {
            Gemm.AccumulateTransposedA<T>(loop.DHiddenSteps, cache.Unprojected, size, hidden, rows, parameters.WeightHr!.Gradient.Span);
        }

        pool?.Return(dGatesInput);
        if (isGru)
        {
            pool?.Return(dGatesHidden);
        }

        pool?.Return(loop.DHiddenSteps);
    }
}
