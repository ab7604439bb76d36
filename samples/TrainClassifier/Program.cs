// Trains a GRU to tell three wave shapes apart (sine, square, sawtooth) from 60 noisy samples each, with the Carnet
// package's API, then saves the model and a held-out test set for the Predict sample.
using System.Globalization;
using Carnet;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

string folder = args.Length > 0 ? args[0] : "output";
Directory.CreateDirectory(folder);
const int Steps = 60;
string[] shapes = ["sine", "square", "sawtooth"];

var random = new RandomSource(2026);
var (features, labels) = Waves(900, random);                // (N, T, 1) and N class ids
var (testFeatures, testLabels) = Waves(300, random);

var model = new SequenceModel<float>(new SequenceModelOptions
{
    Cell = RecurrentCellKind.Gru,
    Recurrent = new RecurrentOptions { InputSize = 1, HiddenSize = 32 },
    Pooling = Pooling.Last,
    OutputSize = shapes.Length,
}, new RandomSource(42));
var (training, validation) = SequenceDataset<float>.FromFeatures(features, labels).Split(0.2, new RandomSource(1));
var optimizer = new AdamW<float>(model.Modules.Select(m => m.Module), learningRate: 1e-2);
var trainer = new Trainer<float>(model, optimizer, TrainingLosses.CrossEntropy<float>(), new TrainerOptions
{
    Epochs = 25, BatchSize = 32, Seed = 7, Patience = 5, ClipGradientNorm = 1.0,
});
trainer.Progress += p =>
{
    if (p.EpochEnd)
    {
        Console.WriteLine($"epoch {p.Epoch,2}: training loss {p.TrainingLoss:F4}, validation loss {p.ValidationLoss:F4}");
    }
};
var report = trainer.Fit(training, validation);
Console.WriteLine($"best epoch {report.BestEpoch}, validation loss {report.BestValidationLoss:F4}");

string modelPath = Path.Combine(folder, "waves.safetensors");
ModelFile.Save(modelPath, model, new Dictionary<string, string> { ["classes"] = string.Join(",", shapes) });
Console.WriteLine($"saved {modelPath}");

// the test set as CSV, one sequence a row: its shape, then the samples
using (var csv = new StreamWriter(Path.Combine(folder, "test.csv")))
{
    csv.WriteLine("shape," + string.Join(",", Enumerable.Range(0, Steps).Select(t => $"x{t}")));
    for (int n = 0; n < testLabels.Length; n++)
    {
        var row = testFeatures.Span.Slice(n * Steps, Steps).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture));
        csv.WriteLine(shapes[testLabels[n]] + "," + string.Join(",", row));
    }
}

Console.WriteLine($"saved {Path.Combine(folder, "test.csv")} ({testLabels.Length} sequences)");

// count waves of random shape, frequency, phase and amplitude, with Gaussian noise
(Tensor<float> Features, int[] Labels) Waves(int count, RandomSource random)
{
    var values = new float[count * Steps];
    var classes = new int[count];
    for (int n = 0; n < count; n++)
    {
        classes[n] = random.NextInt(shapes.Length);
        double cycles = 2 + 4 * random.NextDouble(), phase = random.NextDouble(), amplitude = 0.5 + random.NextDouble();
        for (int t = 0; t < Steps; t++)
        {
            double position = (cycles * t / Steps + phase) % 1.0;
            double wave = classes[n] switch
            {
                0 => Math.Sin(2 * Math.PI * position),
                1 => position < 0.5 ? 1 : -1,
                _ => 2 * position - 1,
            };
            values[n * Steps + t] = (float)(amplitude * wave + 0.2 * random.NextGaussian());
        }
    }

    return (Tensor<float>.FromValues(values, count, Steps, 1), classes);
}
