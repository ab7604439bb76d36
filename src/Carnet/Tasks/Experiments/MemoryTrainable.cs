// Dimension legend: B = sequences per batch, T = time steps, O = outputs.
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tasks.Experiments;

/// <summary>
/// A memory experiment's network as a <see cref="ITrainable{T, TBatch}"/> over generated task batches: forward without
/// dropout, the task's loss, and before each backward pass the task's judge of every sequence into the window of
/// recent sequences that the stopping rule reads. It trains without validation or checkpoints.
/// </summary>
internal sealed class MemoryTrainable(SequenceModel<float> model, MemoryTask task, int batchSize) : ITrainable<float, TaskBatch>
{
    private readonly TrainingLoss<float> loss = MemoryExperiment.LossOf(task);
    private readonly double[] errors = new double[batchSize]; // (B)
    private readonly bool[] correct = new bool[batchSize]; // (B)

    /// <summary>The errors and correctness of the most recent training sequences.</summary>
    public RecentWindow Recent { get; } = new(task.Stopping.Window);

    public IReadOnlyList<(string Prefix, Module<float> Module)> Modules => model.Modules;

    public TrainingPass<float> Forward(TaskBatch batch, RecurrentCarry<float>? carried, RandomSource random)
    {
        var inputs = MemoryExperiment.ToTrainingBatch(batch);
        var result = model.Forward(inputs.Inputs, training: true);
        var gradient = Tensor<float>.Zeros(result.Prediction.Shape.ToArray()); // (B, O) or (B, T, O)
        double batchLoss = loss(result.Prediction, inputs.Targets, gradient);
        return new SequenceModelPass<float>(model, result, gradient, () =>
        {
            task.Judge(result.Prediction.Span, batch, errors, correct);
            Recent.Add(errors, correct);
        })
        { Loss = batchLoss };
    }

    public double? Validate() => null;

    public Dictionary<string, string> CheckpointMetadata() => throw new NotSupportedException("A memory experiment keeps no checkpoint.");

    public void CheckCheckpoint(SafeTensorsFile file) => throw new NotSupportedException("A memory experiment keeps no checkpoint.");
}

/// <summary>The errors and correctness of the most recent training sequences (a ring buffer).</summary>
internal sealed class RecentWindow(int size)
{
    private readonly double[] errors = new double[size];
    private readonly bool[] correct = new bool[size];
    private int count, next, wrong;
    private double errorSum;

    public double WrongFraction => count == 0 ? 1 : (double)wrong / count;

    public double MeanError => count == 0 ? double.PositiveInfinity : errorSum / count;

    public void Add(ReadOnlySpan<double> newErrors, ReadOnlySpan<bool> newCorrect)
    {
        for (int i = 0; i < newErrors.Length; i++)
        {
            if (count == size)
            {
                errorSum -= errors[next];
                wrong -= correct[next] ? 0 : 1;
            }
            else
            {
                count++;
            }

            errors[next] = newErrors[i];
            correct[next] = newCorrect[i];
            errorSum += newErrors[i];
            wrong += newCorrect[i] ? 0 : 1;
            next = (next + 1) % size;
        }
    }

    public bool Satisfies(StoppingRule rule) => count == size && wrong <= rule.MaximumWrong && MeanError < rule.MaximumMeanError;
}
