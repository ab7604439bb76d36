// Dimension legend: B = batch rows in this step, H = hidden size.
// Gate blocks inside a (B, 3H) row are in PyTorch's order: r (reset), z (update), n (new).
using System.Numerics;
using System.Runtime.InteropServices;
using static Carnet.Kernels.Activations;

namespace Carnet.Kernels;

/// <summary>
/// The point-wise part of one GRU step, with PyTorch's definition. gx = W_ih·x_t + b_ih and
/// gh = W_hh·h_{t−1} + b_hh are kept apart because the reset gate multiplies only the hidden part of n:
/// r = σ(gx_r + gh_r); z = σ(gx_z + gh_z); n = tanh(gx_n + r ⊙ gh_n); h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
/// the Forward and Backward methods run <see cref="GruKernelsSimd"/> for float (unless
/// <see cref="KernelSettings.UseReferenceKernels"/>) and the scalar reference otherwise.
/// </summary>
internal static class GruKernels
{
    /// <summary>Forward step: see <see cref="ForwardReference{T}"/>.</summary>
    public static void Forward<T>(
        ReadOnlySpan<T> gh, ReadOnlySpan<T> hPrevious, int batch, int hidden,
        Span<T> gx, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Forward(gh, hPrevious, batch, hidden, gx, output, 0, hidden);

    /// <summary>Forward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>) of every row.</summary>
    public static void Forward<T>(
        ReadOnlySpan<T> gh, ReadOnlySpan<T> hPrevious, int batch, int hidden,
        Span<T> gx, Span<T> output, int unitStart, int unitCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && !KernelSettings.UseReferenceKernels)
        {
            GruKernelsSimd.Forward(
                MemoryMarshal.Cast<T, float>(gh), MemoryMarshal.Cast<T, float>(hPrevious), batch, hidden,
                MemoryMarshal.Cast<T, float>(gx), MemoryMarshal.Cast<T, float>(output), unitStart, unitCount);
            return;
        }

        ForwardReference(gh, hPrevious, batch, hidden, gx, output, unitStart, unitCount);
    }

    /// <summary>Backward step: see <see cref="BackwardReference{T}"/>.</summary>
    public static void Backward<T>(
        ReadOnlySpan<T> activations, ReadOnlySpan<T> gh, ReadOnlySpan<T> hPrevious, ReadOnlySpan<T> dOutput,
        int batch, int hidden,
        Span<T> dGx, Span<T> dGh, Span<T> dHPrevious)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Backward(activations, gh, hPrevious, dOutput, batch, hidden, dGx, dGh, dHPrevious, 0, hidden);

    /// <summary>Backward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>) of every row.</summary>
    public static void Backward<T>(
        ReadOnlySpan<T> activations, ReadOnlySpan<T> gh, ReadOnlySpan<T> hPrevious, ReadOnlySpan<T> dOutput,
        int batch, int hidden,
        Span<T> dGx, Span<T> dGh, Span<T> dHPrevious, int unitStart, int unitCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && !KernelSettings.UseReferenceKernels)
        {
            GruKernelsSimd.Backward(
                MemoryMarshal.Cast<T, float>(activations), MemoryMarshal.Cast<T, float>(gh),
                MemoryMarshal.Cast<T, float>(hPrevious), MemoryMarshal.Cast<T, float>(dOutput), batch, hidden,
                MemoryMarshal.Cast<T, float>(dGx), MemoryMarshal.Cast<T, float>(dGh), MemoryMarshal.Cast<T, float>(dHPrevious),
                unitStart, unitCount);
            return;
        }

        BackwardReference(activations, gh, hPrevious, dOutput, batch, hidden, dGx, dGh, dHPrevious, unitStart, unitCount);
    }

    /// <summary>
    /// Forward step, the scalar reference. gx (B, 3H) holds the input pre-activations on entry and the activations
    /// r, z, n on exit; gh (B, 3H) is read (the backward step needs its n block). Writes h_t (B, H).
    /// </summary>
    public static void ForwardReference<T>(
        ReadOnlySpan<T> gh, ReadOnlySpan<T> hPrevious, int batch, int hidden,
        Span<T> gx, Span<T> output, int unitStart = 0, int unitCount = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int end = unitStart + (unitCount < 0 ? hidden - unitStart : unitCount);
        for (int b = 0; b < batch; b++)
        {
            Span<T> x = gx.Slice(b * 3 * hidden, 3 * hidden);
            ReadOnlySpan<T> h = gh.Slice(b * 3 * hidden, 3 * hidden);
            int s = b * hidden;
            for (int j = unitStart; j < end; j++)
            {
                T r = Sigmoid(x[j] + h[j]);
                T z = Sigmoid(x[hidden + j] + h[hidden + j]);
                T n = Tanh(x[2 * hidden + j] + r * h[2 * hidden + j]);
                x[j] = r;
                x[hidden + j] = z;
                x[2 * hidden + j] = n;
                output[s + j] = (T.One - z) * n + z * hPrevious[s + j];
            }
        }
    }

    /// <summary>
    /// Backward step, the scalar reference. dOutput (B, H) is dL/dh_t. Writes dGx (B, 3H) = dL/d(gx),
    /// dGh (B, 3H) = dL/d(gh), and dHPrevious (B, H) = the direct part z ⊙ dL/dh_t (the caller adds dGh · W_hh).
    /// </summary>
    public static void BackwardReference<T>(
        ReadOnlySpan<T> activations, ReadOnlySpan<T> gh, ReadOnlySpan<T> hPrevious, ReadOnlySpan<T> dOutput,
        int batch, int hidden,
        Span<T> dGx, Span<T> dGh, Span<T> dHPrevious, int unitStart = 0, int unitCount = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int end = unitStart + (unitCount < 0 ? hidden - unitStart : unitCount);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> a = activations.Slice(b * 3 * hidden, 3 * hidden);
            ReadOnlySpan<T> h = gh.Slice(b * 3 * hidden, 3 * hidden);
            Span<T> dx = dGx.Slice(b * 3 * hidden, 3 * hidden);
            Span<T> dh = dGh.Slice(b * 3 * hidden, 3 * hidden);
            int s = b * hidden;
            for (int j = unitStart; j < end; j++)
            {
                T r = a[j], z = a[hidden + j], n = a[2 * hidden + j];
                T d = dOutput[s + j];

                // back through h = (1 − z) ⊙ n + z ⊙ h_{t−1}
                T dn = d * (T.One - z);
                T dz = d * (hPrevious[s + j] - n);
                dHPrevious[s + j] = d * z;

                // back through n = tanh(gx_n + r ⊙ gh_n)
                T dnPre = dn * TanhDerivative(n);
                T dr = dnPre * h[2 * hidden + j];

                // back through the sigmoids of r and z
                T drPre = dr * SigmoidDerivative(r);
                T dzPre = dz * SigmoidDerivative(z);
                dx[j] = drPre;
                dx[hidden + j] = dzPre;
                dx[2 * hidden + j] = dnPre;
                dh[j] = drPre;
                dh[hidden + j] = dzPre;
                dh[2 * hidden + j] = dnPre * r;
            }
        }
    }
}
