using Carnet.Models;

namespace Carnet.Tests.Models;

/// <summary>Beam search against exhaustive enumeration, greedy search against the model's own greedy pass, and batched against one by one.</summary>
public sealed class Seq2SeqSearchTests
{
    private static Seq2SeqModel<double> Model(int targetVocabulary, ulong seed) => new(new Seq2SeqOptions
    {
        SourceVocabularySize = 9, TargetVocabularySize = targetVocabulary, SourceEmbeddingSize = 5, TargetEmbeddingSize = 4,
        EncoderHiddenSize = 3, DecoderHiddenSize = 5, Bidirectional = true, Attention = Carnet.Layers.AttentionScore.Additive,
    }, new RandomSource(seed));

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void AWideBeamFindsTheBestSequenceThatExhaustiveSearchFinds(ulong seed)
    {
        // V = 6: every sequence of at most 3 tokens then <eos>, or 4 tokens cut at the length limit, is enumerated.
        var model = Model(6, seed);
        int[] source = [4, 7, 5];
        var options = new Seq2SeqSearchOptions { BeamSize = 216, LengthPenalty = 0, MaximumLengthRatio = 0, MaximumLengthOffset = 4 };
        var found = Seq2SeqSearch.Translate(model, [source], options)[0];
        var (bestTokens, bestScore) = Enumerate(model, source);
        Assert.Equal(bestTokens, found.Tokens);
        Assert.Equal(bestScore, found.LogProbability, 1e-9);
    }

    [Fact]
    public void GreedySearchChoosesWhatTheModelsOwnGreedyPassChooses()
    {
        var model = Model(12, 7);
        int[] source = [4, 8, 6, 5, 7];
        var greedy = Seq2SeqSearch.Translate(model, [source], new Seq2SeqSearchOptions { BeamSize = 1, MaximumLengthRatio = 0, MaximumLengthOffset = 8 })[0];
        var batch = new Seq2SeqBatch(source, [5], [2, 0, 0, 0, 0, 0, 0, 0], new int[8], 1);
        using var result = model.Forward(batch, training: false, new RandomSource(1), teacherForcing: 0);
        var logits = result.Logits();
        var expected = new List<int>();
        for (int t = 0; t < 8; t++)
        {
            int best = Enumerable.Range(0, 12).MaxBy(v => logits[0, t, v]);
            if (best == 3)
            {
                break;
            }

            expected.Add(best);
        }

        Assert.Equal(expected, greedy.Tokens);
        Assert.NotEmpty(expected);
    }

    [Fact]
    public void BatchedBeamSearchEqualsOneSentenceAtATime()
    {
        var model = Model(15, 11);
        var random = new RandomSource(12);
        var sources = Enumerable.Range(0, 9).Select(i => Enumerable.Range(0, 1 + random.NextInt(7)).Select(_ => 4 + random.NextInt(5)).ToArray()).ToArray();
        var together = Seq2SeqSearch.Translate(model, sources, new Seq2SeqSearchOptions { BeamSize = 4, BatchSize = 9 });
        var alone = Seq2SeqSearch.Translate(model, sources, new Seq2SeqSearchOptions { BeamSize = 4, BatchSize = 1 });
        for (int i = 0; i < sources.Length; i++)
        {
            Assert.Equal(alone[i].Tokens, together[i].Tokens);
            Assert.Equal(alone[i].Score, together[i].Score, 1e-12);
            Assert.Equal(alone[i].Attention.Length, together[i].Tokens.Length * sources[i].Length);
            Assert.Equal(alone[i].Attention, together[i].Attention, (a, b) => Math.Abs(a - b) < 1e-12);
        }
    }

    [Fact]
    public void LengthNormalizationIsGnmts()
    {
        Assert.Equal(1.0, Seq2SeqSearch.LengthNormalizer(1, 0.6));
        Assert.Equal(Math.Pow(15.0 / 6.0, 0.6), Seq2SeqSearch.LengthNormalizer(10, 0.6), 1e-15);
        Assert.Equal(1.0, Seq2SeqSearch.LengthNormalizer(10, 0));
    }

    /// <summary>The best of every sequence of ≤ 3 tokens ended by &lt;eos&gt; and of every 4-token sequence, by log P under teacher forcing.</summary>
    private static (int[] Tokens, double LogProbability) Enumerate(Seq2SeqModel<double> model, int[] source)
    {
        var best = (Tokens: Array.Empty<int>(), LogProbability: double.NegativeInfinity);
        foreach (var sequence in Sequences(4))
        {
            if (sequence.Contains(3))
            {
                continue;
            }

            bool cut = sequence.Length == 4;
            int[] targets = cut ? sequence : [.. sequence, 3];
            int[] input = [2, .. targets[..^1]];
            var batch = new Seq2SeqBatch(source, [source.Length], input, targets, 1);
            using var result = model.Forward(batch);
            var logits = result.Logits();
            double logProbability = 0;
            for (int t = 0; t < targets.Length; t++)
            {
                double max = Enumerable.Range(0, 6).Max(v => logits[0, t, v]);
                double logSum = max + Math.Log(Enumerable.Range(0, 6).Sum(v => Math.Exp(logits[0, t, v] - max)));
                logProbability += logits[0, t, targets[t]] - logSum;
            }

            if (logProbability > best.LogProbability)
            {
                best = (sequence, logProbability);
            }
        }

        return best;
    }

    private static IEnumerable<int[]> Sequences(int maximumLength)
    {
        IEnumerable<int[]> current = [[]];
        for (int length = 0; length <= maximumLength; length++)
        {
            foreach (var sequence in current)
            {
                yield return sequence;
            }

            current = current.SelectMany(s => Enumerable.Range(0, 6).Select(v => (int[])[.. s, v])).ToList();
        }
    }
}
