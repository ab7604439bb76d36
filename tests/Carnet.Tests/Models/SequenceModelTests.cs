using Carnet.Layers;
using Carnet.Models;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Models;

/// <summary>The sequence model's pooling over time and head, by finite differences, with and without lengths.</summary>
public sealed class SequenceModelTests
{
    [Theory]
    [InlineData(Pooling.Last, false)]
    [InlineData(Pooling.Last, true)]
    [InlineData(Pooling.Mean, false)]
    [InlineData(Pooling.Mean, true)]
    [InlineData(Pooling.Max, false)]
    [InlineData(Pooling.Max, true)]
    [InlineData(Pooling.None, true)]
    [InlineData(Pooling.Attention, false)]
    [InlineData(Pooling.Attention, true)]
    public void GradientsMatchFiniteDifferences(Pooling pooling, bool lengths)
    {
        var random = new RandomSource(31);
        var model = new SequenceModel<double>(
            RecurrentCellKind.Gru, new RecurrentOptions { InputSize = 3, HiddenSize = 5, NumLayers = 2, Bidirectional = true }, 2, pooling, random);
        int[]? valid = lengths ? [3, 1, 4] : null;
        var input = Normal(random, 3, 4, 3);
        var first = model.Forward(input, valid);
        var weight = Normal(random, first.Prediction.Shape.ToArray());
        double Loss() => Dot(model.Forward(input, valid).Prediction, weight);
        model.Backward(first, weight);
        foreach (var (prefix, module) in model.Modules)
        {
            foreach (var parameter in module.Parameters)
            {
                Check(prefix + parameter.Name, parameter.Value, parameter.Gradient.Span.ToArray(), Loss);
            }
        }
    }

    [Fact]
    public void LastPoolingReadsEachSequencesOwnLastStep()
    {
        var model = new SequenceModel<double>(
            RecurrentCellKind.Lstm, new RecurrentOptions { InputSize = 2, HiddenSize = 3 }, 1, Pooling.Last, new RandomSource(1));
        var input = Normal(new RandomSource(2), 2, 5, 2);
        var padded = model.Forward(input, [2, 5]);
        var shortAlone = model.Forward(Tensor<double>.FromValues(input.Span[..4], 1, 2, 2));
        Assert.Equal(shortAlone.Prediction[0, 0], padded.Prediction[0, 0], 14);
        Assert.NotEqual(model.Forward(input).Prediction[0, 0], padded.Prediction[0, 0]);
    }
}
