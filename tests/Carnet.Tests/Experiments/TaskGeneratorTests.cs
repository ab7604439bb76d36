using Carnet.Tasks.Experiments;

namespace Carnet.Tests.Experiments;

/// <summary>The task generators against their definitions: lengths, marker counts and positions, symbols, targets.</summary>
public sealed class TaskGeneratorTests
{
    private const int Count = 3000;

    [Theory]
    [InlineData(100)]
    [InlineData(57)]
    public void AddingSequencesFollowThe1997Definition(int steps)
    {
        var task = new MarkedPairsTask(steps, multiply: false);
        var batch = task.Generate(Count, new RandomSource(1));
        var firstSeen = new HashSet<int>();
        var secondSeen = new HashSet<int>();
        Assert.Equal(2, batch.InputSize);
        Assert.Equal(batch.Lengths.Max(), batch.Steps);
        for (int b = 0; b < Count; b++)
        {
            int length = batch.Lengths[b];
            Assert.InRange(length, steps, steps + steps / 10);
            float Value(int t) => batch.Features[(b * batch.Steps + t) * 2];
            float Marker(int t) => batch.Features[(b * batch.Steps + t) * 2 + 1];
            var marked = Enumerable.Range(0, length).Where(t => Marker(t) == 1).ToArray();
            Assert.Equal(2, marked.Length);
            Assert.True(marked.Any(t => t < 10), "one mark among the first ten pairs");
            Assert.All(marked, t => Assert.True(t < steps / 2, $"mark at {t}, beyond the first T/2 − 1 unmarked pairs"));
            for (int t = 0; t < length; t++)
            {
                float expected = marked.Contains(t) ? 1 : t == 0 || t == length - 1 ? -1 : 0;
                Assert.Equal(expected, Marker(t));
                Assert.InRange(Value(t), -1f, 1f);
            }

            for (int t = length; t < batch.Steps; t++)
            {
                Assert.Equal(0f, Value(t));
                Assert.Equal(0f, Marker(t));
            }

            if (marked[0] == 0)
            {
                Assert.Equal(0f, Value(0));
            }

            Assert.Equal(0.5f + (Value(marked[0]) + Value(marked[1])) / 4, batch.Values![b]);
            firstSeen.Add(marked.Min());
            secondSeen.Add(marked.Max());
        }

        Assert.Equal(Enumerable.Range(0, 10), firstSeen.Where(t => t < 10).Order());
        Assert.Equal(steps / 2 - 1, secondSeen.Max());
        Assert.InRange(batch.Values!.Average(), 0.49, 0.51);
    }

