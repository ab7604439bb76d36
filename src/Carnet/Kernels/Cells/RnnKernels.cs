// Dimension legend: B = batch rows in this step, H = hidden size.
using System.Numerics;
using System.Runtime.InteropServices;
using static Carnet.Kernels.Activations;

namespace Carnet.Kernels;

/// <summary>
/// The point-wise part of one Elman RNN step: h_t = act(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh).
/// <see cref="Forward{T}"/> and <see cref="Backward{T}"/> run <see cref="RnnKernelsSimd"/> for float (unless
/// <see cref="KernelSettings.UseReferenceKernels"/>) and the scalar reference otherwise.
/// </summary>
internal static class RnnKernels
{
    /// <summary>Forward step: see <see cref="ForwardReference{T}"/>.</summary>
    public static void Forward<T>(bool relu, Span<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && !KernelSettings.UseReferenceKernels)
        {
            RnnKernelsSimd.Forward(relu, MemoryMarshal.Cast<T, float>(values));
            return;
        }

        ForwardReference(relu, values);
    }

    /// <summary>Backward step: see <see cref="BackwardReference{T}"/>.</summary>
    public static void Backward<T>(bool relu, ReadOnlySpan<T> output, ReadOnlySpan<T> dOutput, Span<T> dPre)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && !KernelSettings.UseReferenceKernels)
        {
            RnnKernelsSimd.Backward(
                relu, MemoryMarshal.Cast<T, float>(output), MemoryMarshal.Cast<T, float>(dOutput),
                MemoryMarshal.Cast<T, float>(dPre));
            return;
        }

        BackwardReference(relu, output, dOutput, dPre);
    }

    /// <summary>Forward step, the scalar reference: pre-activations (B, H) on entry, h_t on exit, in place.</summary>
    public static void ForwardReference<T>(bool relu, Span<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = relu ? Relu(values[i]) : Tanh(values[i]);
        }
    }

    /// <summary>
    /// Backward step, the scalar reference: dPre (B, H) = dL/dh_t ⊙ act'(h_t), from the kept outputs h_t.
    /// </summary>
    public static void BackwardReference<T>(bool relu, ReadOnlySpan<T> output, ReadOnlySpan<T> dOutput, Span<T> dPre)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dPre.Length; i++)
        {
            T derivative = relu ? ReluDerivative(output[i]) : TanhDerivative(output[i]);
            dPre[i] = dOutput[i] * derivative;
        }
    }
}
