using Carnet.Tasks.Evaluation;

namespace Carnet.Tests.Evaluation;

/// <summary>Per-class shares, the small-class rules, cover and determinism of the stratified split.</summary>
public sealed class StratifiedSplitTests
{
    /// <summary>Six classes of 50, 30, 7, 3, 2 and 1 members, spread over 93 positions by i ↦ 7i mod 93.</summary>
    private static int[] MixedLabels()
    {
        int[] sizes = [50, 30, 7, 3, 2, 1];
        int[] sorted = [.. sizes.SelectMany((size, label) => Enumerable.Repeat(label, size))];
        var labels = new int[sorted.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            labels[i * 7 % sorted.Length] = sorted[i];
        }

        return labels;
    }

    private static int[] CountPerClass(int[] labels, int[] part, int classes)
    {
        var counts = new int[classes];
        foreach (int index in part)
        {
            counts[labels[index]]++;
        }

        return counts;
    }

    [Fact]
    public void EachClassKeepsItsShare()
    {
        // validation 0.2, test 0.1, rounded per class: 50 → 10 and 5; 30 → 6 and 3; 7 → round(1.4) = 1 and round(0.7) = 1;
        // 3 → round(0.6) = 1 and round(0.3) = 0 raised to 1; 2 → round(0.4) = 0 and round(0.2) = 0; 1 → training only
        int[] labels = MixedLabels();
        var (training, validation, test) = StratifiedSplit.Split(labels, 0.2, 0.1, new RandomSource(7));
        Assert.Equal([35, 21, 5, 1, 2, 1], CountPerClass(labels, training, 6));
        Assert.Equal([10, 6, 1, 1, 0, 0], CountPerClass(labels, validation, 6));
        Assert.Equal([5, 3, 1, 1, 0, 0], CountPerClass(labels, test, 6));
        int[] sizes = [50, 30, 7, 3, 2, 1];
        for (int c = 0; c < 4; c++)
        {
            Assert.InRange(CountPerClass(labels, validation, 6)[c], sizes[c] * 0.2 - 1, sizes[c] * 0.2 + 1);
            Assert.InRange(CountPerClass(labels, test, 6)[c], sizes[c] * 0.1 - 1, sizes[c] * 0.1 + 1);
        }
    }

    [Fact]
    public void PartsAreSortedDisjointAndCoverEveryIndex()
    {
        int[] labels = MixedLabels();
        var (training, validation, test) = StratifiedSplit.Split(labels, 0.2, 0.1, new RandomSource(7));
        foreach (int[] part in new[] { training, validation, test })
        {
            Assert.Equal(part.Order(), part);
        }

        Assert.Equal(Enumerable.Range(0, labels.Length), training.Concat(validation).Concat(test).Order());
    }

    [Fact]
    public void SameSeedSameSplitOtherSeedOtherSplit()
    {
        int[] labels = MixedLabels();
        var first = StratifiedSplit.Split(labels, 0.2, 0.1, new RandomSource(7));
        var again = StratifiedSplit.Split(labels, 0.2, 0.1, new RandomSource(7));
        var other = StratifiedSplit.Split(labels, 0.2, 0.1, new RandomSource(8));
        Assert.Equal(first.Training, again.Training);
        Assert.Equal(first.Validation, again.Validation);
        Assert.Equal(first.Test, again.Test);
        Assert.NotEqual(first.Test, other.Test);
        Assert.NotEqual(first.Validation, other.Validation);
    }

    [Fact]
    public void ShufflesEachClassInLabelOrder()
    {
        // the documented procedure, replayed: class −1 (indices 1, 3, 5, 7) then class 4 (0, 2, 4, 6), each shuffled in
        // turn; with 0.25 and 0.25 each class gives its first shuffled index to test and its second to validation
        int[] labels = [4, -1, 4, -1, 4, -1, 4, -1];
        var replay = new RandomSource(11);
        int[] minus = [1, 3, 5, 7];
        int[] four = [0, 2, 4, 6];
        replay.Shuffle(minus.AsSpan());
        replay.Shuffle(four.AsSpan());
        var (training, validation, test) = StratifiedSplit.Split(labels, 0.25, 0.25, new RandomSource(11));
        Assert.Equal(new[] { minus[0], four[0] }.Order(), test);
        Assert.Equal(new[] { minus[1], four[1] }.Order(), validation);
        Assert.Equal(minus[2..].Concat(four[2..]).Order(), training);
    }

    [Fact]
    public void SmallClassesFillTrainingFirst()
    {
        // three members and tiny fractions: one in each part; two members: training, then test, then validation;
        // four members at 0.45 and 0.45 (2 and 2 rounded): validation gives way so that training keeps one
        var (training, validation, test) = StratifiedSplit.Split([0, 0, 0, 1, 1], 0.05, 0.05, new RandomSource(1));
        Assert.Equal(3, training.Length);
        Assert.Equal([3, 4], training[1..]);
        Assert.InRange(training[0], 0, 2);
        Assert.InRange(Assert.Single(validation), 0, 2);
        Assert.InRange(Assert.Single(test), 0, 2);

        var pair = StratifiedSplit.Split([0, 0, 1, 1], 0.25, 0.25, new RandomSource(1));
        Assert.Equal(2, pair.Training.Length);
        Assert.Equal(2, pair.Test.Length);
        Assert.Empty(pair.Validation);

        var crowded = StratifiedSplit.Split([0, 0, 0, 0, 1, 1, 1, 1], 0.45, 0.45, new RandomSource(1));
        Assert.Equal(2, crowded.Training.Length);
        Assert.Equal(2, crowded.Validation.Length);
        Assert.Equal(4, crowded.Test.Length);
    }

    [Fact]
    public void ZeroValidationFractionLeavesValidationEmpty()
    {
        int[] labels = MixedLabels();
        var (training, validation, test) = StratifiedSplit.Split(labels, 0, 0.1, new RandomSource(3));
        Assert.Empty(validation);
        Assert.Equal([5, 3, 1, 1, 0, 0], CountPerClass(labels, test, 6));
        Assert.Equal(labels.Length - test.Length, training.Length);
    }

    [Fact]
    public void OneClassIsRejected()
    {
        var single = Assert.Throws<ArgumentException>("labels", () => StratifiedSplit.Split([2, 2, 2, 2], 0.2, 0.2, new RandomSource(1)));
        Assert.Contains("a label column with one class", single.Message, StringComparison.Ordinal);
        Assert.Contains("only the label 2", single.Message, StringComparison.Ordinal);
        var empty = Assert.Throws<ArgumentException>("labels", () => StratifiedSplit.Split([], 0.2, 0.2, new RandomSource(1)));
        Assert.Contains("a label column with one class", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadFractionsAreRejected()
    {
        int[] labels = [0, 1, 0, 1];
        Assert.Throws<ArgumentOutOfRangeException>("validationFraction", () => StratifiedSplit.Split(labels, -0.1, 0.2, new RandomSource(1)));
        Assert.Throws<ArgumentOutOfRangeException>("testFraction", () => StratifiedSplit.Split(labels, 0.2, 1.0, new RandomSource(1)));
        Assert.Throws<ArgumentOutOfRangeException>("testFraction", () => StratifiedSplit.Split(labels, 0.5, 0.5, new RandomSource(1)));
        Assert.Throws<ArgumentOutOfRangeException>("testFraction", () => StratifiedSplit.Split(labels, 0.2, double.NaN, new RandomSource(1)));
        Assert.Throws<ArgumentNullException>("random", () => StratifiedSplit.Split(labels, 0.2, 0.2, null!));
    }
}
