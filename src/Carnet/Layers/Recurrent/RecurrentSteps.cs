// Dimension legend: T = time steps, B = batch, H = hidden size, P = size of h (projection size, or H),
// G = gate blocks (LSTM 4, GRU 3, RNN 1), S = row stride of the output buffer, [u0, u0 + n) = one slice of units.
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// How the threads share one direction's time loop. With enough rows per thread (<see cref="RowSlices"/>) and a
/// recurrent matrix small enough to read twice per step, each takes a range of batch rows and runs the whole loop on
/// them alone: rows never read one another, so the threads never meet. Otherwise each takes a range of hidden units
/// at every step (<see cref="UnitSlices"/>), reading only its units' part of W_hh, and they meet once per forward
/// step, twice per backward step. Measured on 2 cores (2026-11-22, Zen 3): by rows, S1's forward went from 7.4–9.6 ms
/// to 5.8–6.9 and S2's GRU from 26–27 to 22–24. On the Zen 5 of 2026-12-06 (docs/PERFORMANCE.md), rows also won with
/// a 4 MiB W_hh (S3, S5: forward 0.89–0.98 of the time by units, training 0.92–0.97), were level at 9 MiB (H = 768)
/// and lost at 16 MiB (H = 1024: forward 1.13–1.22, training 1.12–1.13).
/// </summary>
internal readonly record struct StepSlicing(int[] Rows, int[] Units)
{
    /// <summary>Below this many batch rows per thread, the units are cut instead of the rows.</summary>
    private const int MinimumRowsPerThread = 8;

    /// <summary>Above this many elements of W_hh (P·G·H: 8 MiB of float), the units are cut instead of the rows.</summary>
    private const int MaximumWeightsByRows = 1 << 21;

    /// <summary>Whether each slice is a range of rows running every step (else a range of units at one step).</summary>
    public bool ByRows => Rows.Length > 2;

    /// <summary>Slices of one phase.</summary>
    public int Slices => ByRows ? Rows.Length - 1 : Units.Length - 1;

    /// <summary>The slicing for this direction, batch and thread count.</summary>
    public static StepSlicing Of(CellSpec spec, int batch, int alignment, int threads)
    {
        int[] rows = (long)spec.OutputSize * spec.GateWidth <= MaximumWeightsByRows ? RowSlices(batch, threads) : [0, batch];
        return rows.Length > 2 ? new StepSlicing(rows, [0, spec.HiddenSize]) : new StepSlicing(rows, UnitSlices.Of(spec, batch, alignment, threads));
    }

    /// <summary>Row boundaries (threads + 1 of them, from 0 to B), or [0, B] when a thread would get fewer than 8 rows.</summary>
    public static int[] RowSlices(int batch, int threads)
    {
        int slices = Math.Min(threads, batch / MinimumRowsPerThread);
        if (slices < 2)
        {
            return [0, batch];
        }

        var bounds = new int[slices + 1];
        for (int s = 0; s <= slices; s++)
        {
            bounds[s] = batch * s / slices;
        }

        return bounds;
    }
}

/// <summary>
/// How the H units of one direction are cut into slices that threads run side by side at every step. A slice owns
/// its units' columns in each gate block of the recurrent product, their point-wise gates and their columns of h, so
/// the threads meet once per forward step (twice per backward step). Slices start on whole packed panels, and each
/// element's arithmetic is the same whatever the cut, so the thread count never changes a bit.
/// </summary>
internal static class UnitSlices
{
    /// <summary>Below this many floating-point operations per step (2·B·P·G·H, B counted as at least 8), one slice.</summary>
    private const double MinimumFlopsPerStep = 1.5e5;

    /// <summary>Slice boundaries (slices + 1 of them, from 0 to H) for this direction, batch and thread count.</summary>
    public static int[] Of(CellSpec spec, int batch, int alignment, int threads)
    {
        int hidden = spec.HiddenSize;
        double flops = 2.0 * Math.Max(batch, 8) * spec.OutputSize * spec.GateWidth;
        if (threads < 2 || spec.HasProjection || hidden % alignment != 0 || flops < MinimumFlopsPerStep)
        {
            return [0, hidden];
        }

        int panels = hidden / alignment, slices = Math.Min(threads, panels);
        var bounds = new int[slices + 1];
        for (int s = 0; s <= slices; s++)
        {
            bounds[s] = panels * s / slices * alignment;
        }

        return bounds;
    }
}

