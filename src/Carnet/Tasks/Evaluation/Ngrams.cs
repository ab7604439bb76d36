namespace Carnet.Tasks.Evaluation;

/// <summary>
/// N-gram counts as sacreBLEU's <c>helpers.py</c> makes them (Python <c>Counter</c>s): one dictionary per order n = 1..N,
/// index n − 1, keyed by the n-gram's text. Word n-grams join their words with a space, which no word contains.
/// </summary>
internal static class Ngrams
{
    /// <summary>(N) the word n-grams of orders 1..N (<c>extract_all_word_ngrams</c>).</summary>
    public static Dictionary<string, int>[] OfWords(IReadOnlyList<string> words, int maximumOrder)
    {
        var counts = Empty(maximumOrder);
        for (int n = 1; n <= maximumOrder; n++)
        {
            for (int i = 0; i + n <= words.Count; i++)
            {
                Increment(counts[n - 1], string.Join(' ', words.Skip(i).Take(n)));
            }
        }

        return counts;
    }

    /// <summary>(N) the character n-grams of orders 1..N, characters being code points (<c>extract_all_char_ngrams</c>).</summary>
    public static Dictionary<string, int>[] OfCharacters(string text, int maximumOrder)
    {
        var counts = Empty(maximumOrder);
        int[] starts = PythonText.CodePointStarts(text);
        int length = starts.Length - 1;
        for (int n = 1; n <= maximumOrder; n++)
        {
            for (int i = 0; i + n <= length; i++)
            {
                Increment(counts[n - 1], text[starts[i]..starts[i + n]]);
            }
        }

        return counts;
    }

    /// <summary>Raises each count of <paramref name="target"/> to the one in <paramref name="source"/> (the multi-reference clip).</summary>
    public static void MergeMaximum(Dictionary<string, int>[] target, Dictionary<string, int>[] source)
    {
        for (int n = 0; n < target.Length; n++)
        {
            foreach (var (ngram, count) in source[n])
            {
                target[n][ngram] = Math.Max(count, target[n].GetValueOrDefault(ngram));
            }
        }
    }

    /// <summary>All n-grams counted, with repetitions.</summary>
    public static long Total(Dictionary<string, int> counts) => counts.Values.Sum(c => (long)c);

    /// <summary>Σ over hypothesis n-grams of min(hypothesis count, reference count): the clipped matches.</summary>
    public static long Matches(Dictionary<string, int> hypothesis, Dictionary<string, int> reference) =>
        hypothesis.Sum(pair => (long)Math.Min(pair.Value, reference.GetValueOrDefault(pair.Key)));

    /// <summary>N empty dictionaries.</summary>
    public static Dictionary<string, int>[] Empty(int maximumOrder) =>
        Enumerable.Range(0, maximumOrder).Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();

    private static void Increment(Dictionary<string, int> counts, string ngram) => counts[ngram] = counts.GetValueOrDefault(ngram) + 1;
}
