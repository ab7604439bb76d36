// Dimension legend: B = batch rows in this step, H = hidden size.
using System.Numerics;
using static Carnet.Kernels.Activations;

namespace Carnet.Kernels;

/// <summary>The point-wise part of one Elman RNN step: h_t = act(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh).</summary>
internal static class RnnKernels
{
    /// <summary>Forward step: pre-activations (B, H) on entry, h_t on exit, in place.</summary>
    public static void Forward<T>(bool relu, Span<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = relu ? Relu(values[i]) : Tanh(values[i]);
        }
    }

    /// <summary>Backward step: dPre (B, H) = dL/dh_t ⊙ act'(h_t), from the kept outputs h_t.</summary>
    public static void Backward<T>(bool relu, ReadOnlySpan<T> output, ReadOnlySpan<T> dOutput, Span<T> dPre)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dPre.Length; i++)
        {
            T derivative = relu ? ReluDerivative(output[i]) : TanhDerivative(output[i]);
            dPre[i] = dOutput[i] * derivative;
        }
    }
}
