using Carnet.Layers;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Layers;

/// <summary>Dropout between layers: training only, seeded, scaled by 1/(1 − p), never after the last layer.</summary>
public sealed class DropoutTests
{
    [Fact]
    public void EvaluationIgnoresDropoutAndTrainingAppliesItReproducibly()
    {
        var random = new RandomSource(2);
        var plain = new Lstm<double>(3, 8, numLayers: 2, random: new RandomSource(6));
        var dropped = new Lstm<double>(new RecurrentOptions { InputSize = 3, HiddenSize = 8, NumLayers = 2, Dropout = 0.5 }, new RandomSource(6));
        var input = Normal(random, 4, 2, 3);

        double[] evaluation = dropped.Forward(input).Output.ToDoubles();
        Assert.Equal(plain.Forward(input).Output.ToDoubles(), evaluation);
        double[] first = dropped.Forward(input, training: true, random: new RandomSource(11)).Output.ToDoubles();
        double[] again = dropped.Forward(input, training: true, random: new RandomSource(11)).Output.ToDoubles();
        double[] other = dropped.Forward(input, training: true, random: new RandomSource(12)).Output.ToDoubles();
        Assert.Equal(first, again);
        Assert.NotEqual(evaluation, first);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void MaskKeepsAboutOneMinusPAndScalesTheKeptValues()
    {
        var mask = new double[100_000];
        Carnet.Kernels.SequenceKernels.DropoutMask(new RandomSource(3), 0.3, mask.AsSpan());
        double kept = mask.Count(m => m != 0) / (double)mask.Length;
        Assert.InRange(kept, 0.69, 0.71);
        Assert.All(mask, m => Assert.True(m == 0 || Math.Abs(m - 1 / 0.7) < 1e-15));
    }

    [Fact]
    public void OneLayerHasNoDropout()
    {
        var layer = new Gru<double>(new RecurrentOptions { InputSize = 2, HiddenSize = 3, Dropout = 0.9 }, new RandomSource(1));
        var input = Normal(new RandomSource(2), 3, 2, 2);
        Assert.Equal(layer.Forward(input).Output.ToDoubles(), layer.Forward(input, training: true).Output.ToDoubles());
    }
}
