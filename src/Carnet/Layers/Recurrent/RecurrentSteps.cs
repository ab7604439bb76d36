// Dimension legend: T = time steps, B = batch, H = hidden size, P = size of h (projection size, or H),
// G = gate blocks (LSTM 4, GRU 3, RNN 1), S = row stride of the output buffer, [u0, u0 + n) = one slice of units.
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

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
/// The forward time loop of one direction as a <see cref="PhasedJob"/>: phase s is step s (in the direction's
/// order), slice k its units [bounds[k], bounds[k+1]). The buffers are the direction's cache; the last step writes
/// the final state into <see cref="FinalHidden"/> and <see cref="FinalCell"/>.
/// </summary>
internal sealed class ForwardSteps<T> : PhasedJob where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CellSpec spec;
    private readonly WeightOperand<T> recurrentWeights;
    private readonly WeightOperand<T>? projectionWeights;
    private readonly DirectionCache<T> cache;
    private readonly int[] bounds;
    private readonly int steps, batch, outputStride;
    private readonly bool reverse, accumulateHidden;
    private readonly ReadOnlyMemory<bool> active; // (T, B), empty when unmasked
    private readonly Memory<T> output; // (T, B, S) from this direction's first column

    public ForwardSteps(
        CellSpec spec, WeightOperand<T> recurrentWeights, WeightOperand<T>? projectionWeights, DirectionCache<T> cache, int[] bounds,
        int steps, int batch, bool reverse, bool accumulateHidden, ReadOnlyMemory<bool> active, Memory<T> output, int outputStride)
        : base(steps, bounds.Length - 1)
    {
        (this.spec, this.recurrentWeights, this.projectionWeights, this.cache, this.bounds) = (spec, recurrentWeights, projectionWeights, cache, bounds);
        (this.steps, this.batch, this.reverse, this.accumulateHidden) = (steps, batch, reverse, accumulateHidden);
        (this.active, this.output, this.outputStride) = (active, output, outputStride);
        FinalHidden = new T[batch * spec.OutputSize];
        FinalCell = spec.Kind == RecurrentCellKind.Lstm ? new T[batch * spec.HiddenSize] : [];
    }

    /// <summary>h after the last step: (B, P).</summary>
    public T[] FinalHidden { get; }

    /// <summary>c after the last step (LSTM): (B, H).</summary>
    public T[] FinalCell { get; }

    protected override void RunSlice(int phase, int slice)
    {
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth;
        int t = reverse ? steps - 1 - phase : phase, next = reverse ? t - 1 : t + 1;
        bool last = phase == steps - 1, isLstm = spec.Kind == RecurrentCellKind.Lstm;
        int u0 = bounds[slice], n = bounds[slice + 1] - u0;
        int h0 = spec.HasProjection ? 0 : u0, hn = spec.HasProjection ? size : n; // this slice's columns of h

        ReadOnlySpan<T> hPrevious = cache.HiddenPrevious.AsSpan(t * batch * size, batch * size); // (B, P)
        Span<T> hNext = last ? FinalHidden : cache.HiddenPrevious.AsSpan(next * batch * size, batch * size); // (B, P)
        ReadOnlySpan<T> cPrevious = isLstm ? cache.CellPrevious.AsSpan(t * batch * hidden, batch * hidden) : default; // (B, H)
        Span<T> cNext = !isLstm ? default : last ? FinalCell : cache.CellPrevious.AsSpan(next * batch * hidden, batch * hidden); // (B, H)
        RecurrentDirection.StepUnits(
            spec, recurrentWeights, projectionWeights, batch, accumulateHidden, hPrevious, cPrevious,
            cache.Gates.AsSpan(t * batch * width, batch * width),
            spec.Kind == RecurrentCellKind.Gru ? cache.HiddenGates.AsSpan(t * batch * width, batch * width) : default,
            isLstm ? cache.TanhCell.AsSpan(t * batch * hidden, batch * hidden) : default,
            spec.HasProjection ? cache.Unprojected.AsSpan(t * batch * hidden, batch * hidden) : default,
            hNext, cNext, u0, n);

        // padded rows keep their state and output zero
        Span<T> outputNow = output.Span[(t * batch * outputStride)..];
        if (!active.IsEmpty)
        {
            ReadOnlySpan<bool> activeNow = active.Span.Slice(t * batch, batch);
            if (isLstm)
            {
                SequenceKernels.CopyInactiveColumns(activeNow, cPrevious, hidden, u0, n, cNext);
            }

            SequenceKernels.CopyInactiveColumns(activeNow, hPrevious, size, h0, hn, hNext);
            Elementwise.CopyRows<T>(hNext[h0..], size, batch, hn, outputNow[h0..], outputStride);
            SequenceKernels.ZeroInactiveRows(activeNow, hn, outputNow[h0..], outputStride);
        }
        else
        {
            Elementwise.CopyRows<T>(hNext[h0..], size, batch, hn, outputNow[h0..], outputStride);
        }
    }
}