    [Fact]
    public void MultiplicationUsesValuesInTheUnitIntervalAndTheProduct()
    {
        var task = new MarkedPairsTask(100, multiply: true);
        var batch = task.Generate(Count, new RandomSource(2));
        int firstPairMarked = 0;
        for (int b = 0; b < Count; b++)
        {
            var pairs = Enumerable.Range(0, batch.Lengths[b]).Select(t => (Value: batch.Features[(b * batch.Steps + t) * 2],
                Marker: batch.Features[(b * batch.Steps + t) * 2 + 1])).ToArray();
            Assert.All(pairs, p => Assert.InRange(p.Value, 0f, 1f));
            var marked = pairs.Where(p => p.Marker == 1).Select(p => p.Value).ToArray();
            Assert.Equal(2, marked.Length);
            Assert.Equal(marked[0] * marked[1], batch.Values![b]);
            if (pairs[0].Marker == 1)
            {
                Assert.Equal(1f, pairs[0].Value);
                firstPairMarked++;
            }
        }

        Assert.InRange(firstPairMarked, 1, Count / 5);
        Assert.Equal("multiplication", task.Name);
        Assert.Equal(new StoppingRule(2000, 139, double.PositiveInfinity), task.Stopping);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void TemporalOrderHasTheRelevantSymbolsInThePapersWindows(int classes)
    {
        var task = new TemporalOrderTask(100, classes);
        (int, int)[] expectedWindows = classes == 4 ? [(10, 20), (50, 60)] : [(10, 20), (33, 43), (66, 76)];
        Assert.Equal(expectedWindows, task.Windows);
        var batch = task.Generate(Count, new RandomSource(3));
        var classCounts = new int[classes];
        for (int b = 0; b < Count; b++)
        {
            int length = batch.Lengths[b];
            Assert.InRange(length, 100, 110);
            var symbols = new int[length];
            for (int t = 0; t < batch.Steps; t++)
            {
                var row = batch.Features.AsSpan((b * batch.Steps + t) * 8, 8).ToArray();
                Assert.Equal(t < length ? 1f : 0f, row.Sum());
                if (t < length)
                {
                    symbols[t] = Array.IndexOf(row, 1f);
                }
            }

            Assert.Equal(TemporalOrderTask.SymbolStart, symbols[0]);
            Assert.Equal(TemporalOrderTask.SymbolTrigger, symbols[^1]);
            var relevant = Enumerable.Range(0, length).Where(t => symbols[t] is TemporalOrderTask.SymbolX or TemporalOrderTask.SymbolY).ToArray();
            Assert.Equal(expectedWindows.Length, relevant.Length);
            int expectedClass = 0;
            for (int k = 0; k < relevant.Length; k++)
            {
                Assert.InRange(relevant[k], expectedWindows[k].Item1, expectedWindows[k].Item2);
                expectedClass = 2 * expectedClass + (symbols[relevant[k]] == TemporalOrderTask.SymbolY ? 1 : 0);
            }

            Assert.All(Enumerable.Range(1, length - 2).Except(relevant), t => Assert.InRange(symbols[t], 0, 3));
            Assert.Equal(expectedClass, batch.Classes![b]);
            classCounts[expectedClass]++;
        }

        Assert.All(classCounts, c => Assert.InRange(c, Count / classes * 0.8, Count / classes * 1.2));
    }

    [Fact]
    public void CopySequencesFollowArjovskysDefinition()
    {
        const int gap = 30;
        var task = new CopyTask(gap);
        var batch = task.Generate(500, new RandomSource(4));
        Assert.Equal(gap + 20, batch.Steps);
        Assert.Equal(9, task.OutputSize);
        for (int b = 0; b < 500; b++)
        {
            Assert.Equal(gap + 20, batch.Lengths[b]);
            int[] input = Enumerable.Range(0, batch.Steps).Select(t => Array.IndexOf(batch.Features.AsSpan((b * batch.Steps + t) * 10, 10).ToArray(), 1f)).ToArray();
            int[] target = batch.Classes!.AsSpan(b * batch.Steps, batch.Steps).ToArray();
            Assert.All(input[..10], s => Assert.InRange(s, 1, 8));
            Assert.All(input[10..(gap + 9)], s => Assert.Equal(CopyTask.Blank, s));
            Assert.Equal(gap - 1, input[10..(gap + 9)].Length);
            Assert.Equal(CopyTask.Delimiter, input[gap + 9]);
            Assert.All(input[(gap + 10)..], s => Assert.Equal(CopyTask.Blank, s));
            Assert.All(target[..(gap + 10)], s => Assert.Equal(CopyTask.Blank, s));
            Assert.Equal(input[..10], target[(gap + 10)..]);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameSequences()
    {
        foreach (var kind in Enum.GetValues<MemoryTaskKind>())
        {
            var task = MemoryTask.Create(kind, 40);
            var first = task.Generate(20, new RandomSource(9));
            var second = task.Generate(20, new RandomSource(9));
            Assert.Equal(first.Features, second.Features);
            Assert.Equal(first.Lengths, second.Lengths);
            Assert.Equal(first.Values, second.Values);
            Assert.Equal(first.Classes, second.Classes);
        }
    }

    [Fact]
    public void TooShortOrWrongClassCountIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryTask.Create(MemoryTaskKind.Adding, 19));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemporalOrderTask(100, 6));
    }
}
