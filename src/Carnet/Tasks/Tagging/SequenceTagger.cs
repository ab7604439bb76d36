using Carnet.IO;

namespace Carnet.Tasks.Tagging;

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
        return StateDictionary.WithQuantization(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["format_version"] = MetadataWriter.Integer(FormatVersion),
            ["word_embedding.num_embeddings"] = MetadataWriter.Integer(o.WordVocabularySize),
            ["word_embedding.embedding_dim"] = MetadataWriter.Integer(o.WordEmbeddingSize),
            ["char_embedding.num_embeddings"] = MetadataWriter.Integer(o.CharacterVocabularySize),
            ["char_embedding.embedding_dim"] = MetadataWriter.Integer(o.CharacterEmbeddingSize),
            ["char_rnn.hidden_size"] = MetadataWriter.Integer(o.CharacterHiddenSize),
            ["rnn.input_size"] = MetadataWriter.Integer(o.FeatureSize),
            ["rnn.hidden_size"] = MetadataWriter.Integer(o.HiddenSize),
            ["rnn.num_layers"] = MetadataWriter.Integer(o.NumLayers),
            ["rnn.bidirectional"] = MetadataWriter.Boolean(true),
            ["head.out_features"] = MetadataWriter.Integer(o.TagCount),
            ["decoder"] = o.Decoder == TagDecoder.Crf ? "crf" : "softmax",
            ["dropout"] = MetadataWriter.Number(o.Dropout),
            ["preprocessing.task"] = Task,
            ["preprocessing.words"] = MetadataWriter.Strings(Vocabulary.Words),
            ["preprocessing.characters"] = MetadataWriter.Strings(Vocabulary.Characters),
            ["preprocessing.tags"] = MetadataWriter.Strings(Vocabulary.Tags),
            ["preprocessing.lowercase"] = MetadataWriter.Boolean(Vocabulary.Lowercase),
        }, Network.Modules);
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
        long needed = ParameterCount(options), held = StateDictionary.ValueCount(file);
        if (needed > held)
        {
            throw new SafeTensorsFormatException(file.Source, $"the configuration needs {needed} parameters but the file's tensors hold at most {held} values");
        }

        var preprocessing = new MetadataReader(file.Metadata, file.Source, "preprocessing.");
        string task = preprocessing.OptionalText("task") ?? MetadataReader.None;
        if (task != Task)
        {
            throw new SafeTensorsFormatException(file.Source, $"this model's task is '{task}', not a sequence tagger");
        }

        string[] words = preprocessing.Strings("words"), characters = preprocessing.Strings("characters"), tags = preprocessing.Strings("tags");
        bool lowercase = preprocessing.Boolean("lowercase");
        if (words.Length != options.WordVocabularySize || characters.Length != options.CharacterVocabularySize || tags.Length != options.TagCount
            || tags.Distinct(StringComparer.Ordinal).Count() != tags.Length)
        {
            throw new SafeTensorsFormatException(file.Source,
                $"the vocabularies ({words.Length} words, {characters.Length} characters, {tags.Length} distinct tags) do not fit the network " +
                $"({options.WordVocabularySize}, {options.CharacterVocabularySize}, {options.TagCount})");
        }

        var network = new TaggerNetwork<float>(options, new RandomSource(0));
        StateDictionary.LoadStrict(network.Modules, file, "this tagger");
        return new SequenceTagger(network, new TaggerVocabulary(words, characters, tags, lowercase));
    }

    /// <summary>The network configuration in a file's metadata, checked key by key.</summary>
    public static TaggerNetworkOptions ReadOptions(SafeTensorsFile file)
    {
        var reader = new MetadataReader(file.Metadata, file.Source, requiredBy: "a Carnet tagger file");
        reader.RequireFormat(Format, FormatVersion, "tagger");
        var options = new TaggerNetworkOptions
        {
            WordVocabularySize = reader.Integer("word_embedding.num_embeddings", 2),
            WordEmbeddingSize = reader.Integer("word_embedding.embedding_dim", 1),
            CharacterVocabularySize = reader.Integer("char_embedding.num_embeddings", 2),
            CharacterEmbeddingSize = reader.Integer("char_embedding.embedding_dim", 1),
            CharacterHiddenSize = reader.Integer("char_rnn.hidden_size", 0),
            HiddenSize = reader.Integer("rnn.hidden_size", 1),
            NumLayers = reader.Integer("rnn.num_layers", 1),
            TagCount = reader.Integer("head.out_features", 1),
            Decoder = reader.Choice("decoder", ("crf", TagDecoder.Crf), ("softmax", TagDecoder.Softmax)),
            Dropout = reader.Number("dropout", 0, 1),
        };
        if (reader.Integer("rnn.input_size", 1) != options.FeatureSize)
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
