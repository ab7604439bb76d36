using Carnet.Layers;
using Carnet.Models;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Models;

/// <summary><see cref="ModelTrace"/>: one sequence of a batch, its prediction and the recorded states that led to it.</summary>
public sealed class ModelTraceTests
{
    [Fact]
    public void ThePredictionIsTheHeadAppliedToTheRecordedLastState()
    {
        var random = new RandomSource(23);
        var model = new SequenceModel<double>(
            RecurrentCellKind.Lstm, new RecurrentOptions { InputSize = 3, HiddenSize = 4, NumLayers = 2 }, 2, Pooling.Last, random);
        var batch = SequenceBatch<double>.FromFeatures(Normal(random, 3, 6, 3), [6, 4, 2]);
        var trace = ModelTrace.Record(model, batch, 1);
        var expected = model.Forward(batch).Prediction; // (B, O)
        Assert.Equal((1, 4, 2), (trace.Sequence, trace.Steps, trace.Outputs));
        Assert.Equal([expected[1, 0], expected[1, 1]], trace.Prediction.ToArray());

        // the head reads the top layer's h at the sequence's own last step (t = 3)
        var hidden = trace.Recurrent[1, 0].Signal(TraceSignal.HiddenState);
        var weight = model.Head.GetParameter("weight").Value;
        var bias = model.Head.GetParameter("bias").Value;
        for (int o = 0; o < 2; o++)
        {
            double output = bias[o];
            for (int u = 0; u < 4; u++)
            {
                output += weight[o, u] * hidden[3, u];
            }

            Assert.Equal(output, trace.Prediction[o], 12);
        }
    }

    [Fact]
    public void WithoutPoolingThePredictionCoversTheValidSteps()
    {
        var random = new RandomSource(29);
        var model = new SequenceModel<double>(
            RecurrentCellKind.Gru, new RecurrentOptions { InputSize = 2, HiddenSize = 3, Bidirectional = true }, 2, Pooling.None, random);
        var batch = SequenceBatch<double>.FromFeatures(Normal(random, 2, 5, 2), [5, 3]);
        var trace = ModelTrace.Record(model, batch, 1);
        var expected = model.Forward(batch).Prediction; // (B, T, O)
        Assert.Equal(6, trace.Prediction.Length); // (V, O) = (3, 2)
        for (int t = 0; t < 3; t++)
        {
            Assert.Equal([expected[1, t, 0], expected[1, t, 1]], trace.Prediction.Slice(t * 2, 2).ToArray());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => ModelTrace.Record(model, batch, 2));
    }
}
