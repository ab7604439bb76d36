using Carnet.Layers;
using Carnet.Tests.Golden;

namespace Carnet.Tests.Layers;

/// <summary>One thread or two: the same bits, forward and backward, through the whole stack.</summary>
public sealed class ThreadCountTests
{
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_tanh")]
    [InlineData("peephole")]
    public void OneAndTwoThreadsGiveIdenticalBits(string cell)
    {
        float[] Run(int threads, out float[] gradients, out float[] inputGradient)
        {
            using (KernelSettings.Use(maximumThreads: threads))
            {
                var random = new RandomSource(13);
                var options = new RecurrentOptions { InputSize = 48, HiddenSize = 96, NumLayers = 2, Bidirectional = true, ProjectionSize = cell == "lstm" ? 40 : 0 };
                RecurrentLayer<float> layer = cell switch
                {
                    "lstm" => new Lstm<float>(options, random),
                    "gru" => new Gru<float>(options, random),
                    "peephole" => new PeepholeLstm<float>(options, random),
                    _ => new Rnn<float>(options, random),
                };
                var input = Tensor<float>.Zeros(30, 16, 48);
                var gradOutput = Tensor<float>.Zeros(30, 16, layer.OutputSize);
                random.FillGaussian(input.Span, 0, 1);
                random.FillGaussian(gradOutput.Span, 0, 1);
                var (result, grads) = GoldenLayerTests.RunStack(layer, input, null, null, [30, 12, 29, 1, 30, 7, 30, 30, 2, 30, 30, 18, 30, 30, 30, 9], gradOutput, null, null);
                gradients = layer.ParameterGradients.ToArray();
                inputGradient = grads.Input.Span.ToArray();
                return result.Output.Span.ToArray();
            }
        }

        float[] one = Run(1, out float[] oneGradients, out float[] oneInput);
        float[] two = Run(2, out float[] twoGradients, out float[] twoInput);
        Assert.Equal(one, two);
        Assert.Equal(oneGradients, twoGradients);
        Assert.Equal(oneInput, twoInput);
    }
}
