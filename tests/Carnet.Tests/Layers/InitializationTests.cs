using Carnet.Layers;

namespace Carnet.Tests.Layers;

/// <summary>PyTorch's default initialisation, its options, and bit-identical weights for a seed.</summary>
public sealed class InitializationTests
{
    [Fact]
    public void SameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot()
    {
        float[] a = new Lstm<float>(3, 8, numLayers: 2, bidirectional: true, random: new RandomSource(42)).ParameterValues.ToArray();
        float[] b = new Lstm<float>(3, 8, numLayers: 2, bidirectional: true, random: new RandomSource(42)).ParameterValues.ToArray();
        float[] c = new Lstm<float>(3, 8, numLayers: 2, bidirectional: true, random: new RandomSource(43)).ParameterValues.ToArray();
        Assert.Equal(a.Select(BitConverter.SingleToInt32Bits), b.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void DefaultIsUniformWithinOneOverSquareRootOfHidden()
    {
        var gru = new Gru<double>(10, 64, numLayers: 2, random: new RandomSource(1));
        double bound = 1 / Math.Sqrt(64);
        double[] values = gru.ParameterValues.ToArray();
        Assert.All(values, v => Assert.InRange(v, -bound, bound));
        double variance = values.Select(v => v * v).Average();
        Assert.InRange(variance, 0.95 * bound * bound / 3, 1.05 * bound * bound / 3); // U(−a, a) has variance a²/3
        Assert.InRange(values.Average(), -0.01 * bound, 0.01 * bound);
    }

    [Fact]
    public void OrthogonalRecurrentBlocksAndForgetBias()
    {
        var options = new RecurrentOptions
        {
            InputSize = 3, HiddenSize = 6, NumLayers = 2, Bidirectional = true, ProjectionSize = 4,
            RecurrentWeightInitialization = RecurrentWeightInitialization.Orthogonal, ForgetGateBias = 1.0,
        };
        var lstm = new Lstm<double>(options, new RandomSource(9));
        foreach (var parameter in lstm.Parameters.Where(p => p.Name.StartsWith("weight_hh", StringComparison.Ordinal)))
        {
            for (int gate = 0; gate < 4; gate++)
            {
                // each (H, P) = (6, 4) block has orthonormal columns: QᵀQ = I
                var q = parameter.Value.Span.Slice(gate * 24, 24).ToArray();
                for (int i = 0; i < 4; i++)
                {
                    for (int j = 0; j < 4; j++)
                    {
                        double dot = Enumerable.Range(0, 6).Sum(r => q[r * 4 + i] * q[r * 4 + j]);
                        Assert.Equal(i == j ? 1.0 : 0.0, dot, 12);
                    }
                }
            }
        }

        foreach (var parameter in lstm.Parameters.Where(p => p.Name.StartsWith("bias_", StringComparison.Ordinal)))
        {
            double expected = parameter.Name.StartsWith("bias_ih", StringComparison.Ordinal) ? 1.0 : 0.0;
            Assert.All(parameter.Value.Span.Slice(6, 6).ToArray(), v => Assert.Equal(expected, v));
            Assert.Contains(parameter.Value.Span.Slice(0, 6).ToArray(), v => v != 0 && Math.Abs(v) <= 1 / Math.Sqrt(6));
        }
    }

    [Fact]
    public void GateBiasesGoOnTheInputSideOfTheirBlocksOnly()
    {
        var options = new RecurrentOptions { InputSize = 2, HiddenSize = 5, NumLayers = 2, InputGateBias = -5, ForgetGateBias = 5 };
        var lstm = new Lstm<double>(options, new RandomSource(3));
        var plain = new Lstm<double>(options with { InputGateBias = null, ForgetGateBias = null }, new RandomSource(3));
        foreach (var parameter in lstm.Parameters)
        {
            double[] values = parameter.Value.Span.ToArray(), reference = plain.GetParameter(parameter.Name).Value.Span.ToArray();
            if (!parameter.Name.StartsWith("bias_", StringComparison.Ordinal))
            {
                Assert.Equal(reference, values);
                continue;
            }

            bool inputSide = parameter.Name.StartsWith("bias_ih", StringComparison.Ordinal);
            Assert.All(values[..5], v => Assert.Equal(inputSide ? -5.0 : 0.0, v)); // i
            Assert.All(values[5..10], v => Assert.Equal(inputSide ? 5.0 : 0.0, v)); // f
            Assert.Equal(reference[10..], values[10..]); // g and o keep PyTorch's draw
        }

        Assert.Throws<ArgumentException>(() => new Gru<double>(new RecurrentOptions { InputSize = 2, HiddenSize = 5, InputGateBias = -5 }));
    }

    [Fact]
    public void ParametersCarryPyTorchNamesAndShapesInStateDictOrder()
    {
        var lstm = new Lstm<float>(3, 6, numLayers: 2, bidirectional: true, projectionSize: 2);
        Assert.Equal(
            [
                "weight_ih_l0 [24, 3]", "weight_hh_l0 [24, 2]", "bias_ih_l0 [24]", "bias_hh_l0 [24]", "weight_hr_l0 [2, 6]",
                "weight_ih_l0_reverse [24, 3]", "weight_hh_l0_reverse [24, 2]", "bias_ih_l0_reverse [24]", "bias_hh_l0_reverse [24]", "weight_hr_l0_reverse [2, 6]",
                "weight_ih_l1 [24, 4]", "weight_hh_l1 [24, 2]", "bias_ih_l1 [24]", "bias_hh_l1 [24]", "weight_hr_l1 [2, 6]",
                "weight_ih_l1_reverse [24, 4]", "weight_hh_l1_reverse [24, 2]", "bias_ih_l1_reverse [24]", "bias_hh_l1_reverse [24]", "weight_hr_l1_reverse [2, 6]",
            ],
            lstm.Parameters.Select(p => p.ToString()));
        Assert.Equal(["weight_ih [15, 3]", "weight_hh [15, 5]"], new GruCell<float>(3, 5, bias: false).Parameters.Select(p => p.ToString()));
    }
}
