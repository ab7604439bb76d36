// Loads a sequence classifier saved with ModelFile.Save and labels the sequences of a CSV file: one sequence a row,
// an optional first column with the true label (then the accuracy is printed too), then the numbers.
using System.Globalization;
using Carnet;
using Carnet.Models;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Predict MODEL.safetensors SEQUENCES.csv");
    return 2;
}

var loaded = ModelFile.Load<float>(args[0]);
var model = loaded.Model;
string[] classes = loaded.Preprocessing.TryGetValue("classes", out var names)
    ? names.Split(',')
    : Enumerable.Range(0, model.Options.OutputSize).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();

string[] lines = File.ReadAllLines(args[1]);
bool labelled = !double.TryParse(lines[1].Split(',')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
var rows = lines.Skip(1).Select(line => line.Split(',')).ToArray();
int steps = rows[0].Length - (labelled ? 1 : 0);
var values = rows.SelectMany(row => row.Skip(labelled ? 1 : 0).Select(v => float.Parse(v, CultureInfo.InvariantCulture))).ToArray();

// (N, T, 1) in, (N, classes) scores out; the model runs in inference mode (no dropout)
using var result = model.Forward(Tensor<float>.FromValues(values, rows.Length, steps, 1));
int correct = 0;
for (int n = 0; n < rows.Length; n++)
{
    var scores = result.Prediction.Span.Slice(n * classes.Length, classes.Length);
    string predicted = classes[scores.IndexOf(Max(scores))];
    correct += labelled && predicted == rows[n][0] ? 1 : 0;
    if (n < 10)
    {
        Console.WriteLine(labelled ? $"sequence {n}: {predicted} (true: {rows[n][0]})" : $"sequence {n}: {predicted}");
    }
}

if (labelled)
{
    Console.WriteLine($"accuracy: {correct} of {rows.Length} ({100.0 * correct / rows.Length:F1}%)");
}

return 0;

static float Max(ReadOnlySpan<float> scores)
{
    float best = float.NegativeInfinity;
    foreach (float score in scores)
    {
        best = Math.Max(best, score);
    }

    return best;
}
