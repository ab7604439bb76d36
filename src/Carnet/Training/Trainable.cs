using System.Numerics;
using Carnet.IO;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>
/// Anything <see cref="TrainingLoop{T, TBatch}"/> can train: its modules (updated by the optimizer, clipped, kept as
/// best weights and checkpointed), a forward pass with its loss on one batch, an evaluation on validation data, and
/// what its checkpoints say about the network.
/// </summary>
/// <typeparam name="T">The element type of the parameters.</typeparam>
/// <typeparam name="TBatch">What one training step reads.</typeparam>
public interface ITrainable<T, TBatch> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The modules with their state_dict prefixes, in order.</summary>
    IReadOnlyList<(string Prefix, Module<T> Module)> Modules { get; }

    /// <summary>
    /// Runs forward and the loss on <paramref name="batch"/> in training mode, starting from <paramref name="carried"/>
    /// (the previous batch's final state for stream data, otherwise null); <paramref name="random"/> is the trainer's stream.
    /// </summary>
    TrainingPass<T> Forward(TBatch batch, RecurrentCarry<T>? carried, RandomSource random);

    /// <summary>The validation loss in evaluation mode, or null without validation data.</summary>
    double? Validate();

    /// <summary>The configuration and format a checkpoint of this network records.</summary>
    Dictionary<string, string> CheckpointMetadata();

    /// <summary>Throws a <see cref="SafeTensorsFormatException"/> when <paramref name="file"/> was written for another network.</summary>
    void CheckCheckpoint(SafeTensorsFile file);
}

/// <summary>
/// A trainable whose validation the ranks of a distributed run share (<see cref="TrainingLoopOptions.Distributed"/>):
/// each measures its part of the validation data, and the parts' sums and counts are added across ranks.
/// </summary>
public interface IShardedValidation
{
    /// <summary>
    /// The validation loss summed over rank <paramref name="rank"/>'s part of <paramref name="ranks"/>, and the count it
    /// is divided by (0 for an empty part); the sums over all ranks divided by the counts give the validation loss.
    /// Null when there is no validation data.
    /// </summary>
    (double Sum, double Count)? ValidatePart(int rank, int ranks);
}

/// <summary>A recurrent network's final states, carried into the next batch by truncated back-propagation through time.</summary>
/// <param name="Hidden">The final hidden state (L·D, B, P).</param>
/// <param name="Cell">The final cell state (L·D, B, H), or null for cells without one.</param>
public sealed record RecurrentCarry<T>(Tensor<T>? Hidden, Tensor<T>? Cell) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>One batch's forward pass: its loss, what it adds to the epoch's mean, and the backward pass still to run.</summary>
public abstract class TrainingPass<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The batch's loss; training stops when it is not finite.</summary>
    public required double Loss { get; init; }

    /// <summary>What the batch adds to the epoch's loss total; null adds the loss itself.</summary>
    public double? Sum { get; init; }

    /// <summary>What the batch adds to the count the epoch's total is divided by.</summary>
    public double Count { get; init; } = 1;

    /// <summary>
    /// The items the loss averages over (sequences, or tokens for a loss per token): in distributed training each rank's
    /// share of a batch weighs in proportion to it, so the ranks together follow the gradient of the whole batch.
    /// </summary>
    public double Weight { get; init; } = 1;

    /// <summary>The final states, for a batch source that carries them.</summary>
    public RecurrentCarry<T>? Carry { get; init; }

    /// <summary>The epoch's total grows by <see cref="Sum"/> when set, else by <see cref="Loss"/>.</summary>
    internal double Contribution => Sum ?? Loss;

    /// <summary>Accumulates the gradients of the loss into the modules.</summary>
    public abstract void Backward();

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the pass's buffers.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>Where a <see cref="TrainingLoop{T, TBatch}"/> gets one epoch's batches.</summary>
/// <param name="Epoch">One epoch's batches, in order, drawn with the trainer's random stream.</param>
/// <param name="CarriesState">Whether each batch continues the previous one (streams for truncated back-propagation).</param>
public sealed record BatchSource<TBatch>(Func<RandomSource, IEnumerable<TBatch>> Epoch, bool CarriesState = false)
{
    /// <summary>
    /// For distributed training: the part of a global batch that rank r of n trains on (called as
    /// <c>Shard(batch, r, n)</c>), or null when that rank's part is empty. The parts of all ranks make up the batch.
    /// </summary>
    public Func<TBatch, int, int, TBatch?>? Shard { get; init; }

    /// <summary>An endless epoch of freshly generated batches, for training with a step budget.</summary>
    public static BatchSource<TBatch> Fresh(Func<RandomSource, TBatch> generate) => new(random => Endless(generate, random));

    private static IEnumerable<TBatch> Endless(Func<RandomSource, TBatch> generate, RandomSource random)
    {
        while (true)
        {
            yield return generate(random);
        }
    }
}
