// Dimension legend: B = batch, T = time steps, V = valid steps of the traced sequence, O = outputs.
using System.Numerics;
using Carnet.Layers;

namespace Carnet.Models;

/// <summary>
/// A sequence model run on one sequence with its recurrent stack's gates and states recorded: what the model predicted
/// and, for every layer and direction, what each unit did at each step (see <see cref="RecurrentTrace"/>).
/// </summary>
public sealed class ModelTrace
{
    private readonly double[] prediction; // (O), or (V, O) without pooling

    private ModelTrace(RecurrentTrace recurrent, double[] prediction, int outputs)
    {
        Recurrent = recurrent;
        this.prediction = prediction;
        Outputs = outputs;
    }

    /// <summary>The recurrent stack's gates and states over the sequence's valid steps.</summary>
    public RecurrentTrace Recurrent { get; }

    /// <summary>The sequence's index in the batch.</summary>
    public int Sequence => Recurrent.Sequence;

    /// <summary>V: the sequence's valid steps.</summary>
    public int Steps => Recurrent.Steps;

    /// <summary>O: the model's outputs per prediction.</summary>
    public int Outputs { get; }

    /// <summary>The model's prediction for the sequence, before any softmax: (O), or (V, O) for a model without pooling.</summary>
    public ReadOnlySpan<double> Prediction => prediction;

    /// <summary>
    /// Runs <paramref name="model"/> in evaluation mode (no dropout) on <paramref name="batch"/> and records sequence
    /// <paramref name="sequence"/>'s gates and states with its prediction.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not fit the model, or has no sequence <paramref name="sequence"/>.</exception>
    public static ModelTrace Record<T>(SequenceModel<T> model, SequenceBatch<T> batch, int sequence)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        TraceSignal.InRange(sequence, batch.Batch);
        var result = model.Forward(batch, training: false);
        var recurrent = RecurrentTrace.Record(result.Recurrent, sequence);
        double[] all = result.Prediction.ToDoubles(); // (B, O), or (B, T, O)
        int outputs = model.Options.OutputSize, perSequence = all.Length / batch.Batch;
        int kept = model.Pooling == Pooling.None ? recurrent.Steps * outputs : outputs;
        return new ModelTrace(recurrent, all.AsSpan(sequence * perSequence, kept).ToArray(), outputs);
    }
}
