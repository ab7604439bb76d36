// Dimension legend: T = time steps (longest sentence), B = sentences, W = distinct words of the batch, C = characters of
// the longest word. Everything is time-major.
namespace Carnet.Tasks.Tagging;

/// <summary>
/// The tagger's inputs, one batch of sentences, time-major: word ids (T, B), per token the row of its word in the batch's
/// distinct words (T, B), the distinct words' character ids (C, W) with their lengths (W), and the gold tags (T, B) when known.
/// </summary>
public sealed class TaggerBatch
{
    /// <summary>Creates a batch, checking that the arrays fit together.</summary>
    /// <exception cref="ArgumentException">A size or id is inconsistent.</exception>
    public TaggerBatch(int[] lengths, int[] wordIds, int[] wordIndex, int[] characterIds, int[] characterLengths, int[]? tags)
    {
        if (lengths.Length == 0 || lengths.Any(l => l < 1))
        {
            throw new ArgumentException("A batch needs at least one sentence, each of at least one token.", nameof(lengths));
        }

        Lengths = lengths;
        Steps = lengths.Max();
        int wordCount = characterLengths.Length;
        if (wordIds.Length != Steps * Batch || wordIndex.Length != wordIds.Length || (tags is not null && tags.Length != wordIds.Length)
            || wordCount == 0 || characterLengths.Any(l => l < 1) || characterIds.Length % wordCount != 0
            || characterIds.Length / wordCount < characterLengths.Max() || wordIndex.Any(i => i < -1 || i >= wordCount))
        {
            throw new ArgumentException("The batch's word ids, word index, characters and tags do not fit its lengths.");
        }

        WordIds = wordIds;
        WordIndex = wordIndex;
        CharacterIds = characterIds;
        CharacterLengths = characterLengths;
        Tags = tags;
    }

    /// <summary>T: the longest sentence.</summary>
    public int Steps { get; }

    /// <summary>B: sentences.</summary>
    public int Batch => Lengths.Length;

    /// <summary>(B) tokens per sentence.</summary>
    public int[] Lengths { get; }

    /// <summary>(T, B) word ids, <see cref="TaggerVocabulary.Padding"/> past each end.</summary>
    public int[] WordIds { get; }

    /// <summary>(T, B) each token's row among the distinct words, −1 past each end.</summary>
    public int[] WordIndex { get; }

    /// <summary>W: distinct words in the batch.</summary>
    public int WordCount => CharacterLengths.Length;

    /// <summary>C: characters of the longest word.</summary>
    public int CharacterSteps => CharacterIds.Length / WordCount;

    /// <summary>(C, W) character ids of the distinct words, padding past each word's end.</summary>
    public int[] CharacterIds { get; }

    /// <summary>(W) characters per distinct word.</summary>
    public int[] CharacterLengths { get; }

    /// <summary>(T, B) gold tag ids, −1 past each end; null when unknown.</summary>
    public int[]? Tags { get; }
}

/// <summary>
/// The tagger's vocabularies: words (lower-cased when <see cref="Lowercase"/>: the character BiLSTM still sees the original
/// spelling, so case is not lost), characters (Unicode scalar values) and tags. Words and characters have ids 0 for
/// padding (<c>&lt;pad&gt;</c>) and 1 for anything not seen in training (<c>&lt;unk&gt;</c>), then the training ones in
/// ordinal order; tags are in ordinal order.
/// </summary>
public sealed class TaggerVocabulary
{
    /// <summary>The id of padding (0) and of an unknown word or character (1).</summary>
    public const int Padding = 0, Unknown = 1;

    /// <summary>A longer word is read by its first and last <see cref="MaximumCharacters"/>/2 characters (prefixes and suffixes carry the features).</summary>
    public const int MaximumCharacters = 24;

    private readonly Dictionary<string, int> wordIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> characterIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> tagIds = new(StringComparer.Ordinal);

    /// <summary>Creates the vocabularies from their lists (words and characters starting with <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>).</summary>
    public TaggerVocabulary(IReadOnlyList<string> words, IReadOnlyList<string> characters, IReadOnlyList<string> tags, bool lowercase)
    {
        Words = words;
        Characters = characters;
        Tags = tags;
        Lowercase = lowercase;
        for (int i = 2; i < words.Count; i++)
        {
            wordIds[words[i]] = i;
        }

        for (int i = 2; i < characters.Count; i++)
        {
            characterIds[characters[i]] = i;
        }

        for (int i = 0; i < tags.Count; i++)
        {
            tagIds[tags[i]] = i;
        }
    }

