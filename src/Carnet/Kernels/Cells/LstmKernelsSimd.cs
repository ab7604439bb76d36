// Dimension legend: B = batch rows in this step, H = hidden size (cell state size), N = floats per vector.
// Gate blocks inside a (B, 4H) row are in PyTorch's order: i (input), f (forget), g (candidate), o (output).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Carnet.Kernels;

/// <summary>
/// The SIMD twin of <see cref="LstmKernels"/>' reference step for float: the same quantities in the same layout,
/// N columns of a row at a time (see <see cref="Columns.ForEach"/>). Each column reads all its inputs before it
/// writes, as the reference does, so the same buffers may be shared (gates in place, dL/dc in place).
/// σ and tanh are <see cref="VectorMath"/>'s; the rest is the reference's arithmetic in the reference's order.
/// </summary>
internal static class LstmKernelsSimd
{
    /// <summary>
    /// Forward step, as <see cref="LstmKernels.ForwardReference{T}"/>: gates (B, 4H) pre-activations in,
    /// activations out; writes c_t, tanh(c_t) and r_t = o ⊙ tanh(c_t), each (B, H).
    /// <paramref name="width"/> is <see cref="Columns.ForEach"/>'s (0: the widest accelerated).
    /// </summary>
    public static void Forward(
        ReadOnlySpan<float> cPrevious, int batch, int hidden,
        Span<float> gates, Span<float> cell, Span<float> tanhCell, Span<float> output, int width = 0)
        => Forward(cPrevious, batch, hidden, gates, cell, tanhCell, output, 0, hidden, width);

    /// <summary>
    /// The forward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>) of every row, the
    /// buffers keeping their whole layout: one thread's share of a step whose units are split between threads.
    /// </summary>
    public static void Forward(
        ReadOnlySpan<float> cPrevious, int batch, int hidden,
        Span<float> gates, Span<float> cell, Span<float> tanhCell, Span<float> output, int unitStart, int unitCount, int width = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(hidden);
        Columns.CheckRange(hidden, unitStart, unitCount);
        int rows = batch * hidden;
        ArgumentOutOfRangeException.ThrowIfLessThan(gates.Length, 4 * rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(cPrevious.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(cell.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(tanhCell.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, rows);

        // two passes per row: the four gates (independent of one another), then the cell, whose tanh waits on them;
        // each pass's columns are independent, so the processor overlaps consecutive columns' long σ/tanh chains
        for (int b = 0; b < batch; b++)
        {
            int s = b * hidden + unitStart, g = 4 * b * hidden + unitStart;
            var activate = new GateStep
            {
                Hidden = (nuint)hidden,
                Gates = ref Unsafe.Add(ref MemoryMarshal.GetReference(gates), g),
            };
            Columns.ForEach(ref activate, unitCount, width);
            var update = new CellStep
            {
                Hidden = (nuint)hidden,
                Gates = ref Unsafe.Add(ref MemoryMarshal.GetReference(gates), g),
                CPrevious = ref Unsafe.Add(ref MemoryMarshal.GetReference(cPrevious), s),
                Cell = ref Unsafe.Add(ref MemoryMarshal.GetReference(cell), s),
                TanhCell = ref Unsafe.Add(ref MemoryMarshal.GetReference(tanhCell), s),
                Output = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), s),
            };
            Columns.ForEach(ref update, unitCount, width);
        }
    }

    /// <summary>
    /// Backward step, as <see cref="LstmKernels.BackwardReference{T}"/>: dOutput (B, H) is dL/dr_t; dCell (B, H)
    /// holds dL/dc_t on entry and dL/dc_{t−1} on exit; dGates (B, 4H) receives dL/d(pre-activation) of each gate.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrevious, ReadOnlySpan<float> tanhCell, ReadOnlySpan<float> dOutput,
        int batch, int hidden,
        Span<float> dCell, Span<float> dGates, int width = 0)
        => Backward(gates, cPrevious, tanhCell, dOutput, batch, hidden, dCell, dGates, 0, hidden, width);

