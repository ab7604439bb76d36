using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

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

    [Fact]
    public void TrainingExampleRunsResumesAndSaves()
    {
        var random = new RandomSource(3);
        var features = Tensor<float>.Zeros(40, 6, 2);
        random.FillGaussian(features.Span, 0, 1);
        int[] labels = Enumerable.Range(0, 40).Select(n => features[n, 0, 0] > 0.5f ? 2 : features[n, 0, 0] > -0.5f ? 1 : 0).ToArray();
        int[] lengths = Enumerable.Range(0, 40).Select(n => 3 + n % 4).ToArray();
        string folder = Directory.CreateTempSubdirectory("carnet-").FullName;
        try
        {
            var model = new SequenceModel<float>(new SequenceModelOptions
            {
                Cell = RecurrentCellKind.Gru,
                Recurrent = new RecurrentOptions { InputSize = 2, HiddenSize = 64, NumLayers = 2, Dropout = 0.1 },
                Pooling = Pooling.Last,
                OutputSize = 3,
            }, new RandomSource(42));
            var data = SequenceDataset<float>.FromFeatures(features, labels, lengths);
            var (training, validation) = data.Split(0.2, new RandomSource(1));
            var optimizer = new AdamW<float>(model.Modules.Select(m => m.Module), learningRate: 1e-3);
            var trainer = new Trainer<float>(model, optimizer, TrainingLosses.CrossEntropy<float>(), new TrainerOptions
            {
                Epochs = 3, BatchSize = 32, Seed = 7, Patience = 5, ClipGradientNorm = 1.0, CheckpointPath = Path.Combine(folder, "checkpoint.safetensors"),
            });
            var printed = new List<string>();
            trainer.Progress += p => { if (p.EpochEnd) { printed.Add($"epoch {p.Epoch}: {p.TrainingLoss:F4} / {p.ValidationLoss:F4}"); } };
            var report = trainer.Fit(training, validation, resume: true);
            ModelFile.Save(Path.Combine(folder, "model.safetensors"), model);

            Assert.Equal(3, report.Epochs.Count);
            Assert.Equal(3, printed.Count);
            Assert.Equal(8, validation.Count);
            Assert.Equal(model.Options, ModelFile.Load<float>(Path.Combine(folder, "model.safetensors")).Model.Options);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
