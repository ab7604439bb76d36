// Dimension legend: B = batch rows in this step, H = hidden size (cell state size).
// Gate blocks inside a (B, 4H) row are in PyTorch's order: i (input), f (forget), g (candidate), o (output).
using System.Numerics;
using System.Runtime.InteropServices;
using static Carnet.Kernels.Activations;

namespace Carnet.Kernels;

/// <summary>
/// The point-wise part of one LSTM step, after the gate pre-activations W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh
/// have been summed by matrix products:
/// i, f, o = σ(·); g = tanh(·); c_t = f ⊙ c_{t−1} + i ⊙ g; r_t = o ⊙ tanh(c_t)
/// (r_t is h_t, or the input of the projection h_t = W_hr·r_t when the layer has one).
/// the Forward and Backward methods run <see cref="LstmKernelsSimd"/> for float (unless
/// <see cref="KernelSettings.UseReferenceKernels"/>) and the scalar reference otherwise.
/// </summary>
internal static class LstmKernels
{
    /// <summary>Forward step over all H units: see <see cref="ForwardReference{T}"/>.</summary>
    public static void Forward<T>(
        ReadOnlySpan<T> cPrevious, int batch, int hidden,
        Span<T> gates, Span<T> cell, Span<T> tanhCell, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Forward(cPrevious, batch, hidden, gates, cell, tanhCell, output, 0, hidden);

    /// <summary>
    /// Forward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>) of every row (the buffers
    /// keep their whole (B, 4H) and (B, H) layout): see <see cref="ForwardReference{T}"/>.
    /// </summary>
    public static void Forward<T>(
        ReadOnlySpan<T> cPrevious, int batch, int hidden,
        Span<T> gates, Span<T> cell, Span<T> tanhCell, Span<T> output, int unitStart, int unitCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && !KernelSettings.UseReferenceKernels)
        {
            LstmKernelsSimd.Forward(
                MemoryMarshal.Cast<T, float>(cPrevious), batch, hidden,
                MemoryMarshal.Cast<T, float>(gates), MemoryMarshal.Cast<T, float>(cell),
                MemoryMarshal.Cast<T, float>(tanhCell), MemoryMarshal.Cast<T, float>(output), unitStart, unitCount);
            return;
        }

        ForwardReference(cPrevious, batch, hidden, gates, cell, tanhCell, output, unitStart, unitCount);
    }

    /// <summary>Backward step over all H units: see <see cref="BackwardReference{T}"/>.</summary>
    public static void Backward<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrevious, ReadOnlySpan<T> tanhCell, ReadOnlySpan<T> dOutput,
        int batch, int hidden,
        Span<T> dCell, Span<T> dGates)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Backward(gates, cPrevious, tanhCell, dOutput, batch, hidden, dCell, dGates, 0, hidden);

    /// <summary>Backward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>): see <see cref="BackwardReference{T}"/>.</summary>
    public static void Backward<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrevious, ReadOnlySpan<T> tanhCell, ReadOnlySpan<T> dOutput,
        int batch, int hidden,
        Span<T> dCell, Span<T> dGates, int unitStart, int unitCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && !KernelSettings.UseReferenceKernels)
        {
            LstmKernelsSimd.Backward(
                MemoryMarshal.Cast<T, float>(gates), MemoryMarshal.Cast<T, float>(cPrevious),
                MemoryMarshal.Cast<T, float>(tanhCell), MemoryMarshal.Cast<T, float>(dOutput), batch, hidden,
                MemoryMarshal.Cast<T, float>(dCell), MemoryMarshal.Cast<T, float>(dGates), unitStart, unitCount);
            return;
        }

        BackwardReference(gates, cPrevious, tanhCell, dOutput, batch, hidden, dCell, dGates, unitStart, unitCount);
    }

    /// <summary>
    /// Forward step, the scalar reference. gates (B, 4H) holds the pre-activations on entry and the activations
    /// on exit (the backward step reads them). Writes c_t, tanh(c_t) and r_t = o ⊙ tanh(c_t), each (B, H).
    /// </summary>
    public static void ForwardReference<T>(
        ReadOnlySpan<T> cPrevious, int batch, int hidden,
        Span<T> gates, Span<T> cell, Span<T> tanhCell, Span<T> output, int unitStart = 0, int unitCount = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int end = unitStart + (unitCount < 0 ? hidden - unitStart : unitCount);
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = gates.Slice(b * 4 * hidden, 4 * hidden);
            int s = b * hidden;
            for (int j = unitStart; j < end; j++)
            {
                T i = Sigmoid(row[j]);
                T f = Sigmoid(row[hidden + j]);
                T g = Tanh(row[2 * hidden + j]);
                T o = Sigmoid(row[3 * hidden + j]);
                row[j] = i;
                row[hidden + j] = f;
                row[2 * hidden + j] = g;
                row[3 * hidden + j] = o;

                T c = f * cPrevious[s + j] + i * g;
                T tc = Tanh(c);
                cell[s + j] = c;
                tanhCell[s + j] = tc;
                output[s + j] = o * tc;
            }
        }
    }

    /// <summary>
    /// Backward step, the scalar reference. dOutput (B, H) is dL/dr_t; dCell (B, H) holds dL/dc_t from later steps
    /// on entry and dL/dc_{t−1} on exit; dGates (B, 4H) receives dL/d(pre-activation) of each gate.
    /// </summary>
    public static void BackwardReference<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrevious, ReadOnlySpan<T> tanhCell, ReadOnlySpan<T> dOutput,
        int batch, int hidden,
        Span<T> dCell, Span<T> dGates, int unitStart = 0, int unitCount = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int end = unitStart + (unitCount < 0 ? hidden - unitStart : unitCount);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> row = gates.Slice(b * 4 * hidden, 4 * hidden);
            Span<T> dRow = dGates.Slice(b * 4 * hidden, 4 * hidden);
            int s = b * hidden;
            for (int j = unitStart; j < end; j++)
            {
                T i = row[j], f = row[hidden + j], g = row[2 * hidden + j], o = row[3 * hidden + j];
                T tc = tanhCell[s + j];
                T dr = dOutput[s + j];

                // back through r = o ⊙ tanh(c): into c, and into o
                T dc = dCell[s + j] + dr * o * TanhDerivative(tc);

                // back through c = f ⊙ c_{t−1} + i ⊙ g, then through each gate's nonlinearity
                dRow[j] = dc * g * SigmoidDerivative(i);
                dRow[hidden + j] = dc * cPrevious[s + j] * SigmoidDerivative(f);
                dRow[2 * hidden + j] = dc * i * TanhDerivative(g);
                dRow[3 * hidden + j] = dr * tc * SigmoidDerivative(o);
                dCell[s + j] = dc * f;
            }
        }
    }
}
