// Scalar activation functions and their derivatives written in terms of the activation's output,
// which is what the backward kernels keep: σ' = y(1 − y), tanh' = 1 − y², relu' = [y > 0].
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Carnet.Kernels;

/// <summary>The nonlinearities of the recurrent cells, one scalar at a time (the reference definitions).</summary>
internal static class Activations
{
    /// <summary>σ(x) = 1 / (1 + e^(−x)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.One / (T.One + T.Exp(-x));

    /// <summary>dσ/dx given y = σ(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T SigmoidDerivative<T>(T y)
        where T : unmanaged, IFloatingPointIeee754<T>
        => y * (T.One - y);

    /// <summary>tanh(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.Tanh(x);

    /// <summary>d tanh/dx given y = tanh(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T TanhDerivative<T>(T y)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.One - y * y;

    /// <summary>max(x, 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Relu<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => x > T.Zero ? x : T.Zero;

    /// <summary>d relu/dx given y = relu(x) (0 at the kink, as PyTorch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ReluDerivative<T>(T y)
        where T : unmanaged, IFloatingPointIeee754<T>
        => y > T.Zero ? T.One : T.Zero;
}