    /// <summary>The backward step over units [<paramref name="unitStart"/>, +<paramref name="unitCount"/>) of every row.</summary>
    public static void Backward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrevious, ReadOnlySpan<float> tanhCell, ReadOnlySpan<float> dOutput,
        int batch, int hidden,
        Span<float> dCell, Span<float> dGates, int unitStart, int unitCount, int width = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(hidden);
        Columns.CheckRange(hidden, unitStart, unitCount);
        int rows = batch * hidden;
        ArgumentOutOfRangeException.ThrowIfLessThan(gates.Length, 4 * rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(cPrevious.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(tanhCell.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(dOutput.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(dCell.Length, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(dGates.Length, 4 * rows);

        for (int b = 0; b < batch; b++)
        {
            int s = b * hidden + unitStart, g = 4 * b * hidden + unitStart;
            var step = new BackwardStep
            {
                Hidden = (nuint)hidden,
                Gates = ref Unsafe.Add(ref MemoryMarshal.GetReference(gates), g),
                CPrevious = ref Unsafe.Add(ref MemoryMarshal.GetReference(cPrevious), s),
                TanhCell = ref Unsafe.Add(ref MemoryMarshal.GetReference(tanhCell), s),
                DOutput = ref Unsafe.Add(ref MemoryMarshal.GetReference(dOutput), s),
                DCell = ref Unsafe.Add(ref MemoryMarshal.GetReference(dCell), s),
                DGates = ref Unsafe.Add(ref MemoryMarshal.GetReference(dGates), g),
            };
            Columns.ForEach(ref step, unitCount, width);
        }
    }

    /// <summary>One batch row of the forward step, first pass: i, f, o = σ, g = tanh of the pre-activations, in place.</summary>
    private ref struct GateStep : IColumnStep
    {
        public nuint Hidden;
        public ref float Gates; // (4H) i, f, g, o: pre-activations in, activations out

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run<TVector>(nuint j)
            where TVector : struct, IFloatVector<TVector>
        {
            nuint h = Hidden;
            TVector i = VectorMath.Sigmoid(TVector.Load(ref Gates, j));
            TVector f = VectorMath.Sigmoid(TVector.Load(ref Gates, h + j));
            TVector g = VectorMath.Tanh(TVector.Load(ref Gates, 2 * h + j));
            TVector o = VectorMath.Sigmoid(TVector.Load(ref Gates, 3 * h + j));
            TVector.Store(i, ref Gates, j);
            TVector.Store(f, ref Gates, h + j);
            TVector.Store(g, ref Gates, 2 * h + j);
            TVector.Store(o, ref Gates, 3 * h + j);
        }
    }

    /// <summary>One batch row of the forward step, second pass: c_t, tanh(c_t) and r_t from the activations.</summary>
    private ref struct CellStep : IColumnStep
    {
        public nuint Hidden;
        public ref float Gates; // (4H) i, f, g, o activations
        public ref float CPrevious; // (H)
        public ref float Cell; // (H)
        public ref float TanhCell; // (H)
        public ref float Output; // (H)

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run<TVector>(nuint j)
            where TVector : struct, IFloatVector<TVector>
        {
            nuint h = Hidden;
            TVector i = TVector.Load(ref Gates, j);
            TVector f = TVector.Load(ref Gates, h + j);
            TVector g = TVector.Load(ref Gates, 2 * h + j);
            TVector o = TVector.Load(ref Gates, 3 * h + j);
            TVector c = f * TVector.Load(ref CPrevious, j) + i * g;
            TVector tc = VectorMath.Tanh(c);
            TVector.Store(c, ref Cell, j);
            TVector.Store(tc, ref TanhCell, j);
            TVector.Store(o * tc, ref Output, j);
        }
    }

    /// <summary>One batch row of the backward step.</summary>
    private ref struct BackwardStep : IColumnStep
    {
        public nuint Hidden;
        public ref float Gates; // (4H) i, f, g, o activations
        public ref float CPrevious; // (H)
        public ref float TanhCell; // (H)
        public ref float DOutput; // (H) dL/dr_t
        public ref float DCell; // (H) dL/dc_t in, dL/dc_{t−1} out
        public ref float DGates; // (4H)

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run<TVector>(nuint j)
            where TVector : struct, IFloatVector<TVector>
        {
            nuint h = Hidden;
            TVector one = TVector.Create(1f);
            TVector i = TVector.Load(ref Gates, j);
            TVector f = TVector.Load(ref Gates, h + j);
            TVector g = TVector.Load(ref Gates, 2 * h + j);
            TVector o = TVector.Load(ref Gates, 3 * h + j);
            TVector tc = TVector.Load(ref TanhCell, j);
            TVector dr = TVector.Load(ref DOutput, j);
            TVector cPrevious = TVector.Load(ref CPrevious, j);

            // back through r = o ⊙ tanh(c): into c, and into o
            TVector dc = TVector.Load(ref DCell, j) + dr * o * (one - tc * tc);

            // back through c = f ⊙ c_{t−1} + i ⊙ g, then through each gate's nonlinearity
            TVector.Store(dc * g * (i * (one - i)), ref DGates, j);
            TVector.Store(dc * cPrevious * (f * (one - f)), ref DGates, h + j);
            TVector.Store(dc * i * (one - g * g), ref DGates, 2 * h + j);
            TVector.Store(dr * tc * (o * (one - o)), ref DGates, 3 * h + j);
            TVector.Store(dc * f, ref DCell, j);
        }
    }
}