/// <summary>
/// The forward time loop of one direction as a <see cref="PhasedJob"/>, sliced as <see cref="StepSlicing"/> says: by
/// rows, one phase whose slice k runs every step on rows [Rows[k], Rows[k+1]); by units, phase s is step s (in the
/// direction's order) and slice k its units [Units[k], Units[k+1]). The buffers are the direction's cache; the last step
/// writes the final state into <see cref="FinalHidden"/> and <see cref="FinalCell"/>.
/// </summary>
internal sealed class ForwardSteps<T> : PhasedJob where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CellSpec spec;
    private readonly StepWeights<T> weights;
    private readonly DirectionCache<T> cache;
    private readonly StepSlicing slicing;
    private readonly int steps, batch, outputStride;
    private readonly bool reverse;
    private readonly ReadOnlyMemory<T> hiddenBias; // (3H) b_hh of a GRU, else empty
    private readonly ReadOnlyMemory<bool> active; // (T, B), empty when unmasked
    private readonly Memory<T> output; // (T, B, S) from this direction's first column
    private readonly BufferPool<T>? pool; // where the final state's buffers come from and go back to (ReturnBuffers)

    public ForwardSteps(
        DirectionPass<T> pass, StepWeights<T> weights, DirectionCache<T> cache, StepSlicing slicing, StridedColumns<T> output, ReadOnlyMemory<T> hiddenBias)
        : base(slicing.ByRows ? 1 : pass.Extent.Steps, slicing.Slices)
    {
        (spec, this.weights, this.cache, this.slicing) = (pass.Spec, weights, cache, slicing);
        ((steps, batch, reverse), this.hiddenBias) = (pass.Extent, hiddenBias);
        (active, (this.output, outputStride)) = (pass.Active, output);
        pool = pass.Pool;
        FinalHidden = Buffers.Rent(pool, batch * spec.OutputSize, clear: true);
        FinalCell = spec.Cell.HasCellState ? Buffers.Rent(pool, batch * spec.HiddenSize, clear: true) : default;
    }

    /// <summary>h after the last step: (B, P).</summary>
    public Memory<T> FinalHidden { get; }

    /// <summary>c after the last step (LSTM): (B, H).</summary>
    public Memory<T> FinalCell { get; }

    /// <summary>Gives the final state's buffers back to the pass's pool, once they have been read.</summary>
    public void ReturnBuffers()
    {
        pool?.Return(FinalHidden);
        pool?.Return(FinalCell);
    }

    protected override void RunSlice(int phase, int slice)
    {
        if (!slicing.ByRows)
        {
            Step(phase, 0, batch, slicing.Units[slice], slicing.Units[slice + 1] - slicing.Units[slice]);
            return;
        }

        for (int s = 0; s < steps; s++)
        {
            Step(s, slicing.Rows[slice], slicing.Rows[slice + 1] - slicing.Rows[slice], 0, spec.HiddenSize);
        }
    }

    /// <summary>Step s (in the direction's order) for rows [b0, b0 + rows) and units [u0, u0 + n).</summary>
    private void Step(int s, int b0, int rows, int u0, int n)
    {
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth;
        int t = reverse ? steps - 1 - s : s, next = reverse ? t - 1 : t + 1;
        bool last = s == steps - 1, keepsCell = spec.Cell.HasCellState;
        int h0 = spec.HasProjection ? 0 : u0, hn = spec.HasProjection ? size : n; // this slice's columns of h
        int at = t * batch + b0, after = next * batch + b0; // the first row of this slice at step t and at the next step

        ReadOnlySpan<T> hPrevious = cache.HiddenPrevious.Span.Slice(at * size, rows * size); // (rows, P)
        Span<T> hNext = last ? FinalHidden.Span.Slice(b0 * size, rows * size) : cache.HiddenPrevious.Span.Slice(after * size, rows * size); // (rows, P)
        ReadOnlySpan<T> cPrevious = keepsCell ? cache.CellPrevious.Span.Slice(at * hidden, rows * hidden) : default; // (rows, H)
        Span<T> cNext = !keepsCell ? default : last ? FinalCell.Span.Slice(b0 * hidden, rows * hidden) : cache.CellPrevious.Span.Slice(after * hidden, rows * hidden);
        var buffers = new StepBuffers<T>
        {
            Rows = rows, HiddenPrevious = hPrevious, CellPrevious = cPrevious,
            Gates = cache.Gates.Span.Slice(at * width, rows * width),
            HiddenGates = spec.Cell.SeparatesHiddenGates ? cache.HiddenGates.Span.Slice(at * width, rows * width) : default,
            HiddenBias = hiddenBias.Span,
            TanhCell = keepsCell ? cache.TanhCell.Span.Slice(at * hidden, rows * hidden) : default,
            Unprojected = spec.HasProjection ? cache.Unprojected.Span.Slice(at * hidden, rows * hidden) : default,
            HiddenNext = hNext, CellNext = cNext,
        };
        RecurrentDirection.StepUnits(spec, weights, buffers, new UnitRange(u0, n));

        // padded rows keep their state and output zero
        Span<T> outputNow = output.Span[(at * outputStride)..];
        if (!active.IsEmpty)
        {
            ReadOnlySpan<bool> activeNow = active.Span.Slice(at, rows);
            if (keepsCell)
            {
                SequenceKernels.CopyInactiveColumns(activeNow, cPrevious, hidden, u0, n, cNext);
            }

            SequenceKernels.CopyInactiveColumns(activeNow, hPrevious, size, h0, hn, hNext);
            Elementwise.CopyRows<T>(hNext[h0..], size, rows, hn, outputNow[h0..], outputStride);
            SequenceKernels.ZeroInactiveRows(activeNow, hn, outputNow[h0..], outputStride);
        }
        else
        {
            Elementwise.CopyRows<T>(hNext[h0..], size, rows, hn, outputNow[h0..], outputStride);
        }
    }
}

