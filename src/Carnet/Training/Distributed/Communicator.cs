using System.Numerics;
using System.Runtime.InteropServices;

namespace Carnet.Training.Distributed;

/// <summary>
/// The processes (ranks) that train one model together, data-parallel: each runs the same program on its share of every
/// batch, and the gradients are summed across them before each optimizer step. <see cref="MpiCommunicator"/> runs
/// over MPI; <see cref="TrainingLoopOptions.Distributed"/> hands one to the training loop.
/// </summary>
public abstract class Communicator : IDisposable
{
    /// <summary>This process's rank, from 0 to <see cref="Size"/> − 1.</summary>
    public abstract int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public abstract int Size { get; }

    /// <summary>Whether this is rank 0, the one that writes outputs and checkpoints.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks, the same bits on each.</summary>
    /// <exception cref="DistributedTrainingException">The communication failed (a rank died, for one).</exception>
    public abstract void AllReduceSum(Span<float> values);

    /// <inheritdoc cref="AllReduceSum(Span{float})"/>
    public abstract void AllReduceSum(Span<double> values);

    /// <summary>Every rank's <paramref name="block"/> (the same length on each), concatenated in rank order.</summary>
    /// <exception cref="DistributedTrainingException">The communication failed.</exception>
    public abstract byte[] AllGather(ReadOnlySpan<byte> block);

    /// <summary>Ends every rank of the job at once with <paramref name="exitCode"/>: for a failure the others cannot see.</summary>
    public abstract void Abort(int exitCode);

    /// <summary>Sums a block of parameters or gradients of either element type across ranks.</summary>
    internal void AllReduceSum<T>(Span<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            AllReduceSum(MemoryMarshal.Cast<T, float>(values));
        }
        else if (typeof(T) == typeof(double))
        {
            AllReduceSum(MemoryMarshal.Cast<T, double>(values));
        }
        else
        {
            throw new NotSupportedException($"distributed training sums float or double gradients, not {typeof(T).Name}");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Leaves the job.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// Distributed training cannot go on: no MPI launcher or library, ranks started with different settings or data, or a
/// rank that died. The message is one line that says which.
/// </summary>
public sealed class DistributedTrainingException : Exception
{
    /// <summary>Creates the error.</summary>
    public DistributedTrainingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public DistributedTrainingException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Whether every rank saw the failure at once (a mismatch found at start), so none needs to end the others.</summary>
    public bool SeenByAllRanks { get; init; }
}

/// <summary>How a global batch is split among ranks.</summary>
public static class Shards
{
    /// <summary>
    /// The contiguous items [Start, Start + Length) of <paramref name="count"/> that rank <paramref name="rank"/> of
    /// <paramref name="ranks"/> takes: as even as can be, in rank order, together all of them.
    /// </summary>
    public static (int Start, int Length) Range(int count, int rank, int ranks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranks);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, ranks);
        int start = (int)((long)count * rank / ranks), end = (int)((long)count * (rank + 1) / ranks);
        return (start, end - start);
    }

    /// <summary>Rank <paramref name="rank"/>'s part of an array batch (<see cref="Range"/>), or null when it is empty.</summary>
    public static TItem[]? Of<TItem>(TItem[] batch, int rank, int ranks)
    {
        var (start, length) = Range(batch.Length, rank, ranks);
        return length == 0 ? null : batch.AsSpan(start, length).ToArray();
    }
}
