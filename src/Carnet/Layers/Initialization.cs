using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>PyTorch's default initialisation of each layer, and the optional alternatives.</summary>
internal static class Initialization
{
    /// <summary>
    /// Every parameter uniform in [−1/√H, 1/√H] (PyTorch's <c>reset_parameters</c> for RNN modules), drawn in
    /// state_dict order; then the options: orthogonal gate blocks of <c>weight_hh</c>, and a forget-gate bias
    /// (set on <c>bias_ih</c>, with the forget block of <c>bias_hh</c> at zero, so their sum is the value).
    /// </summary>
    public static void ResetRecurrent<T>(Module<T> module, RecurrentCellKind kind, RecurrentOptions options, RandomSource random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double bound = 1.0 / Math.Sqrt(options.HiddenSize);
        int hidden = options.HiddenSize;
        var cell = RecurrentCells.Of(kind);
        foreach (var parameter in module.Parameters)
        {
            random.FillUniform(parameter.Value.Span, -bound, bound);
        }

        foreach (var parameter in module.Parameters)
        {
            Span<T> values = parameter.Value.Span;
            if (options.RecurrentWeightInitialization == RecurrentWeightInitialization.Orthogonal && parameter.Name.StartsWith("weight_hh", StringComparison.Ordinal))
            {
                int columns = parameter.Shape[1];
                for (int gate = 0; gate < cell.GateCount; gate++)
                {
                    LinearAlgebra.Orthogonal(random, hidden, columns, values.Slice(gate * hidden * columns, hidden * columns));
                }
            }

            if (cell.SupportsGateBiases && parameter.Name.StartsWith("bias_", StringComparison.Ordinal))
            {
                // gate blocks i, f, g, o: the chosen bias goes on the input side, the hidden side's block is zero
                bool inputSide = parameter.Name.StartsWith("bias_ih", StringComparison.Ordinal);
                SetGateBias(values, 0, hidden, options.InputGateBias, inputSide);
                SetGateBias(values, 1, hidden, options.ForgetGateBias, inputSide);
            }
        }
    }

    private static void SetGateBias<T>(Span<T> bias, int gate, int hidden, double? value, bool inputSide)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (value is { } v)
        {
            bias.Slice(gate * hidden, hidden).Fill(inputSide ? T.CreateTruncating(v) : T.Zero);
        }
    }

    /// <summary>Uniform in [−1/√fan_in, 1/√fan_in]: what PyTorch's kaiming_uniform_(a=√5) gives a Linear weight, and its bias.</summary>
    public static void ResetLinear<T>(Module<T> module, int inputSize, RandomSource random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double bound = inputSize > 0 ? 1.0 / Math.Sqrt(inputSize) : 0;
        foreach (var parameter in module.Parameters)
        {
            random.FillUniform(parameter.Value.Span, -bound, bound);
        }
    }
}
