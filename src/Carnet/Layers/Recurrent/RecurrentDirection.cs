// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, P = size of h
// (projection size, or H), G = gate blocks (LSTM 4, GRU 3, RNN 1), S = row stride of the output buffer
// (P for one direction, 2P when both directions of a bidirectional layer share it).
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// One time step of one direction (for <see cref="DirectionPass{T}"/>'s time loop and the streaming state): adds the
/// recurrent product for all gates, runs the cell's point-wise step and, for an LSTM with a projection, projects.
/// Variable lengths use an activity mask: at a padded step a row keeps its state, its output is zero and
/// it passes its gradient through unchanged.
/// </summary>
internal static class RecurrentDirection
{
    /// <summary>
    /// One time step of one direction, given gates (B, G·H) that already hold the input projection and the input-side
    /// biases (for LSTM and RNN both biases): adds the recurrent product, runs the point-wise kernel and, for an LSTM with
    /// a projection, projects. On exit gates holds the activations, hiddenGates (B, 3H, GRU only) W_hh·h + b_hh,
    /// tanhCell (B, H, LSTM) tanh(c_t), unprojected (B, H, LSTM with projection) o ⊙ tanh(c_t); hNext (B, P) and
    /// cNext (B, H, LSTM) the new state.
    /// </summary>
    public static void Step<T>(CellSpec spec, StepWeights<T> weights, scoped in StepBuffers<T> buffers)
        where T : unmanaged, IFloatingPointIeee754<T>
        => StepUnits(spec, weights, buffers, new UnitRange(0, spec.HiddenSize));

    /// <summary>
    /// <see cref="Step"/> for <paramref name="units"/> only: their columns of
    /// every gate block, of c and (without a projection) of h. A cut between units must fall on
    /// <see cref="WeightOperand{T}.ColumnAlignment"/>; an LSTM with a projection runs all its units at once.
    /// </summary>
    public static void StepUnits<T>(CellSpec spec, StepWeights<T> weights, scoped in StepBuffers<T> buffers, UnitRange units)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = buffers.Rows, unitStart = units.Start, unitCount = units.Count;
        var (recurrentWeights, projectionWeights, peepholes) = weights;
        ReadOnlySpan<T> hPrevious = buffers.HiddenPrevious;
        Span<T> gates = buffers.Gates, hiddenGates = buffers.HiddenGates, hNext = buffers.HiddenNext;
        int hidden = spec.HiddenSize, size = spec.OutputSize, width = spec.GateWidth;
        bool whole = unitStart == 0 && unitCount == hidden;
        var cell = spec.Cell;
        // the LSTM and the RNN add W_hh·h to the gates; the GRU keeps it apart, with b_hh added as it is stored
        Span<T> sums = cell.SeparatesHiddenGates ? hiddenGates : gates;
        bool accumulate = !cell.SeparatesHiddenGates;
        ReadOnlySpan<T> bias = accumulate ? default : buffers.HiddenBias;
        if (whole && !bias.IsEmpty)
        {
            recurrentWeights.MultiplyPlusBias(hPrevious, batch, sums, bias, default);
        }
        else if (whole)
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

            recurrentWeights.MultiplyColumns(hPrevious, batch, sums, width, accumulate, starts, unitCount, bias);
        }

        Span<T> r = spec.HasProjection ? buffers.Unprojected : hNext; // what the cell writes: h_t, or r_t before the projection
        var step = new CellForwardStep<T>
        {
            Rows = batch, HiddenSize = hidden, StateSize = size, Relu = spec.Relu,
            Gates = gates, HiddenGates = hiddenGates, HiddenPrevious = hPrevious, CellPrevious = buffers.CellPrevious,
            CellNext = buffers.CellNext, TanhCell = buffers.TanhCell, HiddenNext = r, Peepholes = peepholes.Span,
        };
        cell.ForwardUnits(step, units);
        projectionWeights?.Multiply(r, batch, hNext, size, accumulate: false);
    }
}
