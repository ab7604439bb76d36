// Dimension legend: B = batch rows in this step, H = hidden size, N = floats per vector. The (B, H) buffers are
// contiguous, so each kernel runs over their B·H elements as one row.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Carnet.Kernels;

/// <summary>
/// The SIMD twin of <see cref="RnnKernels"/>' reference step for float, N elements at a time
/// (see <see cref="Columns.ForEach"/>), in place as the reference allows. tanh is <see cref="VectorMath"/>'s;
/// relu and both derivatives are exact (relu(NaN) = relu(−0) = +0 and relu'(y) = [y &gt; 0], as the reference).
/// </summary>
internal static class RnnKernelsSimd
{
    /// <summary>
    /// Forward step, as <see cref="RnnKernels.ForwardReference{T}"/>: pre-activations (B, H) in, h_t out.
    /// <paramref name="width"/> is <see cref="Columns.ForEach"/>'s (0: the widest accelerated).
    /// </summary>
    public static void Forward(bool relu, Span<float> values, int width = 0)
    {
        var step = new ForwardStep { Relu = relu, Values = ref MemoryMarshal.GetReference(values) };
        Columns.ForEach(ref step, values.Length, width);
    }

    /// <summary>
    /// Backward step, as <see cref="RnnKernels.BackwardReference{T}"/>: dPre (B, H) = dL/dh_t ⊙ act'(h_t), from the
    /// kept outputs h_t; dPre may share the buffer of either input.
    /// </summary>
    public static void Backward(bool relu, ReadOnlySpan<float> output, ReadOnlySpan<float> dOutput, Span<float> dPre, int width = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, dPre.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(dOutput.Length, dPre.Length);
        var step = new BackwardStep
        {
            Relu = relu,
            Output = ref MemoryMarshal.GetReference(output),
            DOutput = ref MemoryMarshal.GetReference(dOutput),
            DPre = ref MemoryMarshal.GetReference(dPre),
        };
        Columns.ForEach(ref step, dPre.Length, width);
    }

    /// <summary>The forward step over N elements.</summary>
    private ref struct ForwardStep : IColumnStep
    {
        public bool Relu;
        public ref float Values; // (B·H) pre-activations in, h_t out

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run<TVector>(nuint j)
            where TVector : struct, IFloatVector<TVector>
        {
            TVector x = TVector.Load(ref Values, j);
            TVector.Store(Relu ? TVector.WherePositive(x, x) : VectorMath.Tanh(x), ref Values, j);
        }
    }

    /// <summary>The backward step over N elements.</summary>
    private ref struct BackwardStep : IColumnStep
    {
        public bool Relu;
        public ref float Output; // (B·H) h_t
        public ref float DOutput; // (B·H) dL/dh_t
        public ref float DPre; // (B·H) dL/d(pre-activation)

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Run<TVector>(nuint j)
            where TVector : struct, IFloatVector<TVector>
        {
            TVector y = TVector.Load(ref Output, j);
            TVector one = TVector.Create(1f);
            TVector derivative = Relu ? TVector.WherePositive(y, one) : one - y * y;
            TVector.Store(TVector.Load(ref DOutput, j) * derivative, ref DPre, j);
        }
    }
}
