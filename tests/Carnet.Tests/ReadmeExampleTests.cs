using Carnet.Layers;

namespace Carnet.Tests;

/// <summary>The library example of README.md, kept compiling and true.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void ExampleRunsAndPrintsWhatTheReadmeSays()
    {
        var lstm = new Lstm<float>(inputSize: 2, hiddenSize: 64, numLayers: 2, batchFirst: true, random: new RandomSource(42));
        var input = Tensor<float>.Zeros(32, 100, 2);
        int[] lengths = Enumerable.Range(0, 32).Select(b => 100 - b).ToArray();
        var result = lstm.Forward(input, lengths: lengths);
        Assert.Equal("Tensor<Single>[32, 100, 64]", result.Output.ToString());
        Assert.Equal("Tensor<Single>[2, 32, 64]", result.HiddenState.ToString());
        lstm.Backward(result, gradOutput: Tensor<float>.Zeros(32, 100, 64));
        Assert.Equal("Tensor<Single>[256, 64]", lstm.GetParameter("weight_hh_l1").Gradient.ToString());
        Assert.Equal(0f, result.Output[31, 99, 0]); // past the last sequence's length of 69: padding is zero
        Assert.NotEqual(0f, result.Output[31, 68, 0]);
    }
}