/// <summary>
/// The backward time loop of one direction as a <see cref="PhasedJob"/>, sliced as <see cref="StepSlicing"/> says. By
/// rows, one phase: slice k runs every step, from the last, on its rows alone. By units, step s (from the last) is
/// phases 2s and 2s + 1: in the first, each slice runs its units' point-wise backward (dL/d gates, dL/dc); in the
/// second, its columns of dL/dh_{t−1} = dgates · W_hh, which need every unit's gates.
/// </summary>
internal sealed class BackwardSteps<T> : PhasedJob where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CellSpec spec;
    private readonly WeightOperand<T> recurrentWeights; // W_hh (G·H, P)
    private readonly WeightOperand<T>? projectionWeights; // W_hr (P, H)
    private readonly ReadOnlyMemory<T> peepholes; // (3H) peephole LSTM, else empty
    private readonly DirectionCache<T> cache;
    private readonly StepSlicing slicing;
    private readonly int steps, batch, outputStride;
    private readonly bool reverse;
    private readonly ReadOnlyMemory<bool> active; // (T, B)
    private readonly ReadOnlyMemory<T> dOutput; // (T, B, S)
    private readonly Memory<T> dStates; // (T, B, P) or empty
    private readonly BufferPool<T>? pool; // where the work buffers below come from and go back to (ReturnBuffers)
    private readonly Memory<T>[] dHidden; // 2 × (B, P): dL/dh after and before the current step, by turns
    private readonly Memory<T> dStep; // (B, P) dL/dh_t at this step: carried + from the output
    private readonly Memory<T> dCellCarry; // (B, H) LSTM with padding: dL/dc_t kept for the padded rows
    private readonly Memory<T> dUnprojected; // (B, H) LSTM with projection

    public BackwardSteps(
        DirectionPass<T> pass, StepWeights<T> weights, DirectionCache<T> cache, StepSlicing slicing,
        ReadOnlyStridedColumns<T> dOutput, StepGradients<T> gradients, StateSpans<T> dFinal, Memory<T> dStates)
        : base(slicing.ByRows ? 1 : 2 * pass.Extent.Steps, slicing.Slices)
    {
        (spec, (recurrentWeights, projectionWeights, peepholes), this.cache, this.slicing) = (pass.Spec, weights, cache, slicing);
        ((steps, batch, reverse), active, (this.dOutput, outputStride), this.dStates) = (pass.Extent, pass.Active, dOutput, dStates);
        (DGatesInput, DGatesHidden, DHiddenSteps) = (gradients.GatesInput, gradients.GatesHidden, gradients.HiddenSteps);
        ReadOnlySpan<T> dFinalHidden = dFinal.Hidden, dFinalCell = dFinal.Cell;
        bool keepsCell = spec.Cell.HasCellState;
        int size = spec.OutputSize, hidden = spec.HiddenSize;
        pool = pass.Pool;
        Memory<T> Rent(int length) => Buffers.Rent(pool, length, clear: true);
        dHidden = [Rent(batch * size), Rent(batch * size)];
        dFinalHidden.CopyTo(dHidden[0].Span);
        dStep = Rent(batch * size);
        DCell = keepsCell ? Rent(batch * hidden) : default;
        if (keepsCell)
        {
            dFinalCell.CopyTo(DCell.Span);
        }

        dCellCarry = keepsCell && !active.IsEmpty ? Rent(batch * hidden) : default;
        dUnprojected = spec.HasProjection ? Rent(batch * hidden) : default;
    }

    /// <summary>(T, B, G·H) dL/d(input pre-activations).</summary>
    public Memory<T> DGatesInput { get; }

    /// <summary>(T, B, G·H) dL/d(hidden pre-activations): the same buffer except for the GRU.</summary>
    public Memory<T> DGatesHidden { get; }

    /// <summary>(T, B, P) dL/dh_t, kept for dW_hr (LSTM with projection); empty otherwise.</summary>
    public Memory<T> DHiddenSteps { get; }

    /// <summary>dL/dh_0 once the job has run: (B, P).</summary>
    public Memory<T> DInitialHidden => dHidden[steps & 1];

    /// <summary>dL/dc after the current step; dL/dc_0 once the job has run (LSTM): (B, H).</summary>
    public Memory<T> DCell { get; }

    /// <summary>Gives the work buffers back to the pass's pool, once <see cref="DInitialHidden"/> and <see cref="DCell"/> have been read.</summary>
    public void ReturnBuffers()
    {
        if (pool is null)
        {
            return;
        }

        pool.Return(dHidden[0]);
        pool.Return(dHidden[1]);
        pool.Return(dStep);
        pool.Return(DCell);
        pool.Return(dCellCarry);
        pool.Return(dUnprojected);
    }

    protected override void RunSlice(int phase, int slice)
    {
        int size = spec.OutputSize;
        if (!slicing.ByRows)
        {
            int u0 = slicing.Units[slice], n = slicing.Units[slice + 1] - u0;
            if ((phase & 1) == 0)
            {
                BackThroughGates(phase >> 1, 0, batch, u0, n);
            }
            else
            {
                BackThroughRecurrence(phase >> 1, 0, batch, spec.HasProjection ? 0 : u0, spec.HasProjection ? size : n);
            }

            return;
        }

        int b0 = slicing.Rows[slice], rows = slicing.Rows[slice + 1] - b0;
        for (int q = 0; q < steps; q++)
        {
            BackThroughGates(q, b0, rows, 0, spec.HiddenSize);
            BackThroughRecurrence(q, b0, rows, 0, size);
        }
    }

    /// <summary>The step q-th from the last, rows [b0, b0 + rows), units [u0, u0 + n): dL/dh_t, then the point-wise backward.</summary>
    private void BackThroughGates(int q, int b0, int rows, int u0, int n)
    {
        int s = steps - 1 - q, t = reverse ? steps - 1 - s : s, at = t * batch + b0; // the slice's first row at step t
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth;
        int h0 = spec.HasProjection ? 0 : u0, hn = spec.HasProjection ? size : n; // this slice's columns of h
        ReadOnlySpan<bool> activeNow = active.IsEmpty ? default : active.Span.Slice(at, rows);
        Span<T> dAfter = dHidden[q & 1].Span.Slice(b0 * size, rows * size), dBefore = dHidden[(q + 1) & 1].Span.Slice(b0 * size, rows * size); // (rows, P)
        Span<T> dGates = DGatesInput.Span.Slice(at * width, rows * width); // (rows, G·H)
        Span<T> dNow = dStep.Span.Slice(b0 * size, rows * size); // (rows, P)

        // the gradient reaching h_t: from the following step (or h_n) and from output[t]
        Elementwise.CopyRows<T>(dAfter[h0..], size, rows, hn, dNow[h0..], size);
        Elementwise.AddRows(dOutput.Span[(at * outputStride + h0)..], outputStride, rows, hn, dNow[h0..], size);
        if (!activeNow.IsEmpty)
        {
            SequenceKernels.ZeroInactiveRows(activeNow, hn, dNow[h0..], size);
        }

        if (!dStates.IsEmpty)
        {
            Elementwise.CopyRows<T>(dNow[h0..], size, rows, hn, dStates.Span[(at * size + h0)..], size); // dL/dh_t
        }

        var step = new CellBackwardStep<T>
        {
            Rows = rows, HiddenSize = hidden, Relu = spec.Relu,
            Gates = cache.Gates.Span.Slice(at * width, rows * width), DHidden = dNow, DGates = dGates,
        };
        if (spec.Cell.SeparatesHiddenGates)
        {
            step.HiddenGates = cache.HiddenGates.Span.Slice(at * width, rows * width);
            step.HiddenPrevious = cache.HiddenPrevious.Span.Slice(at * size, rows * size);
            step.DGatesHidden = DGatesHidden.Span.Slice(at * width, rows * width);
            step.DHiddenBefore = dBefore;
        }

        if (spec.Cell.HasCellState)
        {
            BackThroughCell(ref step, at, b0, activeNow, new UnitRange(u0, n));
            return;
        }

        spec.Cell.BackwardUnits(step, new UnitRange(u0, n));
    }

    /// <summary>
    /// A cell with a cell state (LSTM): back through the projection when there is one, then the point-wise backward,
    /// keeping dL/dc of padded rows as it was.
    /// </summary>
    private void BackThroughCell(ref CellBackwardStep<T> step, int at, int b0, ReadOnlySpan<bool> activeNow, UnitRange units)
    {
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth, rows = step.Rows, u0 = units.Start, n = units.Count;
        Span<T> dCell = DCell.Span.Slice(b0 * hidden, rows * hidden); // (rows, H)
        if (spec.HasProjection)
        {
            // back through the projection h_t = W_hr · r_t (all of h in this slice)
            Span<T> dUnprojectedNow = dUnprojected.Span.Slice(b0 * hidden, rows * hidden);
            step.DHidden.CopyTo(DHiddenSteps.Span.Slice(at * size, rows * size));
            projectionWeights!.Multiply(step.DHidden, rows, dUnprojectedNow, hidden, accumulate: false);
            step.DHidden = dUnprojectedNow;
        }

        Span<T> dCellCarried = activeNow.IsEmpty ? default : dCellCarry.Span.Slice(b0 * hidden, rows * hidden);
        if (!activeNow.IsEmpty)
        {
            Elementwise.CopyRows<T>(dCell[u0..], hidden, rows, n, dCellCarried[u0..], hidden);
        }

        step.CellPrevious = cache.CellPrevious.Span.Slice(at * hidden, rows * hidden);
        step.TanhCell = cache.TanhCell.Span.Slice(at * hidden, rows * hidden);
        step.Peepholes = peepholes.Span;
        step.DCell = dCell;
        spec.Cell.BackwardUnits(step, units);
        if (!activeNow.IsEmpty)
        {
            for (int g = 0; g < spec.GateCount; g++)
            {
                SequenceKernels.ZeroInactiveRows(activeNow, n, step.DGates[(g * hidden + u0)..], width);
            }

            SequenceKernels.CopyInactiveColumns<T>(activeNow, dCellCarried, hidden, u0, n, dCell);
        }
    }

    /// <summary>
    /// The step q-th from the last, rows [b0, b0 + rows), columns [h0, h0 + hn) of dL/dh_{t−1}: back through
    /// W_hh · h_{t−1}; padded rows pass dL/dh through.
    /// </summary>
    private void BackThroughRecurrence(int q, int b0, int rows, int h0, int hn)
    {
        int s = steps - 1 - q, t = reverse ? steps - 1 - s : s, at = t * batch + b0;
        int size = spec.OutputSize, width = spec.GateWidth;
        Span<T> dBefore = dHidden[(q + 1) & 1].Span.Slice(b0 * size, rows * size); // (rows, P)
        if (spec.Cell.SeparatesHiddenGates)
        {
            // the point-wise phase wrote the direct part z ⊙ dL/dh_t
            recurrentWeights.MultiplyColumns(DGatesHidden.Span.Slice(at * width, rows * width), rows, dBefore, size, accumulate: true, [h0], hn);
        }
        else
        {
            recurrentWeights.MultiplyColumns(DGatesInput.Span.Slice(at * width, rows * width), rows, dBefore, size, accumulate: false, [h0], hn);
        }

        if (!active.IsEmpty)
        {
            SequenceKernels.CopyInactiveColumns<T>(active.Span.Slice(at, rows), dHidden[q & 1].Span.Slice(b0 * size, rows * size), size, h0, hn, dBefore);
        }
    }
}
