using System.Numerics;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;

namespace Carnet.Training;

/// <summary>
/// A <see cref="SequenceModel{T}"/> with a <see cref="TrainingLoss{T}"/> as a <see cref="ITrainable{T, TBatch}"/>:
/// forward from the carried state with the trainer's random stream for dropout, the loss, backward; its checkpoints
/// hold the model file's configuration.
/// </summary>
public sealed class SequenceModelTrainable<T>(SequenceModel<T> model, TrainingLoss<T> loss) : ITrainable<T, TrainingBatch<T>>, IShardedValidation
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The validation loss after each epoch, or null to train without validation.</summary>
    public Func<double>? Validation { get; init; }

    /// <summary>
    /// For distributed training: the validation loss summed over rank r of n's part and its count, called as
    /// <c>ValidationPart(r, n)</c> (<see cref="IShardedValidation"/>); null lets every rank run <see cref="Validation"/>.
    /// </summary>
    public Func<int, int, (double Sum, double Count)>? ValidationPart { get; init; }

    /// <summary>
    /// What a batch's loss averages over, as <see cref="TrainingPass{T}.Weight"/> (distributed training weighs the ranks'
    /// shares by it): by default its sequences; a class-weighted mean averages over the weights of its targets.
    /// </summary>
    public Func<BatchTargets<T>, double>? LossWeight { get; init; }

    /// <inheritdoc />
    public IReadOnlyList<(string Prefix, Module<T> Module)> Modules => model.Modules;

    /// <inheritdoc />
    public TrainingPass<T> Forward(TrainingBatch<T> batch, RecurrentCarry<T>? carried, RandomSource random)
    {
        var result = model.Forward(batch.Inputs, carried?.Hidden, carried?.Cell, training: true, random: random);
        var gradient = Tensor<T>.Zeros(result.Prediction.Shape.ToArray());
        double batchLoss = loss(result.Prediction, batch.Targets, gradient);
        var carry = new RecurrentCarry<T>(result.Recurrent.HiddenState, result.Recurrent.CellState);
        return new SequenceModelPass<T>(model, result, gradient) { Loss = batchLoss, Weight = LossWeight?.Invoke(batch.Targets) ?? batch.Inputs.Batch, Carry = carry };
    }

    /// <inheritdoc />
    public double? Validate() => Validation?.Invoke();

    /// <inheritdoc />
    (double Sum, double Count)? IShardedValidation.ValidatePart(int rank, int ranks)
        => Validation is null ? null : ValidationPart is { } part ? part(rank, ranks) : rank == 0 ? (Validation(), 1) : (0, 0);

    /// <inheritdoc />
    public Dictionary<string, string> CheckpointMetadata() => Checkpoint.Metadata(model);

    /// <inheritdoc />
    public void CheckCheckpoint(SafeTensorsFile file) => Checkpoint.Check(file, model);

    /// <summary>The mean loss over a dataset, in evaluation mode (no dropout), batch by batch in order.</summary>
    public static double Evaluate(SequenceModel<T> model, TrainingLoss<T> loss, SequenceDataset<T> data, int batchSize)
    {
        var (total, count) = EvaluatePart(model, loss, data, batchSize, 0, 1);
        return total / Math.Max(1, count);
    }

    /// <summary>
    /// The loss summed over rank <paramref name="rank"/> of <paramref name="ranks"/>'s batches (every n-th, in order, in
    /// evaluation mode) and the sequences they hold: <see cref="Evaluate"/> shared among the ranks of a distributed run.
    /// </summary>
    public static (double Sum, double Count) EvaluatePart(SequenceModel<T> model, TrainingLoss<T> loss, SequenceDataset<T> data, int batchSize, int rank, int ranks)
    {
        double total = 0;
        int count = 0, index = 0;
        foreach (var batch in data.InOrder(batchSize))
        {
            if (index++ % ranks != rank)
            {
                continue;
            }

            var result = model.Forward(batch.Inputs);
            var gradient = Tensor<T>.Zeros(result.Prediction.Shape.ToArray());
            total += loss(result.Prediction, batch.Targets, gradient) * batch.Inputs.Batch;
            count += batch.Inputs.Batch;
        }

        return (total, count);
    }
}

/// <summary>A sequence model's forward pass on one batch, with the gradient of its loss; backward runs the model's.</summary>
/// <param name="model">The model that ran the pass.</param>
/// <param name="result">The forward result, disposed with the pass.</param>
/// <param name="gradient">dLoss/dprediction, the shape of the prediction.</param>
/// <param name="beforeBackward">What a task does with the pass before backward (such as judging the predictions), or null.</param>
public sealed class SequenceModelPass<T>(SequenceModel<T> model, SequenceModelResult<T> result, Tensor<T> gradient, Action? beforeBackward = null)
    : TrainingPass<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override void Backward()
    {
        beforeBackward?.Invoke();
        model.Backward(result, gradient);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => result.Dispose();
}
