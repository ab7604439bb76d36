// Dimension legend: S = samples, C = distinct classes.
using System.Globalization;
using Carnet.Kernels;

namespace Carnet.Tasks.Evaluation;

/// <summary>
/// Splits labelled samples into training, validation and test parts that keep each class's share, for the classify
/// command.
/// </summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Splits the sample indices 0 .. S − 1 class by class. Classes are taken in ascending label order; each class's
    /// indices (ascending) are shuffled with <paramref name="random"/>, then the first round(n·testFraction) go to the test
    /// part, the next round(n·validationFraction) to the validation part and the rest to training (rounding halves away
    /// from zero). A class of n ≥ 3 members has at least one member in each part whose fraction is positive; every class
    /// keeps at least one member in training, so a class of one member is training only and a class of two gives its
    /// second member to test, then validation, only when the rounded share asks for it. The same seed gives the same split.
    /// </summary>
    /// <param name="labels">(S) the class label of each sample; any integers, at least two distinct values.</param>
    /// <param name="validationFraction">The share of each class for validation, in [0, 1).</param>
    /// <param name="testFraction">The share of each class for test, in [0, 1); the two fractions sum to less than 1.</param>
    /// <param name="random">The source of the shuffles; it advances by one shuffle per class.</param>
    /// <returns>The sample indices of each part, each sorted ascending; together they cover 0 .. S − 1 once.</returns>
    /// <exception cref="ArgumentException">The labels hold fewer than two distinct classes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is outside [0, 1), or they sum to 1 or more.</exception>
    public static (int[] Training, int[] Validation, int[] Test) Split(
        ReadOnlySpan<int> labels, double validationFraction, double testFraction, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckFraction(validationFraction, nameof(validationFraction));
        CheckFraction(testFraction, nameof(testFraction));
        if (!(validationFraction + testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, string.Create(CultureInfo.InvariantCulture,
                $"The validation ({validationFraction}) and test ({testFraction}) fractions must leave something for training."));
        }

        // sample indices ordered by (label, index), so that each class is one ascending run
        var keys = new long[labels.Length];
        var order = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            keys[i] = ((long)labels[i] << 32) + i;
            order[i] = i;
        }

        Array.Sort(keys, order);
        var starts = new List<int>();
        for (int i = 0; i < order.Length; i++)
        {
            if (i == 0 || labels[order[i]] != labels[order[i - 1]])
            {
                starts.Add(i);
            }
        }

        if (starts.Count < 2)
        {
            string found = labels.IsEmpty ? "no labels" : string.Create(CultureInfo.InvariantCulture, $"only the label {labels[0]}");
            throw new ArgumentException(
                $"A stratified split needs at least two classes, but this is a label column with one class ({found}).", nameof(labels));
        }

        starts.Add(order.Length);
        int classes = starts.Count - 1;
        var sizes = new int[classes];
        for (int c = 0; c < classes; c++)
        {
            sizes[c] = starts[c + 1] - starts[c];
        }

        var validationCounts = new int[classes];
        var testCounts = new int[classes];
        MetricsKernels.StratifiedCounts(sizes, validationFraction, testFraction, validationCounts, testCounts);
        var training = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        for (int c = 0; c < classes; c++)
        {
            Span<int> members = order.AsSpan(starts[c], sizes[c]);
            random.Shuffle(members);
            test.AddRange(members[..testCounts[c]]);
            validation.AddRange(members.Slice(testCounts[c], validationCounts[c]));
            training.AddRange(members[(testCounts[c] + validationCounts[c])..]);
        }

        return (Sorted(training), Sorted(validation), Sorted(test));
    }

    private static void CheckFraction(double fraction, string name)
    {
        if (!(fraction >= 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(name, fraction, "A split fraction must be in [0, 1).");
        }
    }

    private static int[] Sorted(List<int> indices)
    {
        int[] result = [.. indices];
        Array.Sort(result);
        return result;
    }
}
