using System.Globalization;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tests.Golden;
using Carnet.Tests.Support;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>
/// The regression training case from PyTorch (training/train_lstm_mse_adam_clip): a 2-layer LSTM, last-step pooling,
/// a linear head, mean squared error, gradient clipping by global norm and Adam, ten steps on one batch. Every
/// recorded loss within 1e-4 relative and the final weights within 1e-4.
/// </summary>
public sealed class AdamRegressionGoldenTests
{
    [Fact]
    public void TenAdamStepsFollowPyTorch()
    {
        var golden = GoldenFiles.Read(GoldenFiles.Repository, Path.Combine("training", "train_lstm_mse_adam_clip.safetensors"));
        var meta = golden.Metadata;
        int Int(string key) => int.Parse(meta[key], CultureInfo.InvariantCulture);
        double Real(string key) => double.Parse(meta[key], CultureInfo.InvariantCulture);
        Tensor<float> Load(string name) => Tensor<float>.FromValues(golden[name].ToSingleArray(), golden[name].Shape.ToArray());

        var model = new SequenceModel<float>(
            RecurrentCellKind.Lstm,
            new RecurrentOptions { InputSize = Int("input_size"), HiddenSize = Int("hidden_size"), NumLayers = Int("num_layers") },
            Int("head_out"), Pooling.Last, new RandomSource(0));
        foreach (var (prefix, module) in model.Modules)
        {
            StateDictionary.Load(module, golden, prefix);
        }

        var modules = model.Modules.Select(m => m.Module).ToList();
        var adam = new Adam<float>(modules, learningRate: Real("lr"));
        var x = Load("x");
        var y = Load("y");
        float[] losses = golden["loss_trajectory"].ToSingleArray();
        var recorded = new double[losses.Length];
        for (int step = 0; step < Int("steps"); step++)
        {
            adam.ZeroGradients();
            var result = model.Forward(x, training: true);
            var gradient = Tensor<float>.Zeros(result.Prediction.Shape.ToArray());
            recorded[step] = Losses.MeanSquaredError(result.Prediction, y, gradient);
            model.Backward(result, gradient);
            GradientClipping.ClipByGlobalNorm(modules, Real("clip_grad_norm"));
            adam.Step();
        }

        for (int step = 0; step < losses.Length; step++)
        {
            Assert.True(Math.Abs(recorded[step] - losses[step]) <= 1e-4 * Math.Abs(losses[step]),
                $"loss at step {step}: {recorded[step]:R}, PyTorch {losses[step]:R}");
        }

        Assert.True(losses[^1] < losses[0] * 0.9, "the recorded loss falls");
        foreach (var (prefix, module) in model.Modules)
        {
            foreach (var parameter in module.Parameters)
            {
                Close.Assert("final." + prefix + parameter.Name, golden["final." + prefix + parameter.Name].ToDoubleArray(), parameter.Value.ToDoubles(), 1e-4);
            }
        }
    }
}
