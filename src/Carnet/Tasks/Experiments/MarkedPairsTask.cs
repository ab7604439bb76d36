// Dimension legend: B = sequences, T = time steps (the longest of the batch), I = 2 (value, marker).
using Carnet.Kernels;

namespace Carnet.Tasks.Experiments;

/// <summary>
/// The adding and multiplication problems (Hochreiter &amp; Schmidhuber 1997, experiments 4 and 5). Each step is a pair
/// (value, marker). The length is drawn from [T, T + T/10]. One of the first ten pairs is marked 1 (its value is X1),
/// then one of the first T/2 − 1 still unmarked pairs (X2); the first and last pairs' markers are −1 unless marked, all
/// others 0. Adding: values in [−1, 1], target 0.5 + (X1 + X2)/4; a value at the first pair, when marked, is set to 0.
/// Multiplication: values in [0, 1], target X1·X2; a value at the first pair, when marked, is set to 1 (the product's
/// neutral element, as 0 is the sum's). A sequence is correct when its absolute error is below 0.04.
/// </summary>
public sealed class MarkedPairsTask : MemoryTask
{
    /// <summary>The absolute error below which a sequence counts as processed correctly.</summary>
    public const double Tolerance = 0.04;

    private readonly bool multiply;

    /// <summary>Creates the adding problem, or the multiplication problem when <paramref name="multiply"/>.</summary>
    public MarkedPairsTask(int sequenceLength, bool multiply)
        : base(sequenceLength)
    {
        this.multiply = multiply;
    }

    /// <inheritdoc/>
    public override MemoryTaskKind Kind => multiply ? MemoryTaskKind.Multiplication : MemoryTaskKind.Adding;

    /// <inheritdoc/>
    public override string Name => multiply ? "multiplication" : "adding";

    /// <inheritdoc/>
    public override int InputSize => 2;

    /// <inheritdoc/>
    public override int OutputSize => 1;

    /// <inheritdoc/>
    public override bool IsRegression => true;

    /// <inheritdoc/>
    public override int MaximumLength => SequenceLength + SequenceLength / 10;

    /// <summary>
    /// Adding: the 2000 most recent sequences all correct and their mean squared error below 0.01. Multiplication: fewer
    /// than 140 of the 2000 most recent sequences wrong (the paper's n_seq = 140).
    /// </summary>
    public override StoppingRule Stopping => multiply ? new(2000, 139, double.PositiveInfinity) : new(2000, 0, 0.01);

    /// <inheritdoc/>
    public override TaskBatch Generate(int count, RandomSource random)
    {
        int[] lengths = DrawLengths(count, random); // (B)
        int steps = lengths.Max();
        var features = new float[count * steps * 2]; // (B, T, 2)
        var targets = new float[count]; // (B)
        double low = multiply ? 0 : -1;
        for (int b = 0; b < count; b++)
        {
            Span<float> sequence = features.AsSpan(b * steps * 2, lengths[b] * 2); // (T_b, 2)
            for (int t = 0; t < lengths[b]; t++)
            {
                sequence[2 * t] = (float)(low + (1 - low) * random.NextDouble());
            }

            sequence[1] = -1;
            sequence[2 * (lengths[b] - 1) + 1] = -1;
            int first = random.NextInt(10);
            int second = random.NextInt(SequenceLength / 2 - 1); // the k-th still unmarked pair among the first T/2 − 1
            if (second >= first)
            {
                second++;
            }

            foreach (int marked in (ReadOnlySpan<int>)[first, second])
            {
                sequence[2 * marked + 1] = 1;
                if (marked == 0)
                {
                    sequence[0] = multiply ? 1 : 0;
                }
            }

            float x1 = sequence[2 * first], x2 = sequence[2 * second];
            targets[b] = multiply ? x1 * x2 : 0.5f + (x1 + x2) / 4;
        }

        return new TaskBatch(features, count, steps, 2, lengths, targets, null);
    }

    /// <inheritdoc/>
    public override void Judge(ReadOnlySpan<float> predictions, TaskBatch batch, Span<double> errors, Span<bool> correct)
        => ExperimentKernels.ValueErrors(predictions, batch.Values, Tolerance, errors, correct);

    /// <inheritdoc/>
    public override (double Error, double WrongFraction) Baseline(TaskBatch batch)
        => ExperimentKernels.ConstantValueBaseline(batch.Values, Tolerance);
}