/// <summary>
/// The backward time loop of one direction as a <see cref="PhasedJob"/>: step s (from the last) is phases 2s and
/// 2s + 1. In the first, each slice runs its units' point-wise backward (dL/d gates, dL/dc); in the second, its columns
/// of dL/dh_{t−1} = dgates · W_hh, which need every unit's gates.
/// </summary>
internal sealed class BackwardSteps<T> : PhasedJob where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CellSpec spec;
    private readonly WeightOperand<T> recurrentWeights; // W_hh (G·H, P)
    private readonly WeightOperand<T>? projectionWeights; // W_hr (P, H)
    private readonly DirectionCache<T> cache;
    private readonly int[] bounds;
    private readonly int steps, batch, outputStride;
    private readonly bool reverse;
    private readonly ReadOnlyMemory<bool> active; // (T, B)
    private readonly ReadOnlyMemory<T> dOutput; // (T, B, S)
    private readonly Memory<T> dStates; // (T, B, P) or empty
    private readonly T[][] dHidden; // 2 × (B, P): dL/dh after and before the current step, by turns
    private readonly T[] dStep; // (B, P) dL/dh_t at this step: carried + from the output
    private readonly T[] dCellCarry; // (B, H) LSTM with padding: dL/dc_t kept for the padded rows
    private readonly T[] dUnprojected; // (B, H) LSTM with projection

    public BackwardSteps(
        CellSpec spec, WeightOperand<T> recurrentWeights, WeightOperand<T>? projectionWeights, DirectionCache<T> cache, int[] bounds,
        int steps, int batch, bool reverse, ReadOnlyMemory<bool> active, ReadOnlyMemory<T> dOutput, int outputStride,
        T[] gatesInput, T[] gatesHidden, T[]? hiddenSteps, ReadOnlySpan<T> dFinalHidden, ReadOnlySpan<T> dFinalCell, Memory<T> dStates)
        : base(2 * steps, bounds.Length - 1)
    {
        (this.spec, this.recurrentWeights, this.projectionWeights, this.cache, this.bounds) = (spec, recurrentWeights, projectionWeights, cache, bounds);
        (this.steps, this.batch, this.reverse, this.active, this.dOutput, this.outputStride, this.dStates) =
            (steps, batch, reverse, active, dOutput, outputStride, dStates);
        (DGatesInput, DGatesHidden, DHiddenSteps) = (gatesInput, gatesHidden, hiddenSteps);
        bool isLstm = spec.Kind == RecurrentCellKind.Lstm;
        int size = spec.OutputSize, hidden = spec.HiddenSize;
        dHidden = [dFinalHidden.ToArray(), new T[batch * size]];
        dStep = new T[batch * size];
        DCell = isLstm ? dFinalCell.ToArray() : [];
        dCellCarry = isLstm && !active.IsEmpty ? new T[batch * hidden] : [];
        dUnprojected = spec.HasProjection ? new T[batch * hidden] : [];
    }

    /// <summary>(T, B, G·H) dL/d(input pre-activations).</summary>
    public T[] DGatesInput { get; }

    /// <summary>(T, B, G·H) dL/d(hidden pre-activations): the same buffer except for the GRU.</summary>
    public T[] DGatesHidden { get; }

    /// <summary>(T, B, P) dL/dh_t, kept for dW_hr (LSTM with projection).</summary>
    public T[]? DHiddenSteps { get; }

    /// <summary>dL/dh_0 once the job has run: (B, P).</summary>
    public T[] DInitialHidden => dHidden[steps & 1];

    /// <summary>dL/dc after the current step; dL/dc_0 once the job has run (LSTM): (B, H).</summary>
    public T[] DCell { get; }

    protected override void RunSlice(int phase, int slice)
    {
        int q = phase >> 1, s = steps - 1 - q, t = reverse ? steps - 1 - s : s;
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth;
        int u0 = bounds[slice], n = bounds[slice + 1] - u0;
        int h0 = spec.HasProjection ? 0 : u0, hn = spec.HasProjection ? size : n; // this slice's columns of h
        ReadOnlySpan<bool> activeNow = active.IsEmpty ? default : active.Span.Slice(t * batch, batch);
        Span<T> dAfter = dHidden[q & 1], dBefore = dHidden[(q + 1) & 1]; // (B, P)
        Span<T> dGates = DGatesInput.AsSpan(t * batch * width, batch * width); // (B, G·H)
        if ((phase & 1) == 1)
        {
            BackThroughRecurrence(t, activeNow, dAfter, dBefore, dGates, h0, hn);
            return;
        }

        // the gradient reaching h_t: from the following step (or h_n) and from output[t]
        Elementwise.CopyRows<T>(dAfter[h0..], size, batch, hn, dStep.AsSpan(h0), size);
        Elementwise.AddRows(dOutput.Span[(t * batch * outputStride + h0)..], outputStride, batch, hn, dStep.AsSpan(h0), size);
        if (!activeNow.IsEmpty)
        {
            SequenceKernels.ZeroInactiveRows(activeNow, hn, dStep.AsSpan(h0), size);
        }

        if (!dStates.IsEmpty)
        {
            Elementwise.CopyRows<T>(dStep.AsSpan(h0), size, batch, hn, dStates.Span[(t * batch * size + h0)..], size); // dL/dh_t
        }

        ReadOnlySpan<T> gates = cache.Gates.AsSpan(t * batch * width, batch * width);
        switch (spec.Kind)
        {
            case RecurrentCellKind.Lstm:
            {
                // back through the projection h_t = W_hr · r_t (one slice: all of h)
                ReadOnlySpan<T> dR = dStep;
                if (spec.HasProjection)
                {
                    dStep.CopyTo(DHiddenSteps.AsSpan(t * batch * size, batch * size));
                    projectionWeights!.Multiply(dStep, batch, dUnprojected, hidden, accumulate: false);
                    dR = dUnprojected;
                }

                if (!activeNow.IsEmpty)
                {
                    Elementwise.CopyRows<T>(DCell.AsSpan(u0), hidden, batch, n, dCellCarry.AsSpan(u0), hidden);
                }

                LstmKernels.Backward(
                    gates, cache.CellPrevious.AsSpan(t * batch * hidden, batch * hidden),
                    cache.TanhCell.AsSpan(t * batch * hidden, batch * hidden), dR, batch, hidden, DCell, dGates, u0, n);
                if (!activeNow.IsEmpty)
                {
                    for (int g = 0; g < spec.GateCount; g++)
                    {
                        SequenceKernels.ZeroInactiveRows(activeNow, n, dGates[(g * hidden + u0)..], width);
                    }

                    SequenceKernels.CopyInactiveColumns<T>(activeNow, dCellCarry, hidden, u0, n, DCell);
                }

                break;
            }

            case RecurrentCellKind.Gru:
                GruKernels.Backward(
                    gates, cache.HiddenGates.AsSpan(t * batch * width, batch * width),
                    cache.HiddenPrevious.AsSpan(t * batch * size, batch * size), dStep, batch, hidden,
                    dGates, DGatesHidden.AsSpan(t * batch * width, batch * width), dBefore, u0, n);
                break;

            default:
                for (int b = 0; b < batch; b++)
                {
                    int row = b * hidden + u0;
                    RnnKernels.Backward<T>(spec.Nonlinearity == RnnNonlinearity.Relu, gates.Slice(row, n), dStep.AsSpan(row, n), dGates.Slice(row, n));
                }

                break;
        }
    }

    /// <summary>Columns [h0, h0 + hn) of dL/dh_{t−1}: back through W_hh · h_{t−1}; padded rows pass dL/dh through.</summary>
    private void BackThroughRecurrence(int t, ReadOnlySpan<bool> activeNow, Span<T> dAfter, Span<T> dBefore, Span<T> dGates, int h0, int hn)
    {
        int size = spec.OutputSize, width = spec.GateWidth;
        if (spec.Kind == RecurrentCellKind.Gru)
        {
            // the point-wise phase wrote the direct part z ⊙ dL/dh_t
            recurrentWeights.MultiplyColumns(DGatesHidden.AsSpan(t * batch * width, batch * width), batch, dBefore, size, accumulate: true, [h0], hn);
        }
        else
        {
            recurrentWeights.MultiplyColumns(dGates, batch, dBefore, size, accumulate: false, [h0], hn);
        }

        if (!activeNow.IsEmpty)
        {
            SequenceKernels.CopyInactiveColumns<T>(activeNow, dAfter, size, h0, hn, dBefore);
        }
    }
}
