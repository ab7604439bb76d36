// Dimension legend: B = sequences, T = time steps, H = state size, D = distance from the sequence end.
using Carnet.Kernels;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tasks.Experiments;

/// <summary>
/// The vanishing gradient, measured: how strongly each sequence's loss reaches back to the hidden state d steps before
/// its end, ‖dL/dh_{end−d}‖₂ averaged over sequences. A plain RNN's curve falls exponentially with d; an LSTM's stays
/// level, because the cell state carries the error back unchanged when the forget gate is open.
/// </summary>
public static class GradientFlow
{
    /// <summary>
    /// For the top layer's forward direction: the mean over the batch's sequences of ‖dL_b/dh_t‖₂ at each distance
    /// d = length_b − 1 − t (index d), for d up to the shortest sequence's length − 1. L_b is sequence b's own loss
    /// (summed, not averaged over the batch). The model's parameter gradients are left zero.
    /// </summary>
    public static double[] Measure(SequenceModel<float> model, MemoryTask task, TaskBatch batch)
    {
        var inputs = MemoryExperiment.ToTrainingBatch(batch);
        model.ZeroGradients();
        var result = model.Forward(inputs.Inputs);
        var gradient = Tensor<float>.Zeros(result.Prediction.Shape.ToArray());
        MemoryExperiment.LossOf(task, Reduction.Sum)(result.Prediction, inputs.Targets, gradient);
        var states = model.Backward(result, gradient, recordStates: true).States!; // (L·D, B, T, P)
        model.ZeroGradients();

        int size = states.Shape[3], block = batch.Batch * batch.Steps * size;
        int top = (model.Recurrent.Options.NumLayers - 1) * model.Recurrent.Directions;
        var norms = new double[batch.Lengths.Min()]; // (D)
        ExperimentKernels.MeanNormsByDistance<float>(states.Span.Slice(top * block, block), batch.Lengths, batch.Steps, size, norms);
        return norms;
    }
}
