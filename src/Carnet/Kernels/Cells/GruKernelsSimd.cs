// Dimension legend: B = batch rows in this step, H = hidden size, N = floats per vector.
// Gate blocks inside a (B, 3H) row are in PyTorch's order: r (reset), z (update), n (new).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Carnet.Kernels;

/// <summary>
/// The SIMD twin of <see cref="GruKernels"/>' reference step for float: the same quantities in the same layout,
/// N columns of a row at a time (see <see cref="Columns.ForEach"/>). Each column reads all its inputs before it
/// writes, as the reference does, so gx is updated in place and dL/dh_{t−1} may share dL/dh_t's buffer.
/// σ and tanh are <see cref="VectorMath"/>'s; the rest is the reference's arithmetic in the reference's order.
/// </summary>
internal static class GruKernelsSimd
{
    /// <summary>
    /// Forward step, as <see cref="GruKernels.ForwardReference{T}"/>: gx (B, 3H) input pre-activations in,
    /// r, z, n out; gh (B, 3H) is read; writes h_t (B, H).
    /// <paramref name="width"/> is <see cref="Columns.ForEach"/>'s (0: the widest accelerated).
    /// </summary>
    public static void Forward(
        ReadOnlySpan<float> gh, ReadOnlySpan<float> hPrevious, int batch, int hidden,
        Span<float> gx, Span<float> output, int width = 0)
        => Forward(gh, hPrevious, batch, hidden, gx, output, 0, hidden, width);

    /// <summary>The forward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>) of every row.</summary>
    public static void Forward(
        ReadOnlySpan<float> gh, ReadOnlySpan<float> hPrevious, int batch, int hidden,
        Span<float> gx, Span<float> output, int unitStart, int unitCount, int width = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(hidden);
        Columns.CheckRange(hidden, unitStart, unitCount);
        int rows = batch * hidden;
        ArgumentOutOfRangeException.ThrowIfLessThan(gh.Length, 3 * rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(hPrevious.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(gx.Length, 3 * rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, rows);

        // two passes per row: r and z (independent), then n, which waits on r, and h; each pass's columns are
        // independent, so the processor overlaps consecutive columns' σ/tanh chains
        for (int b = 0; b < batch; b++)
        {
            int s = b * hidden + unitStart, g = 3 * b * hidden + unitStart;
            var gates = new GateStep
            {
                Hidden = (nuint)hidden,
                Gh = ref Unsafe.Add(ref MemoryMarshal.GetReference(gh), g),
                Gx = ref Unsafe.Add(ref MemoryMarshal.GetReference(gx), g),
            };
            Columns.ForEach(ref gates, unitCount, width);
            var step = new ForwardStep
            {
                Hidden = (nuint)hidden,
                Gh = ref Unsafe.Add(ref MemoryMarshal.GetReference(gh), g),
                HPrevious = ref Unsafe.Add(ref MemoryMarshal.GetReference(hPrevious), s),
                Gx = ref Unsafe.Add(ref MemoryMarshal.GetReference(gx), g),
                Output = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), s),
            };
            Columns.ForEach(ref step, unitCount, width);
        }
    }

