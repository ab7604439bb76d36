using Carnet.IO;

namespace Carnet.Tasks.Translation;

/// <summary>How one side's sentences become tokens and ids: the tokenizer and the vocabulary's limits.</summary>
public sealed record TokenizerOptions
{
    /// <summary><see cref="WordTokenizer.KindName"/> (the default), <see cref="CharacterTokenizer.KindName"/> or <see cref="BytePairTokenizer.KindName"/>.</summary>
    public string Kind { get; init; } = WordTokenizer.KindName;

    /// <summary>Lower-case the text first (off by default).</summary>
    public bool Lowercase { get; init; }

    /// <summary>For byte-pair encoding: the alphabet and merges learned together (<see cref="BytePairTokenizer.Learn"/>).</summary>
    public int BytePairVocabularySize { get; init; } = 8000;

    /// <summary>The most tokens the vocabulary keeps, its 4 special tokens included; null keeps every token.</summary>
    public int? MaximumVocabularySize { get; init; }

    /// <summary>A training token seen fewer times is left out of the vocabulary (and read as <c>&lt;unk&gt;</c>).</summary>
    public int MinimumCount { get; init; } = 1;
}

/// <summary>
/// One side of a translation model: its tokenizer and vocabulary, turning a sentence into ids and ids back into a
/// sentence, and stored in a model file's metadata under a prefix (<c>source.</c>, <c>target.</c>) as
/// <c>tokenizer</c> (the kind), <c>lowercase</c>, <c>bpe_merges</c> (byte-pair encoding only: a JSON array of
/// "left right" strings in learned order) and <c>vocabulary</c> (a JSON array of the tokens by id).
/// </summary>
public sealed class SentenceCodec
{
    /// <summary>Creates the codec.</summary>
    public SentenceCodec(ITokenizer tokenizer, TokenVocabulary vocabulary)
    {
        Tokenizer = tokenizer;
        Vocabulary = vocabulary;
    }

    /// <summary>The tokenizer.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>The vocabulary.</summary>
    public TokenVocabulary Vocabulary { get; }

    /// <summary>The tokenizer (with merges learned from <paramref name="sentences"/> for byte-pair encoding) and the vocabulary of the sentences' tokens.</summary>
    /// <exception cref="ArgumentException">The kind is not one of the three.</exception>
    public static SentenceCodec Learn(IReadOnlyList<string> sentences, TokenizerOptions options)
    {
        ITokenizer tokenizer = options.Kind switch
        {
            WordTokenizer.KindName => new WordTokenizer(options.Lowercase),
            CharacterTokenizer.KindName => new CharacterTokenizer(options.Lowercase),
            BytePairTokenizer.KindName => BytePairTokenizer.Learn(sentences, options.BytePairVocabularySize, options.Lowercase),
            _ => throw new ArgumentException($"no tokenizer '{options.Kind}'; expected {WordTokenizer.KindName}, {CharacterTokenizer.KindName} or {BytePairTokenizer.KindName}"),
        };
        var vocabulary = TokenVocabulary.Build(sentences.Select(tokenizer.Tokenize), options.MaximumVocabularySize, options.MinimumCount);
        return new SentenceCodec(tokenizer, vocabulary);
    }

    /// <summary>The sentence's token ids, without <c>&lt;bos&gt;</c> or <c>&lt;eos&gt;</c>.</summary>
    public int[] Encode(string sentence) => Vocabulary.Encode(Tokenizer.Tokenize(sentence));

    /// <summary>The sentence the ids spell, up to the first <c>&lt;eos&gt;</c>.</summary>
    public string Decode(IEnumerable<int> encoded) => Tokenizer.Detokenize(Vocabulary.Decode(encoded));

    /// <summary>Adds this side's entries, each key starting with <paramref name="prefix"/>, to a model file's metadata.</summary>
    public void WriteMetadata(IDictionary<string, string> metadata, string prefix)
    {
        metadata[prefix + "tokenizer"] = Tokenizer.Kind;
        metadata[prefix + "lowercase"] = MetadataWriter.Boolean(Tokenizer.Lowercase);
        if (Tokenizer is BytePairTokenizer bytePairs)
        {
            metadata[prefix + "bpe_merges"] = MetadataWriter.Strings(bytePairs.Merges.Select(m => m.ToString()));
        }

        metadata[prefix + "vocabulary"] = MetadataWriter.Strings(Vocabulary.Tokens);
    }

    /// <summary>The side stored under <paramref name="prefix"/> in <paramref name="metadata"/>, read strictly.</summary>
    /// <exception cref="SafeTensorsFormatException">An entry is missing or malformed; the message names the file and the key.</exception>
    public static SentenceCodec ReadMetadata(IReadOnlyDictionary<string, string> metadata, string file, string prefix)
        => Read(new MetadataReader(metadata, file, prefix, "a Carnet translation model"));

    internal static SentenceCodec Read(MetadataReader reader)
    {
        string kind = reader.Choice("tokenizer", (WordTokenizer.KindName, WordTokenizer.KindName),
            (CharacterTokenizer.KindName, CharacterTokenizer.KindName), (BytePairTokenizer.KindName, BytePairTokenizer.KindName));
        bool lowercase = reader.Boolean("lowercase");
        if (kind != BytePairTokenizer.KindName && reader.Contains("bpe_merges"))
        {
            throw new SafeTensorsFormatException(reader.Source,
                $"metadata has '{reader.Key("bpe_merges")}' but '{reader.Key("tokenizer")}' is '{kind}'; merges belong to the {BytePairTokenizer.KindName} tokenizer");
        }

        ITokenizer tokenizer = kind switch
        {
            WordTokenizer.KindName => new WordTokenizer(lowercase),
            CharacterTokenizer.KindName => new CharacterTokenizer(lowercase),
            _ => new BytePairTokenizer(ReadMerges(reader), lowercase),
        };
        return new SentenceCodec(tokenizer, ReadVocabulary(reader));
    }

    private static List<BytePairMerge> ReadMerges(MetadataReader reader)
    {
        string[] entries = reader.Strings("bpe_merges");
        var merges = new List<BytePairMerge>(entries.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Length; i++)
        {
            string[] parts = entries[i].Split(' ');
            bool valid = parts.Length == 2 && parts.All(p => p.Length > 0 && !p.Any(char.IsWhiteSpace))
                && !parts[0].EndsWith(BytePairTokenizer.EndOfWord, StringComparison.Ordinal);
            if (!valid || !seen.Add(entries[i]))
            {
                string problem = valid ? "repeats an earlier merge" : "is not two symbols separated by one space, the first without the end-of-word mark";
                throw new SafeTensorsFormatException(reader.Source, $"metadata '{reader.Key("bpe_merges")}' entry {i} ('{entries[i]}') {problem}");
            }

            merges.Add(new BytePairMerge(parts[0], parts[1]));
        }

        return merges;
    }

    private static TokenVocabulary ReadVocabulary(MetadataReader reader)
    {
        try
        {
            return new TokenVocabulary(reader.Strings("vocabulary"));
        }
        catch (ArgumentException error)
        {
            throw new SafeTensorsFormatException(reader.Source, $"metadata '{reader.Key("vocabulary")}': {error.Message}");
        }
    }
}
