using Carnet.IO;
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

    [Fact]
    public void FlattenPoolingGradientsMatchFiniteDifferences()
    {
        var random = new RandomSource(37);
        var model = new SequenceModel<double>(new SequenceModelOptions
        {
            Cell = RecurrentCellKind.Lstm,
            Recurrent = new RecurrentOptions { InputSize = 3, HiddenSize = 5, Bidirectional = true },
            Pooling = Pooling.Flatten,
            Steps = 4,
            OutputSize = 3,
        }, random);
        Assert.Equal([3, 40], model.Head.GetParameter("weight").Value.Shape.ToArray()); // T·F = 4 · 10 inputs
        var input = Normal(random, 2, 4, 3);
        var first = model.Forward(input);
        var weight = Normal(random, first.Prediction.Shape.ToArray());
        double Loss() => Dot(model.Forward(input).Prediction, weight);
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
    public void FlattenPoolingFeedsEveryStepToTheHeadAndRefusesOtherLengths()
    {
        var options = new SequenceModelOptions
        {
            Recurrent = new RecurrentOptions { InputSize = 2, HiddenSize = 3 },
            Pooling = Pooling.Flatten,
            Steps = 3,
            OutputSize = 2,
        };
        var model = new SequenceModel<double>(options, new RandomSource(5));
        var input = Normal(new RandomSource(6), 2, 3, 2);
        var result = model.Forward(input);
        var output = model.Recurrent.ForwardCore(input, null, null, null, false, null).Output; // (2, 3, 3)
        var w = model.Head.GetParameter("weight").Value; // (2, 9)
        var b = model.Head.GetParameter("bias").Value;
        for (int n = 0; n < 2; n++)
        {
            for (int o = 0; o < 2; o++)
            {
                double expected = b[o];
                for (int k = 0; k < 9; k++)
                {
                    expected += w[o, k] * output.Span[n * 9 + k];
                }

                Assert.Equal(expected, result.Prediction[n, o], 14);
            }
        }

        var longer = Assert.Throws<ArgumentException>(() => model.Forward(Normal(new RandomSource(7), 1, 4, 2)));
        Assert.StartsWith("This model flattens sequences of exactly 3 steps; the batch has 4 steps.", longer.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.Forward(input, [3, 2]));
        Assert.Throws<ArgumentException>(() => new SequenceModel<double>(options with { Steps = 0 }, new RandomSource(1)));

        var loaded = ModelFile.Load<double>(SafeTensorsFile.Parse(ModelFile.Serialize(model), "flat.safetensors"));
        Assert.Equal(options with { Recurrent = options.Recurrent with { BatchFirst = true } }, loaded.Model.Options);
        Assert.Equal(result.Prediction.Span.ToArray(), loaded.Model.Forward(input).Prediction.Span.ToArray());
        Assert.Equal(ModelFile.ParameterCount(options), model.Modules.Sum(m => (long)m.Module.ParameterValues.Length));
    }
}
