// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, L = layers.
using Carnet.Layers;

namespace Carnet.Tests.Layers;

/// <summary>
/// <see cref="RecurrentLayer{T}.Freeze"/>: the weights packed once give the same bits as packing them in every pass,
/// for every cell, projection, direction, padding and thread count, and a frozen layer refuses to be trained.
/// </summary>
public sealed class FreezeTests
{
    [Theory]
    [InlineData("lstm", 0, 1)]
    [InlineData("lstm", 7, 2)]
    [InlineData("gru", 0, 1)]
    [InlineData("gru", 0, 2)]
    [InlineData("rnn", 0, 2)]
    [InlineData("peephole", 0, 2)]
    public void FrozenForwardGivesTheUnfrozenBits(string cell, int projection, int threads)
    {
        using var scope = KernelSettings.Use(maximumThreads: threads);
        var options = new RecurrentOptions { InputSize = 13, HiddenSize = 37, NumLayers = 2, Bidirectional = true, ProjectionSize = projection };
        var layer = Build(cell, options, 5);
        var random = new RandomSource(6);
        var input = Tensor<float>.Zeros(9, 5, 13); // (T, B, I)
        random.FillGaussian(input.Span, 0, 1);
        int[] lengths = [9, 4, 9, 1, 6];

        using var unfrozen = layer.ForwardCore(input, null, null, lengths, training: false, random: null);
        layer.Freeze();
        Assert.True(layer.IsFrozen);
        using var frozen = layer.ForwardCore(input, null, null, lengths, training: false, random: null);
        using var again = layer.ForwardCore(input, null, null, lengths, training: false, random: null);

        Assert.Equal(unfrozen.Output.Span.ToArray(), frozen.Output.Span.ToArray());
        Assert.Equal(unfrozen.HiddenState.Span.ToArray(), frozen.HiddenState.Span.ToArray());
        Assert.Equal(frozen.Output.Span.ToArray(), again.Output.Span.ToArray());
        Assert.NotEqual(0f, frozen.Output.Span.ToArray().Max(Math.Abs));
    }

    [Fact]
    public void FrozenDoublePrecisionLayerGivesTheUnfrozenBits()
    {
        var layer = new Gru<double>(new RecurrentOptions { InputSize = 3, HiddenSize = 5, NumLayers = 2 }, new RandomSource(8));
        var input = Tensor<double>.Zeros(4, 2, 3);
        new RandomSource(9).FillGaussian(input.Span, 0, 1);
        using var unfrozen = layer.Forward(input);
        layer.Freeze();
        using var frozen = layer.Forward(input);
        Assert.Equal(unfrozen.Output.Span.ToArray(), frozen.Output.Span.ToArray());
    }

    [Fact]
    public void FrozenLayerRefusesTrainingUntilUnfrozen()
    {
        var layer = new Lstm<float>(new RecurrentOptions { InputSize = 3, HiddenSize = 4 }, new RandomSource(1));
        var input = Tensor<float>.Zeros(2, 1, 3);
        input.Span.Fill(0.5f);
        using var inference = layer.Forward(input);
        layer.Freeze();
        var error = Assert.Throws<InvalidOperationException>(() => layer.Forward(input, training: true));
        Assert.Contains("Unfreeze", error.Message);
        Assert.Throws<InvalidOperationException>(() => layer.Backward(inference, null));

        layer.Unfreeze();
        Assert.False(layer.IsFrozen);
        layer.GetParameter("weight_hh_l0").Value.Span[0] += 1f; // seen again once unfrozen
        using var trained = layer.Forward(input, training: true);
        Assert.NotEqual(inference.Output.Span[4], trained.Output.Span[4]);
        var gradOutput = Tensor<float>.Zeros(2, 1, 4);
        gradOutput.Span.Fill(1f);
        Assert.NotEqual(0f, layer.Backward(trained, gradOutput).Input.Span.ToArray().Max(Math.Abs));
    }

    private static RecurrentLayer<float> Build(string cell, RecurrentOptions options, ulong seed)
    {
        var random = new RandomSource(seed);
        return cell switch
        {
            "lstm" => new Lstm<float>(options, random),
            "gru" => new Gru<float>(options, random),
            "peephole" => new PeepholeLstm<float>(options, random),
            _ => new Rnn<float>(options, random),
        };
    }
}