    /// <summary>Word strings by id.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Character strings by id.</summary>
    public IReadOnlyList<string> Characters { get; }

    /// <summary>Tag names by id.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Whether words are looked up lower-cased.</summary>
    public bool Lowercase { get; }

    /// <summary>The vocabularies of <paramref name="words"/> (the training part) and the tags of <paramref name="tagged"/>.</summary>
    public static TaggerVocabulary Build(IEnumerable<TaggedSentence> words, IEnumerable<TaggedSentence> tagged, bool lowercase)
    {
        var wordSet = new SortedSet<string>(StringComparer.Ordinal);
        var characterSet = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string token in words.SelectMany(s => s.Tokens))
        {
            wordSet.Add(lowercase ? token.ToLowerInvariant() : token);
            characterSet.UnionWith(token.EnumerateRunes().Select(r => r.ToString()));
        }

        var tagSet = new SortedSet<string>(tagged.SelectMany(s => s.Tags ?? []), StringComparer.Ordinal);
        return new TaggerVocabulary(["<pad>", "<unk>", .. wordSet], ["<pad>", "<unk>", .. characterSet], [.. tagSet], lowercase);
    }

    /// <summary>A token's word id (<see cref="Unknown"/> when not in the vocabulary).</summary>
    public int WordId(string token) => wordIds.GetValueOrDefault(Lowercase ? token.ToLowerInvariant() : token, Unknown);

    /// <summary>A tag's id, or −1 when the model does not know it.</summary>
    public int TagId(string tag) => tagIds.GetValueOrDefault(tag, -1);

    /// <summary>A token's character ids: its first and last <see cref="MaximumCharacters"/>/2 when longer.</summary>
    public int[] CharacterIdsOf(string token)
    {
        int[] ids = token.EnumerateRunes().Select(r => characterIds.GetValueOrDefault(r.ToString(), Unknown)).ToArray();
        return ids.Length <= MaximumCharacters ? ids : [.. ids[..(MaximumCharacters / 2)], .. ids[^(MaximumCharacters / 2)..]];
    }

    /// <summary>
    /// Encodes sentences as one batch. With <paramref name="replaceRare"/> (training), each occurrence of a word id in
    /// <paramref name="rareWords"/> becomes <see cref="Unknown"/> with probability <paramref name="replaceProbability"/>, drawn
    /// from <paramref name="replaceRare"/>, so the unknown word's vector is learned from words like the ones prediction will meet.
    /// </summary>
    public TaggerBatch Encode(IReadOnlyList<TaggedSentence> sentences, bool withTags, RandomSource? replaceRare = null,
        IReadOnlySet<int>? rareWords = null, double replaceProbability = 0)
    {
        int batch = sentences.Count, steps = sentences.Max(s => s.Tokens.Count);
        var lengths = sentences.Select(s => s.Tokens.Count).ToArray(); // (B)
        var words = new int[steps * batch]; // (T, B)
        var index = new int[steps * batch]; // (T, B)
        int[]? tags = withTags ? new int[steps * batch] : null; // (T, B)
        Array.Fill(index, -1);
        if (tags is not null)
        {
            Array.Fill(tags, -1);
        }

        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        var spellings = new List<int[]>();
        for (int b = 0; b < batch; b++)
        {
            var sentence = sentences[b];
            for (int t = 0; t < sentence.Tokens.Count; t++)
            {
                string token = sentence.Tokens[t];
                int id = WordId(token);
                if (replaceRare is not null && rareWords is not null && rareWords.Contains(id) && replaceProbability > 0 && replaceRare.NextDouble() < replaceProbability)
                {
                    id = Unknown;
                }

                words[t * batch + b] = id;
                if (!distinct.TryGetValue(token, out int row))
                {
                    row = distinct[token] = spellings.Count;
                    spellings.Add(CharacterIdsOf(token));
                }

                index[t * batch + b] = row;
                if (tags is not null)
                {
                    tags[t * batch + b] = TagId(sentence.Tags![t]);
                }
            }
        }

        int characterSteps = Math.Max(1, spellings.Max(s => s.Length)), wordCount = spellings.Count;
        var characters = new int[characterSteps * wordCount]; // (C, W)
        var characterLengths = new int[wordCount]; // (W)
        for (int w = 0; w < wordCount; w++)
        {
            characterLengths[w] = Math.Max(1, spellings[w].Length);
            for (int c = 0; c < spellings[w].Length; c++)
            {
                characters[c * wordCount + w] = spellings[w][c];
            }
        }

        return new TaggerBatch(lengths, words, index, characters, characterLengths, tags);
    }
}
