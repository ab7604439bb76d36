// Dimension legend: B = sequences, T = time steps (the longest of the batch), I = 8 symbols (one-hot).
using Carnet.Kernels;

namespace Carnet.Tasks.Experiments;

/// <summary>
/// The temporal-order problem (Hochreiter &amp; Schmidhuber 1997, experiment 6). Symbols are one-hot over
/// a, b, c, d, X, Y, E, B. A sequence of length drawn from [T, T + T/10] starts with E, ends with the trigger B and
/// holds random symbols from {a, b, c, d}, except at two positions (4 classes: t1 in [T/10, T/5], t2 in [T/2, 3T/5]) or
/// three (8 classes: t1 in [T/10, T/5], t2 in [0.33T, 0.43T], t3 in [0.66T, 0.76T]) that hold X or Y. The class is the
/// order of those symbols read as binary digits (X = 0, Y = 1, the first most significant): XX, XY, YX, YY. With
/// T = 100 the positions are the paper's. Counting positions from 0 at the E. A sequence is correct when every
/// output probability is within 0.3 of its one-hot target.
/// </summary>
public sealed class TemporalOrderTask : MemoryTask
{
    /// <summary>The symbol indices of the one-hot input.</summary>
    public const int SymbolX = 4, SymbolY = 5, SymbolStart = 6, SymbolTrigger = 7;

    /// <summary>The symbols' letters, by index.</summary>
    public const string Symbols = "abcdXYEB";

    private readonly int relevant; // 2 or 3 relevant symbols

    /// <summary>Creates the task with 4 (two relevant symbols) or 8 (three) classes.</summary>
    public TemporalOrderTask(int sequenceLength, int classes)
        : base(sequenceLength)
    {
        if (classes is not (4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "temporal order has 4 or 8 classes.");
        }

        relevant = classes == 4 ? 2 : 3;
    }

    /// <inheritdoc/>
    public override MemoryTaskKind Kind => MemoryTaskKind.TemporalOrder;

    /// <inheritdoc/>
    public override string Name => "temporal-order";

    /// <inheritdoc/>
    public override int InputSize => 8;

    /// <inheritdoc/>
    public override int OutputSize => 1 << relevant;

    /// <inheritdoc/>
    public override int MaximumLength => SequenceLength + SequenceLength / 10;

    /// <summary>The 2000 most recent sequences all correct and their mean cross-entropy below 0.1.</summary>
    public override StoppingRule Stopping => new(2000, 0, 0.1);

    /// <summary>The first and last position (inclusive) of each relevant symbol.</summary>
    public IReadOnlyList<(int First, int Last)> Windows
    {
        get
        {
            int t = SequenceLength;
            return relevant == 2
                ? [(t / 10, t / 5), (t / 2, 3 * t / 5)]
                : [(t / 10, t / 5), (33 * t / 100, 43 * t / 100), (66 * t / 100, 76 * t / 100)];
        }
    }

    /// <inheritdoc/>
    public override TaskBatch Generate(int count, RandomSource random)
    {
        int[] lengths = DrawLengths(count, random); // (B)
        int steps = lengths.Max();
        var features = new float[count * steps * 8]; // (B, T, 8)
        var classes = new int[count]; // (B)
        var windows = Windows;
        for (int b = 0; b < count; b++)
        {
            var symbols = new int[lengths[b]]; // (T_b)
            symbols[0] = SymbolStart;
            symbols[^1] = SymbolTrigger;
            for (int t = 1; t < symbols.Length - 1; t++)
            {
                symbols[t] = random.NextInt(4);
            }

            foreach (var (first, last) in windows)
            {
                int position = first + random.NextInt(last - first + 1);
                bool isY = random.NextInt(2) == 1;
                symbols[position] = isY ? SymbolY : SymbolX;
                classes[b] = 2 * classes[b] + (isY ? 1 : 0);
            }

            for (int t = 0; t < symbols.Length; t++)
            {
                features[(b * steps + t) * 8 + symbols[t]] = 1;
            }
        }

        return new TaskBatch(features, count, steps, 8, lengths, null, classes);
    }

    /// <inheritdoc/>
    public override void Judge(ReadOnlySpan<float> predictions, TaskBatch batch, Span<double> errors, Span<bool> correct)
        => JudgeClasses(predictions, batch.Classes, OutputSize, errors, correct);

    /// <inheritdoc/>
    public override (double Error, double WrongFraction) Baseline(TaskBatch batch)
        => ExperimentKernels.ConstantClassBaseline(batch.Classes, 1, OutputSize, 0.3);
}
