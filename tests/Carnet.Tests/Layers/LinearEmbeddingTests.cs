using Carnet.Layers;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Layers;

/// <summary>Linear and Embedding: hand-computed values, finite differences, and the padding index.</summary>
public sealed class LinearEmbeddingTests
{
    [Fact]
    public void LinearComputesXTimesWeightTransposedPlusBias()
    {
        var linear = new Linear<double>(2, 3);
        new double[] { 1, 2, 3, 4, 5, 6 }.CopyTo(linear.Weight.Value.Span); // (3, 2)
        new double[] { 0.5, -1, 2 }.CopyTo(linear.Bias!.Value.Span);
        var y = linear.Forward(Tensor<double>.FromValues([1, -1, 2, 0.5], 2, 2));
        Assert.Equal(new double[] { 1 - 2 + 0.5, 3 - 4 - 1, 5 - 6 + 2, 2 + 1 + 0.5, 6 + 2 - 1, 10 + 3 + 2 }, y.ToDoubles());
        Assert.Equal([2, 3], y.Shape);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LinearGradientsMatchFiniteDifferences(bool bias)
    {
        var random = new RandomSource(7);
        var linear = new Linear<double>(5, 3, bias, random);
        var input = Normal(random, 2, 3, 5);
        var weight = Normal(random, 2, 3, 3);
        double Loss() => Dot(linear.Forward(input), weight);
        var dInput = linear.Backward(input, weight);
        Check("input", input, dInput.Span, Loss);
        foreach (var parameter in linear.Parameters)
        {
            Check(parameter.Name, parameter.Value, parameter.Gradient.Span.ToArray(), Loss);
        }
    }

    [Fact]
    public void EmbeddingLooksUpRowsAndPaddingGetsNoGradient()
    {
        var embedding = new Embedding<double>(5, 3, paddingIndex: 0, random: new RandomSource(1));
        Assert.All(embedding.Weight.Value.Span[..3].ToArray(), v => Assert.Equal(0.0, v));
        int[] ids = [2, 0, 4, 2];
        var output = embedding.Forward(ids, 2, 2);
        Assert.Equal([2, 2, 3], output.Shape);
        Assert.Equal(embedding.Weight.Value.Span.Slice(6, 3).ToArray(), output.Span[..3].ToArray());
        Assert.Equal(embedding.Weight.Value.Span.Slice(12, 3).ToArray(), output.Span.Slice(6, 3).ToArray());

        var grad = Normal(new RandomSource(2), 2, 2, 3);
        embedding.Backward(ids, grad);
        double[] g = embedding.Weight.Gradient.ToDoubles();
        Assert.All(g[..3], v => Assert.Equal(0.0, v)); // padding row
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(grad.Span[j] + grad.Span[9 + j], g[6 + j], 15); // id 2 used twice: gradients add
            Assert.Equal(grad.Span[6 + j], g[12 + j], 15);
            Assert.Equal(0.0, g[3 + j]); // id 1 unused
        }

        Assert.Contains("outside the vocabulary of 5", Assert.Throws<ArgumentOutOfRangeException>(() => embedding.Forward([1, 5], 2)).Message);
    }

    [Fact]
    public void EmbeddingIsStandardNormalByDefault()
    {
        var embedding = new Embedding<double>(1000, 50, random: new RandomSource(3));
        double[] values = embedding.Weight.Value.ToDoubles();
        Assert.InRange(values.Average(), -0.01, 0.01);
        Assert.InRange(values.Select(v => v * v).Average(), 0.97, 1.03);
    }
}
