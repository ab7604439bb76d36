using System.Globalization;
using Carnet.IO;
using Carnet.Models;

namespace Carnet.Tagging;

/// <summary>
/// A trained sequence tagger: the network with its vocabularies, saved as one safetensors file. Tensors carry the
/// PyTorch state_dict names under the module prefixes (<c>word_embedding.weight</c>, <c>char_rnn.weight_ih_l0_reverse</c>,
/// <c>crf.transitions</c>, …); <c>__metadata__</c> holds <c>format</c> = <c>carnet-tagger</c>, the configuration under
/// PyTorch's argument names, and <c>preprocessing.*</c>: <c>task</c> = <c>tag</c>, <c>words</c>, <c>characters</c> and
/// <c>tags</c> as JSON string arrays, and <c>lowercase</c>.
/// </summary>
public sealed class SequenceTagger
{
    /// <summary>The value of the <c>format</c> metadata key.</summary>
    public const string Format = "carnet-tagger";

    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The value of <c>preprocessing.task</c>.</summary>
    public const string Task = "tag";

    private const int MaximumSize = 1 << 24;

    /// <summary>The configuration's integer keys with their smallest valid values.</summary>
    private static readonly (string Key, int Minimum)[] SizeKeys =
    [
        ("word_embedding.num_embeddings", 2), ("word_embedding.embedding_dim", 1), ("char_embedding.num_embeddings", 2), ("char_embedding.embedding_dim", 1),
        ("char_rnn.hidden_size", 0), ("rnn.input_size", 1), ("rnn.hidden_size", 1), ("rnn.num_layers", 1), ("head.out_features", 1),
    ];

    /// <summary>Pairs a network with the vocabularies it was trained with.</summary>
    /// <exception cref="ArgumentException">The vocabulary sizes differ from the network's.</exception>
    public SequenceTagger(TaggerNetwork<float> network, TaggerVocabulary vocabulary)
    {
        var o = network.Options;
        if (o.WordVocabularySize != vocabulary.Words.Count || o.CharacterVocabularySize != vocabulary.Characters.Count || o.TagCount != vocabulary.Tags.Count)
        {
            throw new ArgumentException(
                $"the network ({o.WordVocabularySize} words, {o.CharacterVocabularySize} characters, {o.TagCount} tags) does not fit the vocabulary " +
                $"({vocabulary.Words.Count} words, {vocabulary.Characters.Count} characters, {vocabulary.Tags.Count} tags)");
        }

        Network = network;
        Vocabulary = vocabulary;
    }

    /// <summary>The network.</summary>
    public TaggerNetwork<float> Network { get; }

    /// <summary>The word, character and tag vocabularies.</summary>
    public TaggerVocabulary Vocabulary { get; }

    /// <summary>The tags of every sentence, in order (sentences are batched by length, so the result does not depend on the order given).</summary>
    public string[][] Predict(IReadOnlyList<TaggedSentence> sentences, int batchSize = 64)
        => PredictIds(sentences, batchSize).Select(ids => ids.Select(id => Vocabulary.Tags[id]).ToArray()).ToArray();

    internal int[][] PredictIds(IReadOnlyList<TaggedSentence> sentences, int batchSize)
    {
        var result = new int[sentences.Count][];
        foreach (int[] members in ByLength(sentences, batchSize))
        {
            var batch = Vocabulary.Encode(members.Select(i => sentences[i]).ToList(), withTags: false);
            int[] path = Network.Decode(Network.Forward(batch)); // (T, B)
            for (int b = 0; b < members.Length; b++)
            {
                result[members[b]] = Enumerable.Range(0, batch.Lengths[b]).Select(t => path[t * members.Length + b]).ToArray();
            }
        }

        return result;
    }

    /// <summary>Sentence indices grouped into batches of similar length (stable: ties keep file order).</summary>
    internal static IEnumerable<int[]> ByLength(IReadOnlyList<TaggedSentence> sentences, int batchSize)
        => Enumerable.Range(0, sentences.Count).OrderBy(i => sentences[i].Tokens.Count).Chunk(batchSize);

