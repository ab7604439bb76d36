// Dimension legend: B = batch rows in this step, H = hidden size (cell state size). Gate blocks inside a (B, 4H) row
// are i, f, g, o as in the LSTM; the peepholes p (3H) are p_i, p_f, p_o.
using System.Numerics;
using static Carnet.Kernels.Activations;

namespace Carnet.Kernels;

/// <summary>
/// The point-wise part of one step of an LSTM with peephole connections (Gers &amp; Schmidhuber, 2000; ONNX's LSTM with
/// P), after the gate pre-activations have been summed by matrix products: the input and forget gates see c_{t−1}, the
/// output gate sees c_t:
/// i = σ(· + p_i ⊙ c_{t−1}), f = σ(· + p_f ⊙ c_{t−1}), g = tanh(·), c_t = f ⊙ c_{t−1} + i ⊙ g,
/// o = σ(· + p_o ⊙ c_t), h_t = o ⊙ tanh(c_t). Scalar only: the reference is also the fast path.
/// </summary>
internal static class PeepholeLstmKernels
{
    /// <summary>
    /// Forward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>): gates (B, 4H) holds the
    /// pre-activations on entry and the activations on exit; writes c_t, tanh(c_t) and h_t, each (B, H).
    /// </summary>
    public static void Forward<T>(
        ReadOnlySpan<T> cPrevious, ReadOnlySpan<T> peepholes, int batch, int hidden,
        Span<T> gates, Span<T> cell, Span<T> tanhCell, Span<T> output, int unitStart, int unitCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = gates.Slice(b * 4 * hidden, 4 * hidden);
            int s = b * hidden;
            for (int j = unitStart; j < unitStart + unitCount; j++)
            {
                T previous = cPrevious[s + j];
                T i = Sigmoid(row[j] + peepholes[j] * previous);
                T f = Sigmoid(row[hidden + j] + peepholes[hidden + j] * previous);
                T g = Tanh(row[2 * hidden + j]);
                T c = f * previous + i * g;
                T o = Sigmoid(row[3 * hidden + j] + peepholes[2 * hidden + j] * c);
                row[j] = i;
                row[hidden + j] = f;
                row[2 * hidden + j] = g;
                row[3 * hidden + j] = o;
                T tc = Tanh(c);
                cell[s + j] = c;
                tanhCell[s + j] = tc;
                output[s + j] = o * tc;
            }
        }
    }

    /// <summary>
    /// Backward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>): dOutput (B, H) is dL/dh_t;
    /// dCell (B, H) holds dL/dc_t from later steps on entry and dL/dc_{t−1} on exit (through f and both peepholes on
    /// c_{t−1}); dGates (B, 4H) receives dL/d(pre-activation) of each gate.
    /// </summary>
    public static void Backward<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrevious, ReadOnlySpan<T> tanhCell, ReadOnlySpan<T> peepholes, ReadOnlySpan<T> dOutput,
        int batch, int hidden, Span<T> dCell, Span<T> dGates, int unitStart, int unitCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> row = gates.Slice(b * 4 * hidden, 4 * hidden);
            Span<T> dRow = dGates.Slice(b * 4 * hidden, 4 * hidden);
            int s = b * hidden;
            for (int j = unitStart; j < unitStart + unitCount; j++)
            {
                T i = row[j], f = row[hidden + j], g = row[2 * hidden + j], o = row[3 * hidden + j];
                T tc = tanhCell[s + j], dh = dOutput[s + j], previous = cPrevious[s + j];

                // back through h = o ⊙ tanh(c): into o, then into c directly and through the output gate's peephole
                T dPreO = dh * tc * SigmoidDerivative(o);
                T dc = dCell[s + j] + dh * o * TanhDerivative(tc) + dPreO * peepholes[2 * hidden + j];

                // back through c = f ⊙ c_{t−1} + i ⊙ g and the gates' nonlinearities
                T dPreI = dc * g * SigmoidDerivative(i);
                T dPreF = dc * previous * SigmoidDerivative(f);
                dRow[j] = dPreI;
                dRow[hidden + j] = dPreF;
                dRow[2 * hidden + j] = dc * i * TanhDerivative(g);
                dRow[3 * hidden + j] = dPreO;
                dCell[s + j] = dc * f + dPreI * peepholes[j] + dPreF * peepholes[hidden + j];
            }
        }
    }

    /// <summary>
    /// dL/dp (3H) += the sums over all rows of dL/d(pre-activation) times what each peephole read: c_{t−1} for i and f,
    /// c_t = f ⊙ c_{t−1} + i ⊙ g (rebuilt from the activations) for o. gates and dGates (rows, 4H), cPrevious (rows, H).
    /// </summary>
    public static void AccumulatePeepholeGradient<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> dGates, ReadOnlySpan<T> cPrevious, int rows, int hidden, Span<T> dPeepholes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = gates.Slice(r * 4 * hidden, 4 * hidden), dRow = dGates.Slice(r * 4 * hidden, 4 * hidden);
            for (int j = 0; j < hidden; j++)
            {
                T previous = cPrevious[r * hidden + j];
                T c = row[hidden + j] * previous + row[j] * row[2 * hidden + j];
                dPeepholes[j] += dRow[j] * previous;
                dPeepholes[hidden + j] += dRow[hidden + j] * previous;
                dPeepholes[2 * hidden + j] += dRow[3 * hidden + j] * c;
            }
        }
    }
}
