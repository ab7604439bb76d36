using System.Text;

namespace Carnet.Tasks.Translation;

/// <summary>One learned merge: two adjacent symbols that become one.</summary>
/// <param name="Left">The first symbol.</param>
/// <param name="Right">The second symbol.</param>
public readonly record struct BytePairMerge(string Left, string Right)
{
    /// <summary>The symbol the merge makes.</summary>
    public string Merged => Left + Right;

    /// <summary>The merge as subword-nmt's codes files and Carnet's model files write it: the two symbols and one space between.</summary>
    public override string ToString() => $"{Left} {Right}";
}

/// <summary>
/// Byte-pair encoding (Sennrich, Haddow and Birch 2016) on top of <see cref="WordTokenizer"/>: each word token (joiner marks
/// included) is spelt as its characters (Unicode scalar values), the last carrying the end-of-word mark
/// <see cref="EndOfWord"/>, and the learned merges are applied in the order they were learned (the adjacent pair merged first
/// is always the one learned earliest). "lower" with the merges <c>e r&lt;/w&gt;</c>, <c>l o</c>, <c>lo w</c> gives
/// <c>low er&lt;/w&gt;</c>. A piece ending in <see cref="EndOfWord"/> ends a word, so <see cref="Detokenize"/> rebuilds the words
/// and then the text. <see cref="Learn"/> learns merges from training sentences.
/// </summary>
public sealed class BytePairTokenizer : ITokenizer
{
    /// <summary>The kind name a model file records.</summary>
    public const string KindName = "bpe";

    /// <summary>The mark on the last symbol of a word.</summary>
    public const string EndOfWord = "</w>";

    private readonly WordTokenizer words;
    private readonly Dictionary<(string Left, string Right), int> ranks = [];

    /// <summary>Creates the tokenizer from merges in learned order.</summary>
    /// <exception cref="ArgumentException">A merge repeats.</exception>
    public BytePairTokenizer(IReadOnlyList<BytePairMerge> merges, bool lowercase = false)
    {
        words = new WordTokenizer(lowercase);
        Merges = merges;
        for (int rank = 0; rank < merges.Count; rank++)
        {
            if (!ranks.TryAdd((merges[rank].Left, merges[rank].Right), rank))
            {
                throw new ArgumentException($"merge {rank} ('{merges[rank]}') repeats an earlier one", nameof(merges));
            }
        }
    }

    /// <inheritdoc/>
    public string Kind => KindName;

    /// <inheritdoc/>
    public bool Lowercase => words.Lowercase;

    /// <summary>The merges in the order they were learned and are applied.</summary>
    public IReadOnlyList<BytePairMerge> Merges { get; }

    /// <summary>
    /// Learns merges from <paramref name="sentences"/> until the symbols (every character seen, with and without the
    /// end-of-word mark, plus one per merge) number <paramref name="vocabularySize"/>, or no pair occurs twice.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is below 1.</exception>
    public static BytePairTokenizer Learn(IEnumerable<string> sentences, int vocabularySize, bool lowercase = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        var tokenizer = new WordTokenizer(lowercase);
        return new BytePairTokenizer(BytePairLearner.Learn(sentences.SelectMany(tokenizer.Tokenize), vocabularySize), lowercase);
    }

    /// <inheritdoc/>
    public string[] Tokenize(string text) => words.Tokenize(text).SelectMany(Segment).ToArray();

    /// <summary>The pieces of one word token, the last ending in <see cref="EndOfWord"/>.</summary>
    public string[] Segment(string word)
    {
        var symbols = word.EnumerateRunes().Select(r => r.ToString()).ToList();
        if (symbols.Count == 0)
        {
            return [];
        }

        symbols[^1] += EndOfWord;
        while (symbols.Count > 1 && BestPair(symbols) is { } best)
        {
            MergeAll(symbols, best);
        }

        return symbols.ToArray();
    }

    /// <inheritdoc/>
    public string Detokenize(IReadOnlyList<string> tokens)
    {
        var wordTokens = new List<string>();
        var word = new StringBuilder();
        foreach (string piece in tokens)
        {
            if (piece.EndsWith(EndOfWord, StringComparison.Ordinal))
            {
                wordTokens.Add(word.Append(piece, 0, piece.Length - EndOfWord.Length).ToString());
                word.Clear();
            }
            else
            {
                word.Append(piece);
            }
        }

        if (word.Length > 0)
        {
            wordTokens.Add(word.ToString());
        }

        return words.Detokenize(wordTokens);
    }

    // the adjacent pair with the earliest merge, or null when no pair has one
    private (string Left, string Right)? BestPair(List<string> symbols)
    {
        (string, string)? best = null;
        int bestRank = int.MaxValue;
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            if (ranks.TryGetValue((symbols[i], symbols[i + 1]), out int rank) && rank < bestRank)
            {
                (best, bestRank) = ((symbols[i], symbols[i + 1]), rank);
            }
        }

        return best;
    }

    // merges every occurrence of the pair, left to right
    private static void MergeAll(List<string> symbols, (string Left, string Right) pair)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            if (symbols[i] == pair.Left && symbols[i + 1] == pair.Right)
            {
                symbols[i] = pair.Left + pair.Right;
                symbols.RemoveAt(i + 1);
            }
        }
    }
}
