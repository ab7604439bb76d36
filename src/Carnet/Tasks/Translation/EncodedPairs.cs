using Carnet.Models;

namespace Carnet.Tasks.Translation;

/// <summary>
/// Sentence pairs as token ids (without &lt;bos&gt;, &lt;eos&gt; or padding), cut into batches of similar lengths: each
/// epoch shuffles the pairs, sorts each pool of 64 batches' worth by length, cuts it into batches and shuffles the batches,
/// so a batch carries little padding and the order still changes every epoch.
/// </summary>
public sealed class EncodedPairs
{
    private const int PoolBatches = 64;

    /// <summary>The pairs; every source and target has at least one token.</summary>
    public EncodedPairs(IReadOnlyList<(int[] Source, int[] Target)> pairs)
    {
        if (pairs.Any(p => p.Source.Length == 0 || p.Target.Length == 0))
        {
            throw new ArgumentException("Every source and target needs at least one token.", nameof(pairs));
        }

        Pairs = pairs;
    }

    /// <summary>The pairs.</summary>
    public IReadOnlyList<(int[] Source, int[] Target)> Pairs { get; }

    /// <summary>Target tokens the loss counts: each target's tokens and its &lt;eos&gt;.</summary>
    public long TargetTokenCount => Pairs.Sum(p => (long)p.Target.Length + 1);

    /// <summary>One epoch's batches, bucketed by length, drawn with <paramref name="random"/>.</summary>
    public IEnumerable<Seq2SeqBatch> Shuffled(int batchSize, RandomSource random)
    {
        var order = Enumerable.Range(0, Pairs.Count).ToArray();
        Shuffle(order, random);
        var batches = new List<int[]>();
        foreach (var pool in order.Chunk(batchSize * PoolBatches))
        {
            var sorted = pool.OrderBy(i => Pairs[i].Source.Length).ThenBy(i => Pairs[i].Target.Length).ToArray();
            batches.AddRange(sorted.Chunk(batchSize));
        }

        var batchOrder = batches.ToArray();
        Shuffle(batchOrder, random);
        return batchOrder.Select(ToBatch);
    }

    /// <summary>The pairs in order, <paramref name="batchSize"/> at a time.</summary>
    public IEnumerable<Seq2SeqBatch> InOrder(int batchSize)
        => Enumerable.Range(0, Pairs.Count).Chunk(batchSize).Select(ToBatch);

    /// <summary>
    /// A batch of the given pairs: sources padded to the longest, decoder input &lt;bos&gt; y₀ … and targets y₀ … &lt;eos&gt;
    /// padded to the longest target plus one.
    /// </summary>
    public Seq2SeqBatch ToBatch(int[] indices)
    {
        int batch = indices.Length;
        int sourceSteps = indices.Max(i => Pairs[i].Source.Length), targetSteps = indices.Max(i => Pairs[i].Target.Length) + 1;
        var source = new int[batch * sourceSteps]; // (B, S)
        var decoderInput = new int[batch * targetSteps]; // (B, T)
        var targets = new int[batch * targetSteps]; // (B, T)
        var lengths = new int[batch]; // (B)
        for (int b = 0; b < batch; b++)
        {
            var (from, to) = Pairs[indices[b]];
            from.CopyTo(source, b * sourceSteps);
            lengths[b] = from.Length;
            decoderInput[b * targetSteps] = TokenVocabulary.Begin;
            to.CopyTo(decoderInput, b * targetSteps + 1);
            to.CopyTo(targets, b * targetSteps);
            targets[b * targetSteps + to.Length] = TokenVocabulary.End;
        }

        return new Seq2SeqBatch(source, lengths, decoderInput, targets, batch);
    }

    private static void Shuffle<TItem>(TItem[] items, RandomSource random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
