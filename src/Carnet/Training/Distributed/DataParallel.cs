using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Carnet.Layers;

namespace Carnet.Training.Distributed;

/// <summary>
/// What the training loop does differently on each rank of a <see cref="Communicator"/>: it trains on its share of
/// every global batch, and before each optimizer step the shares' losses and gradients are summed, each weighted by
/// the items its loss averages over, module by module in order, so every rank steps with the gradient of the whole
/// batch. Ranks check at the start and after every epoch that they hold the same bits.
/// </summary>
internal sealed class DataParallel<T>(Communicator communicator, IReadOnlyList<Module<T>> modules) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double[] sums = new double[5]; // weight, weight · loss, epoch sum, epoch count, root out of time

    public Communicator Communicator { get; } = communicator;

    /// <summary>Whether rank 0 was out of time at the last step; every rank stops together on it.</summary>
    public bool OutOfTime { get; private set; }

    /// <summary>
    /// This rank's random stream for step <paramref name="step"/> of <paramref name="epoch"/> (dropout masks,
    /// augmentation), derived from the shared stream's state without drawing from it: the shared stream (shuffles,
    /// checkpoints) advances as in one process, and a resumed run derives the same streams.
    /// </summary>
    public RandomSource StepRandom(RandomSource shared, int epoch, int step)
    {
        ulong[] state = shared.GetState();
        ulong seed = state[0] ^ BitOperations.RotateLeft(state[1], 13) ^ BitOperations.RotateLeft(state[2], 29) ^ BitOperations.RotateLeft(state[3], 43);
        seed ^= Mix(((ulong)(uint)epoch << 32) | (uint)step) ^ Mix(0x9E3779B97F4A7C15UL * (ulong)(Communicator.Rank + 1));
        return new RandomSource(seed);
    }

    /// <summary>SplitMix64's finaliser: every input bit reaches every output bit.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The global pass from this rank's (null when the rank's share of the batch is empty): the loss of the whole batch,
    /// what it adds to the epoch's mean, and this rank's share of the weight.
    /// </summary>
    public GlobalPass Combine(TrainingPass<T>? pass, bool rootOutOfTime)
    {
        double weight = pass?.Weight ?? 0;
        sums[0] = weight;
        sums[1] = pass is null ? 0 : weight * pass.Loss;
        sums[2] = pass?.Sum ?? 0;
        sums[3] = pass?.Count ?? 0;
        sums[4] = Communicator.IsRoot && rootOutOfTime ? 1 : 0;
        Communicator.AllReduceSum(sums.AsSpan());
        OutOfTime = sums[4] > 0;
        double loss = sums[0] > 0 ? sums[1] / sums[0] : 0;
        bool summed = pass?.Sum is not null;
        return new GlobalPass(loss, summed ? sums[2] : loss, summed ? sums[3] : 1, sums[0] > 0 ? weight / sums[0] : 0);
    }

    /// <summary>Scales this rank's gradients by its share of the weight and sums them across ranks, module by module.</summary>
    public void SumGradients(double share)
    {
        T factor = T.CreateChecked(share);
        foreach (var module in modules)
        {
            var gradients = module.ParameterGradients.Span;
            Kernels.Elementwise.Scale(factor, gradients);
            Communicator.AllReduceSum(gradients);
        }
    }

    /// <summary>
    /// The validation loss as every rank sees it: the sum of the ranks' parts for a trainable that shares its validation
    /// (<see cref="IShardedValidation"/>), otherwise what rank 0 measures (every rank measures, so each task's own
    /// records stay alike).
    /// </summary>
    public double? Validate<TBatch>(ITrainable<T, TBatch> trainable)
    {
        Span<double> sums = stackalloc double[3]; // loss sum, count, whether there is validation data
        if (trainable is IShardedValidation shared)
        {
            var part = shared.ValidatePart(Communicator.Rank, Communicator.Size);
            (sums[0], sums[1], sums[2]) = part is { } p ? (p.Sum, p.Count, 1.0) : (0.0, 0.0, 0.0);
            Communicator.AllReduceSum(sums);
            return sums[2] > 0 ? sums[0] / sums[1] : null;
        }

        double? loss = trainable.Validate();
        (sums[0], sums[1]) = Communicator.IsRoot && loss is { } v ? (v, 1.0) : (0.0, 0.0);
        Communicator.AllReduceSum(sums[..2]);
        return sums[1] > 0 ? sums[0] : null;
    }

    /// <summary>Whether rank 0 says yes: every rank gets its answer.</summary>
    public bool RootSays(bool answer)
    {
        Span<double> flag = [Communicator.IsRoot && answer ? 1 : 0];
        Communicator.AllReduceSum(flag);
        return flag[0] > 0;
    }

    /// <summary>
    /// Throws on every rank when the ranks do not hold the same parameters (count and bits) and random state: they were
    /// started with other settings, data or seeds, or have drifted apart.
    /// </summary>
    public void CheckSame(RandomSource shared, string when)
    {
        int length = modules.Sum(m => m.ParameterValues.Length);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var module in modules)
        {
            hash.AppendData(MemoryMarshal.AsBytes(module.ParameterValues.Span));
        }

        hash.AppendData(MemoryMarshal.AsBytes(shared.GetState().AsSpan()));
        byte[] block = new byte[40];
        BitConverter.TryWriteBytes(block, (long)length);
        hash.GetHashAndReset().CopyTo(block, 8);
        byte[] all = Communicator.AllGather(block);
        for (int rank = 1; rank < Communicator.Size; rank++)
        {
            var other = all.AsSpan(rank * block.Length, block.Length);
            if (!other.SequenceEqual(all.AsSpan(0, block.Length)))
            {
                long count = BitConverter.ToInt64(other);
                string what = count != length ? $"{count} parameters against rank 0's {length}" : "other weights or random state than rank 0";
                throw new DistributedTrainingException($"rank {rank} holds {what} {when}: start every rank with the same settings, data and seed")
                {
                    SeenByAllRanks = true,
                };
            }
        }
    }
}

/// <summary>A step's pass over the whole global batch, as every rank sees it.</summary>
/// <param name="Loss">The global batch's loss.</param>
/// <param name="Contribution">What it adds to the epoch's loss total.</param>
/// <param name="Count">What it adds to the count the total is divided by.</param>
/// <param name="Share">This rank's share of the batch's weight.</param>
internal readonly record struct GlobalPass(double Loss, double Contribution, double Count, double Share);
