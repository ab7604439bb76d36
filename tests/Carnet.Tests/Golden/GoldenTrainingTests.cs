using System.Globalization;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tests.Support;
using Carnet.Training;
using Xunit.Abstractions;

namespace Carnet.Tests.Golden;

/// <summary>
/// Training parity with PyTorch: every file in golden/training (and CARNET_GOLDEN_DIR/training) is rebuilt from its
/// metadata — embedding, recurrent stack, pooling, head, loss, optimizer, clipping — and trained for its recorded steps
/// on its batch. Each recorded loss within 1e-4 relative, the final weights within 1e-4.
/// </summary>
public sealed class GoldenTrainingTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> TrainingFiles => GoldenFiles.In("training");

    [Theory]
    [MemberData(nameof(TrainingFiles))]
    public void TrainingFollowsPyTorch(string source, string file)
    {
        var golden = GoldenFiles.Read(source, "training", file);
        var meta = golden.Metadata;
        int Int(string key) => int.Parse(meta[key], CultureInfo.InvariantCulture);
        double Real(string key) => double.Parse(meta[key], CultureInfo.InvariantCulture);

        var options = new SequenceModelOptions
        {
            Cell = meta["cell"] switch { "LSTM" => RecurrentCellKind.Lstm, "GRU" => RecurrentCellKind.Gru, _ => RecurrentCellKind.Rnn },
            Recurrent = new RecurrentOptions
            {
                InputSize = Int("input_size"), HiddenSize = Int("hidden_size"), NumLayers = Int("num_layers"), Bidirectional = meta["bidirectional"] == "true",
            },
            VocabularySize = Int("vocab_size"),
            Pooling = Enum.Parse<Pooling>(meta["pool"], ignoreCase: true),
            OutputSize = Int("head_out"),
        };
        var model = new SequenceModel<float>(options, new RandomSource(0));
        foreach (var (prefix, module) in model.Modules)
        {
            StateDictionary.Load(module, golden, prefix);
        }

        var modules = model.Modules.Select(m => m.Module).ToList();
        Optimizer<float> optimizer = meta["optimizer"] switch
        {
            "sgd" => new Sgd<float>(modules, Real("lr"), momentum: Real("momentum"), weightDecay: Real("weight_decay"), nesterov: meta["nesterov"] == "true"),
            "adam" => new Adam<float>(modules, Real("lr"), weightDecay: Real("weight_decay")),
            "adamw" => new AdamW<float>(modules, Real("lr"), weightDecay: Real("weight_decay")),
            "rmsprop" => new RmsProp<float>(modules, Real("lr"), weightDecay: Real("weight_decay"), momentum: Real("momentum")),
            var other => throw new InvalidDataException($"unknown optimizer '{other}'"),
        };
        var loss = meta["loss"] switch
        {
            "mse" => TrainingLosses.MeanSquaredError<float>(),
            "cross_entropy" => TrainingLosses.CrossEntropy<float>(),
            var other => throw new InvalidDataException($"unknown loss '{other}'"),
        };

        var x = golden["x"];
        int batch = x.Shape[0], steps = x.Shape[1];
        var inputs = options.VocabularySize > 0
            ? SequenceBatch<float>.FromTokens(x.ToInt32Array(), batch, steps)
            : SequenceBatch<float>.FromFeatures(Tensor<float>.FromValues(x.ToSingleArray(), x.Shape.ToArray()));
        var targets = meta["loss"] == "cross_entropy"
            ? new BatchTargets<float>(null, golden["y"].ToInt32Array())
            : new BatchTargets<float>(Tensor<float>.FromValues(golden["y"].ToSingleArray(), golden["y"].Shape.ToArray()), null);

        float[] expected = golden["loss_trajectory"].ToSingleArray();
        double worstLoss = 0;
        for (int step = 0; step < Int("steps"); step++)
        {
            optimizer.ZeroGradients();
            var result = model.Forward(inputs, training: true);
            var gradient = Tensor<float>.Zeros(result.Prediction.Shape.ToArray());
            double recorded = loss(result.Prediction, targets, gradient);
            double error = Math.Abs(recorded - expected[step]) / Math.Abs(expected[step]);
            Assert.True(error <= 1e-4, $"loss at step {step}: {recorded:R}, PyTorch {expected[step]:R}");
            worstLoss = Math.Max(worstLoss, error);
            model.Backward(result, gradient);
            if (Real("clip_grad_norm") > 0)
            {
                GradientClipping.ClipByGlobalNorm(modules, Real("clip_grad_norm"));
            }

            optimizer.Step();
        }

        double worstWeight = 0;
        foreach (var (prefix, module) in model.Modules)
        {
            foreach (var parameter in module.Parameters)
            {
                worstWeight = Math.Max(worstWeight, Close.Assert("final." + prefix + parameter.Name,
                    golden["final." + prefix + parameter.Name].ToDoubleArray(), parameter.Value.ToDoubles(), 1e-4));
            }
        }

        Assert.True(expected[^1] < expected[0], "PyTorch's recorded loss falls");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{file}: worst loss error {worstLoss:E2} (relative), worst final weight error {worstWeight:E2}"));
    }
}