    /// <summary>The configuration and vocabularies as model-file metadata.</summary>
    public Dictionary<string, string> Metadata()
    {
        var o = Network.Options;
        string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["format_version"] = Text(FormatVersion),
            ["word_embedding.num_embeddings"] = Text(o.WordVocabularySize),
            ["word_embedding.embedding_dim"] = Text(o.WordEmbeddingSize),
            ["char_embedding.num_embeddings"] = Text(o.CharacterVocabularySize),
            ["char_embedding.embedding_dim"] = Text(o.CharacterEmbeddingSize),
            ["char_rnn.hidden_size"] = Text(o.CharacterHiddenSize),
            ["rnn.input_size"] = Text(o.FeatureSize),
            ["rnn.hidden_size"] = Text(o.HiddenSize),
            ["rnn.num_layers"] = Text(o.NumLayers),
            ["rnn.bidirectional"] = "true",
            ["head.out_features"] = Text(o.TagCount),
            ["decoder"] = o.Decoder == TagDecoder.Crf ? "crf" : "softmax",
            ["dropout"] = o.Dropout.ToString("R", CultureInfo.InvariantCulture),
            ["preprocessing.task"] = Task,
            ["preprocessing.words"] = MetadataReader.ToJson(Vocabulary.Words),
            ["preprocessing.characters"] = MetadataReader.ToJson(Vocabulary.Characters),
            ["preprocessing.tags"] = MetadataReader.ToJson(Vocabulary.Tags),
            ["preprocessing.lowercase"] = Vocabulary.Lowercase ? "true" : "false",
        };
    }

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) => SafeTensorsWriter.Write(path, Tensors(), Metadata());

    /// <summary>The file's bytes, as <see cref="Save"/> writes them.</summary>
    public byte[] Serialize() => SafeTensorsWriter.Serialize(Tensors(), Metadata());

    /// <summary>Reads a tagger file; any problem is a <see cref="SafeTensorsFormatException"/> naming the file and the key or tensor.</summary>
    public static SequenceTagger Load(string path) => Load(SafeTensorsFile.Read(path));

    /// <summary>Builds the tagger a parsed file describes, strictly: configuration checked key by key, no tensor missing, extra or mis-shaped.</summary>
    public static SequenceTagger Load(SafeTensorsFile file)
    {
        var options = ReadOptions(file);
        long needed = ParameterCount(options), held = file.Tensors.Sum(t => t.Data.Length) / 2; // 2 bytes: the smallest float dtype
        if (needed > held)
        {
            throw new SafeTensorsFormatException(file.Source, $"the configuration needs {needed} parameters but the file's tensors hold at most {held} values");
        }

        var preprocessing = file.Metadata.Where(p => p.Key.StartsWith("preprocessing.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["preprocessing.".Length..], p => p.Value, StringComparer.Ordinal);
        string task = preprocessing.GetValueOrDefault("task", "none");
        if (task != Task)
        {
            throw new SafeTensorsFormatException(file.Source, $"this model's task is '{task}', not a sequence tagger");
        }

        string[] words = MetadataReader.Strings(preprocessing, "words", file.Source), characters = MetadataReader.Strings(preprocessing, "characters", file.Source);
        string[] tags = MetadataReader.Strings(preprocessing, "tags", file.Source);
        bool lowercase = MetadataReader.Boolean(preprocessing, "lowercase", file.Source);
        if (words.Length != options.WordVocabularySize || characters.Length != options.CharacterVocabularySize || tags.Length != options.TagCount
            || tags.Distinct(StringComparer.Ordinal).Count() != tags.Length)
        {
            throw new SafeTensorsFormatException(file.Source,
                $"the vocabularies ({words.Length} words, {characters.Length} characters, {tags.Length} distinct tags) do not fit the network " +
                $"({options.WordVocabularySize}, {options.CharacterVocabularySize}, {options.TagCount})");
        }

        var network = new TaggerNetwork<float>(options, new RandomSource(0));
        var names = network.Modules.SelectMany(m => m.Module.Parameters.Select(p => m.Prefix + p.Name)).ToHashSet(StringComparer.Ordinal);
        string[] unexpected = file.Tensors.Select(t => t.Name).Where(name => !names.Contains(name)).ToArray();
        if (unexpected.Length > 0)
        {
            throw new SafeTensorsFormatException(file.Source, unexpected[0],
                $"not a parameter of this tagger ({unexpected.Length} unexpected tensor(s): {string.Join(", ", unexpected.Take(5))})", null);
        }

        foreach (var (prefix, module) in network.Modules)
        {
            StateDictionary.Load(module, file, prefix);
        }

        return new SequenceTagger(network, new TaggerVocabulary(words, characters, tags, lowercase));
    }

    /// <summary>The network configuration in a file's metadata, checked key by key.</summary>
    public static TaggerNetworkOptions ReadOptions(SafeTensorsFile file)
    {
        var meta = file.Metadata;
        string Get(string key) => meta.TryGetValue(key, out var value)
            ? value
            : throw new SafeTensorsFormatException(file.Source, $"metadata has no '{key}'; a Carnet tagger file needs it");
        string format = meta.GetValueOrDefault("format", "absent");
        if (format != Format)
        {
            throw new SafeTensorsFormatException(file.Source, $"not a Carnet tagger file (metadata 'format' is '{format}', expected '{Format}')");
        }

        if (Get("format_version") != FormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new SafeTensorsFormatException(file.Source, $"format_version '{Get("format_version")}' is not supported; this Carnet reads version {FormatVersion}");
        }

        var size = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, minimum) in SizeKeys)
        {
            string text = Get(key);
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum || value > MaximumSize)
            {
                throw new SafeTensorsFormatException(file.Source, $"metadata '{key}' is '{text}'; expected an integer from {minimum} to {MaximumSize}");
            }

            size[key] = value;
        }

        string decoder = Get("decoder"), dropoutText = Get("dropout");
        if (decoder is not ("crf" or "softmax"))
        {
            throw new SafeTensorsFormatException(file.Source, $"metadata 'decoder' is '{decoder}'; expected crf or softmax");
        }

        if (!double.TryParse(dropoutText, NumberStyles.Float, CultureInfo.InvariantCulture, out double dropout) || !(dropout >= 0 && dropout < 1))
        {
            throw new SafeTensorsFormatException(file.Source, $"metadata 'dropout' is '{dropoutText}'; expected a number in [0, 1)");
        }

        var options = new TaggerNetworkOptions
        {
            WordVocabularySize = size["word_embedding.num_embeddings"],
            WordEmbeddingSize = size["word_embedding.embedding_dim"],
            CharacterVocabularySize = size["char_embedding.num_embeddings"],
            CharacterEmbeddingSize = size["char_embedding.embedding_dim"],
            CharacterHiddenSize = size["char_rnn.hidden_size"],
            HiddenSize = size["rnn.hidden_size"],
            NumLayers = size["rnn.num_layers"],
            TagCount = size["head.out_features"],
            Decoder = decoder == "crf" ? TagDecoder.Crf : TagDecoder.Softmax,
            Dropout = dropout,
        };
        if (size["rnn.input_size"] != options.FeatureSize)
        {
            throw new SafeTensorsFormatException(file.Source, "metadata 'rnn.input_size' differs from the word embedding size plus twice the character hidden size");
        }

        return options;
    }

    /// <summary>How many parameters a configuration has, computed without building it.</summary>
    public static long ParameterCount(TaggerNetworkOptions options)
    {
        static long Lstm(long input, long hidden, int layers) // bidirectional: per layer and direction 4H·(I + H) + 8H
            => Enumerable.Range(0, layers).Sum(l => 2 * (4 * hidden * ((l == 0 ? input : 2 * hidden) + hidden) + 8 * hidden));
        long words = (long)options.WordVocabularySize * options.WordEmbeddingSize;
        long characters = options.CharacterHiddenSize > 0
            ? (long)options.CharacterVocabularySize * options.CharacterEmbeddingSize + Lstm(options.CharacterEmbeddingSize, options.CharacterHiddenSize, 1)
            : 0;
        long head = (2L * options.HiddenSize + 1) * options.TagCount;
        long crf = options.Decoder == TagDecoder.Crf ? (2L + options.TagCount) * options.TagCount : 0;
        return words + characters + Lstm(options.FeatureSize, options.HiddenSize, options.NumLayers) + head + crf;
    }

    private IEnumerable<SafeTensor> Tensors() => Network.Modules.SelectMany(m => StateDictionary.Save(m.Module, m.Prefix));
}
