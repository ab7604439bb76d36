// Dimension legend: B = sequences in a batch, T = time steps (the longest sequence of the batch), I = input size,
// C = output classes.
using Carnet.Kernels;

namespace Carnet.Tasks.Experiments;

/// <summary>The long-time-lag tasks of Hochreiter &amp; Schmidhuber (1997) and the copy-memory task of Arjovsky et al. (2016).</summary>
public enum MemoryTaskKind
{
    /// <summary>Experiment 4 of the 1997 paper: output the scaled sum of two marked values, 0.5 + (X1 + X2)/4.</summary>
    Adding,

    /// <summary>Experiment 5: output the product X1·X2 of two marked values in [0, 1].</summary>
    Multiplication,

    /// <summary>Experiment 6: classify a sequence by the order of two (4 classes) or three (8 classes) widely separated symbols.</summary>
    TemporalOrder,

    /// <summary>Copy memory (Arjovsky, Shah &amp; Bengio 2016): reproduce 10 symbols after T blank steps.</summary>
    Copy,
}

/// <summary>
/// A batch of generated sequences: one-hot or numeric features (B, T, I) padded with zeros after each sequence's
/// length, and the targets, either values (B) or class ids (B, or B·T for per-step tasks).
/// </summary>
public sealed record TaskBatch(float[] Features, int Batch, int Steps, int InputSize, int[] Lengths, float[]? Values, int[]? Classes);

/// <summary>
/// When an experiment has learned its task, as the 1997 paper stops: among the <see cref="Window"/> most recent training
/// sequences at most <see cref="MaximumWrong"/> were processed wrongly and their mean error is below <see cref="MaximumMeanError"/>.
/// </summary>
public sealed record StoppingRule(int Window, int MaximumWrong, double MaximumMeanError);

/// <summary>
/// A synthetic task that needs memory across a long gap: it generates sequences on the fly, says which outputs count as
/// correct, and gives the error of the best constant answer (the baseline a model without memory can reach).
/// </summary>
public abstract class MemoryTask
{
    /// <summary>Sets the minimal sequence length T.</summary>
    protected MemoryTask(int sequenceLength)
    {
        if (sequenceLength < 20)
        {
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "the sequence length must be at least 20.");
        }

        SequenceLength = sequenceLength;
    }

    /// <summary>Which task this is.</summary>
    public abstract MemoryTaskKind Kind { get; }

    /// <summary>The name the command line uses.</summary>
    public abstract string Name { get; }

    /// <summary>T, the minimal sequence length (the copy task's gap).</summary>
    public int SequenceLength { get; }

    /// <summary>I: features per step.</summary>
    public abstract int InputSize { get; }

    /// <summary>1 for the value tasks; the number of classes otherwise.</summary>
    public abstract int OutputSize { get; }

    /// <summary>Whether the task is scored at every step (copy) rather than at each sequence's end.</summary>
    public virtual bool PerStep => false;

    /// <summary>Whether the targets are values (mean squared error) rather than classes (cross-entropy).</summary>
    public virtual bool IsRegression => false;

    /// <summary>The longest sequence the task generates.</summary>
    public abstract int MaximumLength { get; }

    /// <summary>The 1997 paper's stopping rule for this task.</summary>
    public abstract StoppingRule Stopping { get; }

    /// <summary>Generates <paramref name="count"/> sequences from <paramref name="random"/>.</summary>
    public abstract TaskBatch Generate(int count, RandomSource random);

    /// <summary>
    /// Scores a model's outputs on a batch: each sequence's error (squared error for values, cross-entropy for classes,
    /// averaged over the steps of a per-step task) and whether it was processed correctly.
    /// </summary>
    public abstract void Judge(ReadOnlySpan<float> predictions, TaskBatch batch, Span<double> errors, Span<bool> correct);

    /// <summary>
    /// The best constant answer on <paramref name="batch"/> (the mean value, the class frequencies, per position for a
    /// per-step task): its mean error and the fraction of sequences it gets wrong.
    /// </summary>
    public abstract (double Error, double WrongFraction) Baseline(TaskBatch batch);

    /// <summary>Creates a task by kind; <paramref name="classes"/> (4 or 8) applies to temporal order only.</summary>
    public static MemoryTask Create(MemoryTaskKind kind, int sequenceLength, int classes = 4) => kind switch
    {
        MemoryTaskKind.Adding => new MarkedPairsTask(sequenceLength, multiply: false),
        MemoryTaskKind.Multiplication => new MarkedPairsTask(sequenceLength, multiply: true),
        MemoryTaskKind.TemporalOrder => new TemporalOrderTask(sequenceLength, classes),
        _ => new CopyTask(sequenceLength),
    };

    /// <summary>Scores class outputs (B, C) at each sequence's end with the paper's rule (every output within 0.3 of its one-hot target).</summary>
    private protected static void JudgeClasses(ReadOnlySpan<float> logits, ReadOnlySpan<int> classes, int outputs, Span<double> errors, Span<bool> correct)
        => ExperimentKernels.ClassErrors(logits, classes, outputs, 0.3, errors, correct);

    /// <summary>Sequence lengths (B) drawn uniformly from [T, T + T/10], as the 1997 paper's variable-length tasks use.</summary>
    private protected int[] DrawLengths(int count, RandomSource random)
    {
        var lengths = new int[count]; // (B)
        for (int b = 0; b < count; b++)
        {
            lengths[b] = SequenceLength + random.NextInt(SequenceLength / 10 + 1);
        }

        return lengths;
    }
}
