// Dimension legend: B = batch, T = time steps, I = input features, V = vocabulary, E = embedding size, H = hidden size,
// D = directions, F = recurrent output features (D·H), O = outputs.
using Carnet.Layers;
using Carnet.Models;

namespace Carnet.Onnx;

/// <summary>A native model rebuilt from an ONNX graph, and how its input relates to the graph's.</summary>
/// <param name="Model">The model, batch-first like every Carnet sequence model.</param>
/// <param name="GraphIsTimeMajor">Whether the graph reads (T, B, …) where the native model reads (B, T, …).</param>
/// <param name="Difference">The largest difference between the graph's and the model's outputs on the check inputs.</param>
public sealed record OnnxImportResult(SequenceModel<float> Model, bool GraphIsTimeMajor, double Difference);

/// <summary>
/// Turns an ONNX graph of the shape Carnet's own models have (an optional embedding, a stack of LSTM, GRU or RNN nodes,
/// pooling over time, a linear head) into a native <see cref="SequenceModel{T}"/> that predicts the same and trains
/// further. The weights are read from the graph's constants; the pooling and the input layout are the ones under which
/// the native model reproduces the graph's output, checked on random inputs.
/// </summary>
public static class OnnxImport
{
    /// <summary>The largest difference allowed between the graph's output and the native model's on the check inputs.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Rebuilds the graph as a native model.</summary>
    /// <exception cref="OnnxFormatException">The graph is not of that shape; the message says what differs.</exception>
    public static OnnxImportResult Import(OnnxModel model)
    {
        if (!model.CanRun)
        {
            throw new OnnxFormatException(model.Problems[0]);
        }

        var parts = OnnxGraphParts.Find(model);
        (SequenceModel<float> Model, bool TimeMajor, double Difference)? best = null;
        int tried = 0;
        foreach (var shape in parts.Shapes)
        {
            foreach (var options in parts.Candidates(shape))
            {
                var native = parts.Build(options);
                double difference = Compare(model, parts, native, shape);
                tried++;
                if (best is null || difference < best.Value.Difference)
                {
                    best = (native, shape.TimeMajor, difference);
                }
            }
        }

        if (tried == 0)
        {
            throw new OnnxFormatException($"{model.Source}: not importable as a Carnet sequence model: {parts.NoCandidate}");
        }

        if (best is not { } found || !(found.Difference <= Tolerance))
        {
            throw new OnnxFormatException($"{model.Source}: the graph's output is not an embedding → recurrent stack → pooling → linear model " +
                $"(the closest of {tried} native models differs by {best?.Difference:G3}); run it with 'carnet run' instead");
        }

        return new OnnxImportResult(found.Model, found.TimeMajor, found.Difference);
    }

    /// <summary>The largest difference between the graph's first output and the native model's prediction on random inputs.</summary>
    private static double Compare(OnnxModel model, OnnxGraphParts parts, SequenceModel<float> native, ProbeShape shape)
    {
        var random = new RandomSource(7);
        int steps = shape.Steps, batchSize = shape.Batch;
        bool padded = parts.LengthsInput is not null && native.Pooling != Pooling.Flatten;
        int[] lengths = padded ? [.. Enumerable.Range(0, batchSize).Select(b => Math.Max(1, steps - 2 * b))] : [];
        var batch = parts.Probe(random, batchSize, steps, lengths);
        var feeds = new Dictionary<string, OnnxTensor> { [parts.DataInput.Name] = parts.GraphInput(batch, shape.TimeMajor) };
        if (parts.LengthsInput is { } lengthsInput)
        {
            int[] given = padded ? lengths : [.. Enumerable.Repeat(steps, batchSize)];
            feeds[lengthsInput.Name] = lengthsInput.ElementType == OnnxElementType.Int32
                ? OnnxTensor.FromInt32(given, batchSize)
                : OnnxTensor.FromInt64([.. given.Select(l => (long)l)], batchSize);
        }

        OnnxTensor expected;
        try
        {
            expected = model.Run(feeds)[model.Outputs[0].Name];
        }
        catch (OnnxFormatException)
        {
            return double.PositiveInfinity; // the graph does not read inputs laid out this way
        }

        using var result = native.Forward(batch);
        var prediction = result.Prediction;
        if (!prediction.Shape.SequenceEqual(expected.Shape) || !expected.IsFloat)
        {
            return double.PositiveInfinity;
        }

        double worst = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)prediction.Span[i] - expected.Floats[i]));
        }

        return double.IsNaN(worst) ? double.PositiveInfinity : worst;
    }
}
