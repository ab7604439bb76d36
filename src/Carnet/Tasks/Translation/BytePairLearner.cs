namespace Carnet.Tasks.Translation;

/// <summary>
/// Learns byte-pair merges from word tokens with incremental pair counts: the distinct words are spelt as symbol ids
/// with their counts, each adjacent pair keeps its count and the words it occurs in, and a sorted set orders the pairs by
/// count (most frequent first, ties by the left symbol, then the right, compared ordinally). A merge rewrites only the
/// words that hold its pair and changes only the counts of their pairs, so learning costs about the text's length per
/// merge touched rather than a pass over the corpus per merge.
/// </summary>
internal sealed class BytePairLearner
{
    private readonly List<string> symbols = []; // by id
    private readonly Dictionary<string, int> symbolIds = new(StringComparer.Ordinal);
    private readonly List<int[]> words = []; // each distinct word as symbol ids
    private readonly List<int> wordCounts = [];
    private readonly Dictionary<(int Left, int Right), int> pairCounts = [];
    private readonly Dictionary<(int Left, int Right), HashSet<int>> pairWords = []; // may hold words that lost the pair
    private readonly SortedSet<(int Count, int Left, int Right)> ranking;

    private BytePairLearner(IEnumerable<string> wordTokens)
    {
        ranking = new SortedSet<(int Count, int Left, int Right)>(Comparer<(int Count, int Left, int Right)>.Create(Compare));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string word in wordTokens)
        {
            counts[word] = counts.GetValueOrDefault(word) + 1;
        }

        foreach (var (word, count) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var spelling = word.EnumerateRunes().Select(r => r.ToString()).ToArray();
            spelling[^1] += BytePairTokenizer.EndOfWord;
            words.Add(spelling.Select(Intern).ToArray());
            wordCounts.Add(count);
        }

        var initial = new Dictionary<(int, int), int>();
        for (int w = 0; w < words.Count; w++)
        {
            CountPairs(w, words[w], wordCounts[w], initial);
        }

        ApplyChanges(initial);
    }

    /// <summary>The merges, in learned order, that bring the symbols (alphabet plus merges) to <paramref name="vocabularySize"/>.</summary>
    public static List<BytePairMerge> Learn(IEnumerable<string> wordTokens, int vocabularySize)
    {
        var learner = new BytePairLearner(wordTokens);
        var merges = new List<BytePairMerge>();
        int wanted = vocabularySize - learner.symbols.Count;
        while (merges.Count < wanted && learner.ranking.Count > 0 && learner.ranking.Min.Count >= 2)
        {
            var (_, left, right) = learner.ranking.Min;
            merges.Add(new BytePairMerge(learner.symbols[left], learner.symbols[right]));
            learner.Merge(left, right);
        }

        return merges;
    }

    private int Compare((int Count, int Left, int Right) a, (int Count, int Left, int Right) b)
    {
        int order = b.Count.CompareTo(a.Count);
        order = order != 0 ? order : string.CompareOrdinal(symbols[a.Left], symbols[b.Left]);
        return order != 0 ? order : string.CompareOrdinal(symbols[a.Right], symbols[b.Right]);
    }

    private int Intern(string symbol)
    {
        if (!symbolIds.TryGetValue(symbol, out int id))
        {
            id = symbolIds[symbol] = symbols.Count;
            symbols.Add(symbol);
        }

        return id;
    }

    // rewrites every word holding (left, right) with the merged symbol, then updates the counts of the pairs that changed
    private void Merge(int left, int right)
    {
        int merged = Intern(symbols[left] + symbols[right]);
        var changes = new Dictionary<(int, int), int>();
        foreach (int w in pairWords[(left, right)])
        {
            int[] spelling = words[w];
            int[] rewritten = MergeWord(spelling, left, right, merged);
            if (rewritten.Length != spelling.Length)
            {
                CountPairs(w, spelling, -wordCounts[w], changes);
                CountPairs(w, rewritten, wordCounts[w], changes);
                words[w] = rewritten;
            }
        }

        pairWords.Remove((left, right));
        ApplyChanges(changes);
    }

    private static int[] MergeWord(int[] spelling, int left, int right, int merged)
    {
        var rewritten = new List<int>(spelling.Length);
        for (int i = 0; i < spelling.Length; i++)
        {
            bool pair = i + 1 < spelling.Length && spelling[i] == left && spelling[i + 1] == right;
            rewritten.Add(pair ? merged : spelling[i]);
            i += pair ? 1 : 0;
        }

        return rewritten.ToArray();
    }

    // adds `count` to each adjacent pair of the spelling in `changes`, and records the word under pairs it now holds
    private void CountPairs(int word, int[] spelling, int count, Dictionary<(int, int), int> changes)
    {
        for (int i = 0; i + 1 < spelling.Length; i++)
        {
            var pair = (spelling[i], spelling[i + 1]);
            changes[pair] = changes.GetValueOrDefault(pair) + count;
            if (count > 0)
            {
                if (!pairWords.TryGetValue(pair, out var holders))
                {
                    holders = pairWords[pair] = [];
                }

                holders.Add(word);
            }
        }
    }

    private void ApplyChanges(Dictionary<(int, int), int> changes)
    {
        foreach (var ((left, right), change) in changes)
        {
            if (change == 0)
            {
                continue;
            }

            int before = pairCounts.GetValueOrDefault((left, right));
            int after = before + change;
            ranking.Remove((before, left, right));
            if (after > 0)
            {
                pairCounts[(left, right)] = after;
                ranking.Add((after, left, right));
            }
            else
            {
                pairCounts.Remove((left, right));
            }
        }
    }
}