    /// <summary>
    /// Backward step, as <see cref="GruKernels.BackwardReference{T}"/>: dOutput (B, H) is dL/dh_t; writes
    /// dGx (B, 3H), dGh (B, 3H) and dHPrevious (B, H) = the direct part z ⊙ dL/dh_t.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> activations, ReadOnlySpan<float> gh, ReadOnlySpan<float> hPrevious, ReadOnlySpan<float> dOutput,
        int batch, int hidden,
        Span<float> dGx, Span<float> dGh, Span<float> dHPrevious, int width = 0)
        => Backward(activations, gh, hPrevious, dOutput, batch, hidden, dGx, dGh, dHPrevious, 0, hidden, width);

    /// <summary>The backward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>) of every row.</summary>
    public static void Backward(
        ReadOnlySpan<float> activations, ReadOnlySpan<float> gh, ReadOnlySpan<float> hPrevious, ReadOnlySpan<float> dOutput,
        int batch, int hidden,
        Span<float> dGx, Span<float> dGh, Span<float> dHPrevious, int unitStart, int unitCount, int width = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(hidden);
        Columns.CheckRange(hidden, unitStart, unitCount);
        int rows = batch * hidden;
        ArgumentOutOfRangeException.ThrowIfLessThan(activations.Length, 3 * rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(gh.Length, 3 * rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(hPrevious.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(dOutput.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(dGx.Length, 3 * rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(dGh.Length, 3 * rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(dHPrevious.Length, rows);

        for (int b = 0; b < batch; b++)
        {
            int s = b * hidden + unitStart, g = 3 * b * hidden + unitStart;
            var step = new BackwardStep
            {
                Hidden = (nuint)hidden,
                Activations = ref Unsafe.Add(ref MemoryMarshal.GetReference(activations), g),
                Gh = ref Unsafe.Add(ref MemoryMarshal.GetReference(gh), g),
                HPrevious = ref Unsafe.Add(ref MemoryMarshal.GetReference(hPrevious), s),
                DOutput = ref Unsafe.Add(ref MemoryMarshal.GetReference(dOutput), s),
                DGx = ref Unsafe.Add(ref MemoryMarshal.GetReference(dGx), g),
                DGh = ref Unsafe.Add(ref MemoryMarshal.GetReference(dGh), g),
                DHPrevious = ref Unsafe.Add(ref MemoryMarshal.GetReference(dHPrevious), s),
            };
            Columns.ForEach(ref step, unitCount, width);
        }
    }

    /// <summary>One batch row of the forward step, first pass: r and z, written over their input pre-activations.</summary>
    private ref struct GateStep : IColumnStep
    {
        public nuint Hidden;
        public ref float Gh; // (3H) W_hh·h_{t−1} + b_hh
        public ref float Gx; // (3H) W_ih·x_t + b_ih in; r, z out

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run<TVector>(nuint j)
            where TVector : struct, IFloatVector<TVector>
        {
            nuint h = Hidden;
            TVector r = VectorMath.Sigmoid(TVector.Load(ref Gx, j) + TVector.Load(ref Gh, j));
            TVector z = VectorMath.Sigmoid(TVector.Load(ref Gx, h + j) + TVector.Load(ref Gh, h + j));
            TVector.Store(r, ref Gx, j);
            TVector.Store(z, ref Gx, h + j);
        }
    }

    /// <summary>One batch row of the forward step, second pass: n and h_t from r and z.</summary>
    private ref struct ForwardStep : IColumnStep
    {
        public nuint Hidden;
        public ref float Gh; // (3H) W_hh·h_{t−1} + b_hh
        public ref float HPrevious; // (H)
        public ref float Gx; // (3H) r, z in; the n block's input pre-activation in, n out
        public ref float Output; // (H) h_t

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run<TVector>(nuint j)
            where TVector : struct, IFloatVector<TVector>
        {
            nuint h = Hidden;
            TVector r = TVector.Load(ref Gx, j);
            TVector z = TVector.Load(ref Gx, h + j);
            TVector n = VectorMath.Tanh(TVector.Load(ref Gx, 2 * h + j) + r * TVector.Load(ref Gh, 2 * h + j));
            TVector hPrevious = TVector.Load(ref HPrevious, j);

            TVector.Store(n, ref Gx, 2 * h + j);
            TVector.Store((TVector.Create(1f) - z) * n + z * hPrevious, ref Output, j);
        }
    }

    /// <summary>One batch row of the backward step.</summary>
    private ref struct BackwardStep : IColumnStep
    {
        public nuint Hidden;
        public ref float Activations; // (3H) r, z, n
        public ref float Gh; // (3H)
        public ref float HPrevious; // (H)
        public ref float DOutput; // (H) dL/dh_t
        public ref float DGx; // (3H)
        public ref float DGh; // (3H)
        public ref float DHPrevious; // (H)

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run<TVector>(nuint j)
            where TVector : struct, IFloatVector<TVector>
        {
            nuint h = Hidden;
            TVector one = TVector.Create(1f);
            TVector r = TVector.Load(ref Activations, j);
            TVector z = TVector.Load(ref Activations, h + j);
            TVector n = TVector.Load(ref Activations, 2 * h + j);
            TVector ghN = TVector.Load(ref Gh, 2 * h + j);
            TVector hPrevious = TVector.Load(ref HPrevious, j);
            TVector d = TVector.Load(ref DOutput, j);

            // back through h = (1 − z) ⊙ n + z ⊙ h_{t−1}
            TVector dn = d * (one - z);
            TVector dz = d * (hPrevious - n);

            // back through n = tanh(gx_n + r ⊙ gh_n), then through the sigmoids of r and z
            TVector dnPre = dn * (one - n * n);
            TVector drPre = dnPre * ghN * (r * (one - r));
            TVector dzPre = dz * (z * (one - z));

            TVector.Store(d * z, ref DHPrevious, j);
            TVector.Store(drPre, ref DGx, j);
            TVector.Store(dzPre, ref DGx, h + j);
            TVector.Store(dnPre, ref DGx, 2 * h + j);
            TVector.Store(drPre, ref DGh, j);
            TVector.Store(dzPre, ref DGh, h + j);
            TVector.Store(dnPre * r, ref DGh, 2 * h + j);
        }
    }
}
