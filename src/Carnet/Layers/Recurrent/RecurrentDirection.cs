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
        ReadOnlySpan<T> input, ReadOnlySpan<bool> active, ReadOnlySpan<T> initialHidden, ReadOnlySpan<T> initialCell,
        Span<T> output, int outputStride, Span<T> finalHidden, Span<T> finalCell)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth, rows = steps * batch;
        bool isLstm = spec.Kind == RecurrentCellKind.Lstm, isGru = spec.Kind == RecurrentCellKind.Gru;
        bool masked = !active.IsEmpty;
        var cache = new DirectionCache<T>
        {
            Gates = new T[rows * width], // (T, B, G·H)
            HiddenGates = isGru ? new T[rows * width] : null, // (T, B, 3H)
            HiddenPrevious = new T[rows * size], // (T, B, P)
            CellPrevious = isLstm ? new T[rows * hidden] : null, // (T, B, H)
            TanhCell = isLstm ? new T[rows * hidden] : null, // (T, B, H)
            Unprojected = spec.HasProjection ? new T[rows * hidden] : null, // (T, B, H)
        };

        // input projection for every step at once: gates (T·B, G·H) = x · W_ihᵀ + biases
        ReadOnlySpan<T> weightIh = parameters.WeightIh.Value.Span;
        ReadOnlySpan<T> biasIh = parameters.BiasIh is null ? default : parameters.BiasIh.Value.Span;
        ReadOnlySpan<T> biasHh = parameters.BiasHh is null ? default : parameters.BiasHh.Value.Span;
        if (!biasIh.IsEmpty)
        {
            Elementwise.BroadcastRows(biasIh, isGru ? default : biasHh, rows, width, cache.Gates);
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

        for (int s = 0; s < steps; s++)
        {
            int t = reverse ? steps - 1 - s : s;
            int next = reverse ? t - 1 : t + 1;
            bool last = s == steps - 1;
            ReadOnlySpan<T> hPrevious = cache.HiddenPrevious.AsSpan(t * batch * size, batch * size); // (B, P)
            Span<T> hNext = last ? finalHidden : cache.HiddenPrevious.AsSpan(next * batch * size, batch * size);
            Span<T> gates = cache.Gates.AsSpan(t * batch * width, batch * width); // (B, G·H)
            ReadOnlySpan<bool> activeNow = masked ? active.Slice(t * batch, batch) : default;

            ReadOnlySpan<T> cPrevious = isLstm ? cache.CellPrevious.AsSpan(t * batch * hidden, batch * hidden) : default; // (B, H)
            Span<T> cNext = !isLstm ? default : last ? finalCell : cache.CellPrevious.AsSpan(next * batch * hidden, batch * hidden);
            Step(
                spec, recurrentWeights, projectionWeights, biasHh, batch, hPrevious, cPrevious, gates,
                isGru ? cache.HiddenGates.AsSpan(t * batch * width, batch * width) : default,
                isLstm ? cache.TanhCell.AsSpan(t * batch * hidden, batch * hidden) : default,
                spec.HasProjection ? cache.Unprojected.AsSpan(t * batch * hidden, batch * hidden) : default,
                hNext, cNext);
            if (masked && isLstm)
            {
                SequenceKernels.CopyInactiveRows(activeNow, cPrevious, hidden, cNext);
            }

            Span<T> outputNow = output[(t * batch * outputStride)..];
            if (masked)
            {
                SequenceKernels.CopyInactiveRows(activeNow, hPrevious, size, hNext);
            }

            Elementwise.CopyRows<T>(hNext, size, batch, size, outputNow, outputStride);
            if (masked)
            {
                SequenceKernels.ZeroInactiveRows(activeNow, size, outputNow, outputStride);
            }
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
    public static void Step<T>(
        CellSpec spec, WeightOperand<T> recurrentWeights, WeightOperand<T>? projectionWeights, ReadOnlySpan<T> biasHh, int batch,
        ReadOnlySpan<T> hPrevious, ReadOnlySpan<T> cPrevious,
        Span<T> gates, Span<T> hiddenGates, Span<T> tanhCell, Span<T> unprojected, Span<T> hNext, Span<T> cNext)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth;
        switch (spec.Kind)
        {
            case RecurrentCellKind.Lstm:
            {
                Span<T> r = spec.HasProjection ? unprojected : hNext;
                recurrentWeights.Multiply(hPrevious, batch, gates, width, accumulate: true);
                LstmKernels.Forward(cPrevious, batch, hidden, gates, cNext, tanhCell, r);
                projectionWeights?.Multiply(r, batch, hNext, size, accumulate: false);
                break;
            }

            case RecurrentCellKind.Gru:
                if (!biasHh.IsEmpty)
                {
                    Elementwise.BroadcastRows(biasHh, default, batch, width, hiddenGates);
                }

                recurrentWeights.Multiply(hPrevious, batch, hiddenGates, width, accumulate: !biasHh.IsEmpty);
                GruKernels.Forward<T>(hiddenGates, hPrevious, batch, hidden, gates, hNext);
                break;

            default:
                recurrentWeights.Multiply(hPrevious, batch, gates, width, accumulate: true);
                RnnKernels.Forward(spec.Nonlinearity == RnnNonlinearity.Relu, gates);
                gates.CopyTo(hNext);
                break;
        }
    }

    /// <summary>
    /// Back-propagation through time for one direction: accumulates the weight gradients, adds dL/dinput into
    /// dInput and writes dL/dh_0, dL/dc_0. When dStates (T, B, P) is given it receives dL/dh_t for every step:
    /// the gradient reaching h_t from the later steps and from output[t] (zero at padded steps).
    /// </summary>
    public static void Backward<T>(
        CellSpec spec, DirectionParameters<T> parameters, int steps, int batch, bool reverse, DirectionCache<T> cache,
        ReadOnlySpan<T> input, ReadOnlySpan<bool> active,
        ReadOnlySpan<T> dOutput, int outputStride, ReadOnlySpan<T> dFinalHidden, ReadOnlySpan<T> dFinalCell,
        Span<T> dInput, Span<T> dInitialHidden, Span<T> dInitialCell, Span<T> dStates = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth, rows = steps * batch;
        bool isLstm = spec.Kind == RecurrentCellKind.Lstm, isGru = spec.Kind == RecurrentCellKind.Gru;
        bool masked = !active.IsEmpty;
        using var recurrentWeights = WeightOperand<T>.Create(false, parameters.WeightHh.Value.Memory, size, width, size); // W_hh (G·H, P)
        using var projectionWeights = spec.HasProjection ? WeightOperand<T>.Create(false, parameters.WeightHr!.Value.Memory, hidden, size, hidden) : null; // W_hr (P, H)

        var dGatesInput = new T[rows * width]; // (T, B, G·H) dL/d(input pre-activations)
        var dGatesHidden = isGru ? new T[rows * width] : dGatesInput; // (T, B, G·H) dL/d(hidden pre-activations)
        var dHiddenSteps = spec.HasProjection ? new T[rows * size] : null; // (T, B, P) dL/dh_t, for dW_hr
        Span<T> dHidden = new T[batch * size]; // (B, P) dL/dh after the current step
        Span<T> dHiddenNext = new T[batch * size]; // (B, P) dL/dh before the current step
        Span<T> dStep = new T[batch * size]; // (B, P) dL/dh_t at this step: carried + from the output
        Span<T> dCell = isLstm ? new T[batch * hidden] : default; // (B, H)
        Span<T> dCellCarry = isLstm && masked ? new T[batch * hidden] : default; // (B, H)
        Span<T> dUnprojected = spec.HasProjection ? new T[batch * hidden] : default; // (B, H)
        dFinalHidden.CopyTo(dHidden);
        if (isLstm)
        {
            dFinalCell.CopyTo(dCell);
        }

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = reverse ? steps - 1 - s : s;
            ReadOnlySpan<bool> activeNow = masked ? active.Slice(t * batch, batch) : default;
            Span<T> dGates = dGatesInput.AsSpan(t * batch * width, batch * width); // (B, G·H)
            ReadOnlySpan<T> gates = cache.Gates.AsSpan(t * batch * width, batch * width);

            // the gradient reaching h_t: from the following step (or h_n) and from output[t]
            dHidden.CopyTo(dStep);
            Elementwise.AddRows(dOutput[(t * batch * outputStride)..], outputStride, batch, size, dStep, size);
            if (masked)
            {
                SequenceKernels.ZeroInactiveRows(activeNow, size, dStep, size);
            }

            if (!dStates.IsEmpty)
            {
                dStep.CopyTo(dStates.Slice(t * batch * size, batch * size)); // dL/dh_t, when the caller records it
            }

            switch (spec.Kind)
            {
                case RecurrentCellKind.Lstm:
                {
                    // back through the projection h_t = W_hr · r_t
                    ReadOnlySpan<T> dR = dStep;
                    if (spec.HasProjection)
                    {
                        dStep.CopyTo(dHiddenSteps.AsSpan(t * batch * size, batch * size));
                        projectionWeights!.Multiply(dStep, batch, dUnprojected, hidden, accumulate: false);
                        dR = dUnprojected;
                    }

                    if (masked)
                    {
                        dCell.CopyTo(dCellCarry);
                    }

                    LstmKernels.Backward(
                        gates, cache.CellPrevious.AsSpan(t * batch * hidden, batch * hidden),
                        cache.TanhCell.AsSpan(t * batch * hidden, batch * hidden), dR, batch, hidden, dCell, dGates);
                    if (masked)
                    {
                        SequenceKernels.ZeroInactiveRows(activeNow, width, dGates, width);
                        SequenceKernels.CopyInactiveRows<T>(activeNow, dCellCarry, hidden, dCell);
                    }

                    // back through W_hh · h_{t−1}
                    recurrentWeights.Multiply(dGates, batch, dHiddenNext, size, accumulate: false);
                    break;
                }

                case RecurrentCellKind.Gru:
                {
                    Span<T> dHiddenGates = dGatesHidden.AsSpan(t * batch * width, batch * width);
                    GruKernels.Backward(
                        gates, cache.HiddenGates.AsSpan(t * batch * width, batch * width),
                        cache.HiddenPrevious.AsSpan(t * batch * size, batch * size), dStep, batch, hidden,
                        dGates, dHiddenGates, dHiddenNext);
                    recurrentWeights.Multiply(dHiddenGates, batch, dHiddenNext, size, accumulate: true);
                    break;
                }

                default:
                    RnnKernels.Backward<T>(spec.Nonlinearity == RnnNonlinearity.Relu, gates, dStep, dGates);
                    recurrentWeights.Multiply(dGates, batch, dHiddenNext, size, accumulate: false);
                    break;
            }

            if (masked)
            {
                SequenceKernels.CopyInactiveRows<T>(activeNow, dHidden, size, dHiddenNext);
            }

            Span<T> swap = dHidden;
            dHidden = dHiddenNext;
            dHiddenNext = swap;
        }

        dHidden.CopyTo(dInitialHidden);
        if (isLstm)
        {
            dCell.CopyTo(dInitialCell);
        }

        // weight and input gradients, one product each over all steps
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
            Gemm.AccumulateTransposedA<T>(dHiddenSteps, cache.Unprojected, size, hidden, rows, parameters.WeightHr!.Gradient.Span);
        }
    }
}
