using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>The trainer: bit-identical for a seed, resumable to the same weights, early stopping, truncated BPTT on streams.</summary>
public sealed class TrainerTests
{
    private static SequenceModelOptions Options => new()
    {
        Cell = RecurrentCellKind.Lstm,
        Recurrent = new RecurrentOptions { InputSize = 2, HiddenSize = 6, NumLayers = 2, Dropout = 0.3 },
        Pooling = Pooling.Mean,
        OutputSize = 1,
    };

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot()
    {
        var (training, validation) = Regression(60, new RandomSource(1)).Split(0.25, new RandomSource(2));
        byte[] a = Train(training, validation, epochs: 4, seed: 7, checkpoint: null, resume: false).Bytes;
        byte[] b = Train(training, validation, epochs: 4, seed: 7, checkpoint: null, resume: false).Bytes;
        byte[] c = Train(training, validation, epochs: 4, seed: 8, checkpoint: null, resume: false).Bytes;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ARunStoppedAtACheckpointAndResumedEndsWithTheSameWeights()
    {
        var (training, validation) = Regression(60, new RandomSource(1)).Split(0.25, new RandomSource(2));
        string folder = Directory.CreateTempSubdirectory("carnet-").FullName;
        try
        {
            string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
            var uninterrupted = Train(training, validation, epochs: 7, seed: 3, checkpoint: null, resume: false);
            var firstPart = Train(training, validation, epochs: 3, seed: 3, checkpoint: checkpoint, resume: false);
            Assert.Equal(3, firstPart.Report.Epochs.Count);
            Assert.True(File.Exists(checkpoint));
            var resumed = Train(training, validation, epochs: 7, seed: 3, checkpoint: checkpoint, resume: true);

            Assert.Equal(uninterrupted.Bytes, resumed.Bytes);
            Assert.Equal(uninterrupted.Report.Epochs, resumed.Report.Epochs);
            Assert.Equal(uninterrupted.Report.BestEpoch, resumed.Report.BestEpoch);
            Assert.Equal(["checkpoint.safetensors"], Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestValidationWeights()
    {
        // training targets are noise the model can memorise; validation noise is independent, so it stops improving
        var random = new RandomSource(5);
        var training = Noise(24, random);
        var validation = Noise(24, random);
        var model = new SequenceModel<float>(Options with { Recurrent = Options.Recurrent with { Dropout = 0 } }, new RandomSource(1));
        var optimizer = new Adam<float>(model.Modules.Select(m => m.Module), 0.05);
        var trainer = new Trainer<float>(model, optimizer, TrainingLosses.MeanSquaredError<float>(), new TrainerOptions { Epochs = 200, BatchSize = 8, Patience = 3 });
        var report = trainer.Fit(training, validation);

        Assert.True(report.StoppedEarly);
        Assert.True(report.Epochs.Count < 200);
        Assert.Equal(report.BestEpoch + 3, report.Epochs.Count);
        Assert.Equal(report.BestValidationLoss, report.Epochs.Min(e => e.ValidationLoss));
        Assert.Equal(report.BestValidationLoss!.Value, trainer.Evaluate(validation), 12); // the best weights are back
    }

    [Fact]
    public void StreamBatchesCarryTheStateIntoTheNextBatch()
    {
        int[] tokens = Enumerable.Range(0, 61).Select(i => (i * 7 + i / 5) % 5).ToArray();
        var stream = new StreamDataset<float>(tokens, steps: 4);
        var batches = stream.Batches(3, new RandomSource(0)).ToList();
        Assert.Equal(5, batches.Count); // 60 usable tokens in 3 streams of 20: chunks at 0, 4, 8, 12, 16
        Assert.Equal(tokens[20..24], batches[0].Inputs.Tokens![4..8]);
        Assert.Equal(tokens[25..29], batches[1].Targets.Classes![4..8]);

        var options = new SequenceModelOptions
        {
            Recurrent = new RecurrentOptions { InputSize = 3, HiddenSize = 5 }, VocabularySize = 5, Pooling = Pooling.None, OutputSize = 5,
        };
        var model = new SequenceModel<float>(options, new RandomSource(2));
        var losses = new List<double>();
        var optimizer = new Sgd<float>(model.Modules.Select(m => m.Module), 1e-30); // steps too small to change a float
        var trainer = new Trainer<float>(model, optimizer, TrainingLosses.CrossEntropy<float>(), new TrainerOptions { Epochs = 1, BatchSize = 3 });
        trainer.Progress += p => { if (!p.EpochEnd) { losses.Add(p.TrainingLoss * p.Batch - losses.Sum()); } };
        trainer.Fit(stream);

        var loss = TrainingLosses.CrossEntropy<float>();
        Tensor<float>? hidden = null, cell = null;
        for (int i = 0; i < batches.Count; i++)
        {
            var result = model.Forward(batches[i].Inputs, hidden, cell);
            double carried = loss(result.Prediction, batches[i].Targets, Tensor<float>.Zeros(result.Prediction.Shape.ToArray()));
            Assert.Equal(carried, losses[i], 9);
            if (i > 0)
            {
                var fresh = model.Forward(batches[i].Inputs);
                Assert.NotEqual(carried, loss(fresh.Prediction, batches[i].Targets, Tensor<float>.Zeros(fresh.Prediction.Shape.ToArray())), 6);
            }

            (hidden, cell) = (result.Recurrent.HiddenState, result.Recurrent.CellState);
        }
    }

    [Fact]
    public void ALossThatStopsBeingFiniteStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        var (training, validation) = Regression(60, new RandomSource(1)).Split(0.25, new RandomSource(2));
        string folder = Directory.CreateTempSubdirectory("carnet-").FullName;
        try
        {
            string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
            var model = new SequenceModel<float>(Options, new RandomSource(11));
            var optimizer = new Adam<float>(model.Modules.Select(m => m.Module), 0.02);
            int calls = 0;
            var mse = TrainingLosses.MeanSquaredError<float>();
            TrainingLoss<float> poisoned = (prediction, targets, gradient) => ++calls == 9 ? double.NaN : mse(prediction, targets, gradient);
            var trainer = new Trainer<float>(model, optimizer, poisoned,
                new TrainerOptions { Epochs = 5, BatchSize = 8, Seed = 3, CheckpointPath = checkpoint });
            byte[]? before = null;
            trainer.Progress += p =>
            {
                if (p.EpochEnd && p.Epoch == 1)
                {
                    before = File.ReadAllBytes(checkpoint);
                }
            };

            // 45 training sequences in batches of 8: 6 batches, then the 15 validation sequences in 2 → 8 losses an epoch;
            // the 9th loss is the first batch of epoch 2
            byte[] weights = ModelFile.Serialize(model);
            var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(training, validation));
            Assert.Equal((2, 1), (error.Epoch, error.Batch));
            Assert.Equal($"training diverged at epoch 2, batch 1: the loss is NaN; the checkpoint of epoch 1 is kept at {checkpoint}" +
                $"; try a lower learning rate or gradient clipping", error.Message);
            Assert.Equal(before, File.ReadAllBytes(checkpoint));
            Assert.NotEqual(weights, ModelFile.Serialize(model)); // epoch 1 trained; the poisoned batch did not update
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (byte[] Bytes, TrainingReport Report) Train(
        SequenceDataset<float> training, SequenceDataset<float> validation, int epochs, ulong seed, string? checkpoint, bool resume)
    {
        var model = new SequenceModel<float>(Options, new RandomSource(11));
        var optimizer = new Adam<float>(model.Modules.Select(m => m.Module), 0.02);
        var schedule = new StepSchedule(optimizer, stepSize: 2, gamma: 0.5);
        var options = new TrainerOptions { Epochs = epochs, BatchSize = 8, Seed = seed, ClipGradientNorm = 1.0, CheckpointPath = checkpoint };
        var report = new Trainer<float>(model, optimizer, TrainingLosses.MeanSquaredError<float>(), options, schedule).Fit(training, validation, resume);
        return (ModelFile.Serialize(model), report);
    }

    private static SequenceDataset<float> Regression(int count, RandomSource random)
    {
        var x = Tensor<float>.Zeros(count, 5, 2);
        random.FillGaussian(x.Span, 0, 1);
        var y = Tensor<float>.Zeros(count, 1);
        for (int n = 0; n < count; n++)
        {
            y.Span[n] = x[n, 4, 0] - 0.5f * x[n, 0, 1]; // a value the model must remember over the sequence
        }

        return SequenceDataset<float>.FromFeatures(x, y);
    }

    private static SequenceDataset<float> Noise(int count, RandomSource random)
    {
        var x = Tensor<float>.Zeros(count, 4, 2);
        var y = Tensor<float>.Zeros(count, 1);
        random.FillGaussian(x.Span, 0, 1);
        random.FillGaussian(y.Span, 0, 1);
        return SequenceDataset<float>.FromFeatures(x, y);
    }
}
