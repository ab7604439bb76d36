// Dimension legend: B = sequences, T = time steps (gap + 20), I = 10 categories (one-hot), C = 9 output categories.
using Carnet.Kernels;

namespace Carnet.Tasks.Experiments;

/// <summary>
/// The copy-memory task (Arjovsky, Shah &amp; Bengio 2016). Categories a0 … a9: a0 is the blank, a1 … a8 the symbols, a9
/// the delimiter. The input has T + 20 steps: 10 symbols drawn uniformly from a1 … a8, T − 1 blanks, the delimiter, 10
/// blanks. The target is T + 10 blanks followed by the 10 symbols in order. The loss is the cross-entropy averaged over
/// all steps; a sequence is correct when every step's most probable category is its target. The memoryless baseline
/// (blanks, then uniform guesses) has cross-entropy 10·ln 8 / (T + 20).
/// </summary>
public sealed class CopyTask : MemoryTask
{
    /// <summary>The number of symbols to remember.</summary>
    public const int Remembered = 10;

    /// <summary>The category indices of the blank and the delimiter.</summary>
    public const int Blank = 0, Delimiter = 9;

    /// <summary>Creates the task with a gap of <paramref name="sequenceLength"/> steps.</summary>
    public CopyTask(int sequenceLength)
        : base(sequenceLength)
    {
    }

    /// <inheritdoc/>
    public override MemoryTaskKind Kind => MemoryTaskKind.Copy;

    /// <inheritdoc/>
    public override string Name => "copy";

    /// <inheritdoc/>
    public override int InputSize => 10;

    /// <inheritdoc/>
    public override int OutputSize => 9;

    /// <inheritdoc/>
    public override bool PerStep => true;

    /// <inheritdoc/>
    public override int MaximumLength => SequenceLength + 2 * Remembered;

    /// <summary>The 2000 most recent sequences all correct.</summary>
    public override StoppingRule Stopping => new(2000, 0, double.PositiveInfinity);

    /// <inheritdoc/>
    public override TaskBatch Generate(int count, RandomSource random)
    {
        int steps = MaximumLength;
        var features = new float[count * steps * 10]; // (B, T, 10)
        var targets = new int[count * steps]; // (B·T)
        var lengths = new int[count]; // (B)
        for (int b = 0; b < count; b++)
        {
            lengths[b] = steps;
            Span<int> output = targets.AsSpan(b * steps, steps); // (T)
            for (int t = 0; t < steps; t++)
            {
                int category = t < Remembered ? 1 + random.NextInt(8) : t == SequenceLength + Remembered - 1 ? Delimiter : Blank;
                features[(b * steps + t) * 10 + category] = 1;
                if (t < Remembered)
                {
                    output[steps - Remembered + t] = category;
                }
            }
        }

        return new TaskBatch(features, count, steps, 10, lengths, null, targets);
    }

    /// <inheritdoc/>
    public override void Judge(ReadOnlySpan<float> predictions, TaskBatch batch, Span<double> errors, Span<bool> correct)
        => ExperimentKernels.SequenceClassErrors(predictions, batch.Classes, batch.Steps, OutputSize, errors, correct);

    /// <inheritdoc/>
    public override (double Error, double WrongFraction) Baseline(TaskBatch batch)
        => ExperimentKernels.ConstantClassBaseline(batch.Classes, batch.Steps, OutputSize, 0);
}
