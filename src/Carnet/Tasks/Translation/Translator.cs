using System.Globalization;
using Carnet.IO;
using Carnet.Models;

namespace Carnet.Tasks.Translation;

/// <summary>A translated sentence.</summary>
/// <param name="Text">The translation, detokenised.</param>
/// <param name="SourceTokens">The source as the model read it.</param>
/// <param name="Tokens">The translation's tokens (unknown ones replaced when asked).</param>
/// <param name="Attention">(Tokens, SourceTokens): the attention weights when each token was chosen, row by row.</param>
/// <param name="Score">The hypothesis' length-normalised log-probability.</param>
public sealed record Translation(string Text, string[] SourceTokens, string[] Tokens, double[] Attention, double Score);

/// <summary>
/// A trained sequence-to-sequence model with its two sentence codecs (tokeniser and vocabulary per side): what
/// <c>carnet translate</c> saves, loads and translates with. The model file holds the network's parameters under
/// their PyTorch names and, in its metadata, the architecture, both codecs and the longest source it accepts.
/// </summary>
public sealed class Translator
{
    /// <summary>The task name in model files.</summary>
    public const string Task = "translate";

    /// <summary>The metadata <c>format</c> of a translation model file.</summary>
    public const string Format = "carnet-translation";

    /// <summary>The metadata <c>format_version</c> this Carnet writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>A translator from its parts.</summary>
    public Translator(Seq2SeqModel<float> model, SentenceCodec source, SentenceCodec target, int maximumSourceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximumSourceLength);
        if (model.Options.SourceVocabularySize != source.Vocabulary.Count || model.Options.TargetVocabularySize != target.Vocabulary.Count)
        {
            throw new ArgumentException("The model's vocabulary sizes differ from the codecs'.");
        }

        (Model, Source, Target, MaximumSourceLength) = (model, source, target, maximumSourceLength);
    }

    /// <summary>The network.</summary>
    public Seq2SeqModel<float> Model { get; }

    /// <summary>How source sentences become ids.</summary>
    public SentenceCodec Source { get; }

    /// <summary>How target sentences become ids, and ids text.</summary>
    public SentenceCodec Target { get; }

    /// <summary>The most source tokens a sentence may have (twice the longest training source).</summary>
    public int MaximumSourceLength { get; }

    /// <summary>The source's token ids; throws an <see cref="ArgumentException"/> for an empty sentence or one longer than the model accepts.</summary>
    public int[] EncodeSource(string sentence)
    {
        var tokens = Source.Tokenizer.Tokenize(sentence);
        if (tokens.Length == 0)
        {
            throw new ArgumentException("the sentence is empty");
        }

        if (tokens.Length > MaximumSourceLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the sentence has {tokens.Length} tokens; this model was built for at most {MaximumSourceLength} (twice its longest training sentence)"));
        }

        return Source.Vocabulary.Encode(tokens);
    }

    /// <summary>
    /// Translates each sentence (already checked with <see cref="EncodeSource"/>) by <paramref name="search"/>; with
    /// <paramref name="replaceUnknown"/>, each &lt;unk&gt; in the output becomes the source token it attended to most.
    /// </summary>
    public Translation[] Translate(IReadOnlyList<string> sentences, Seq2SeqSearchOptions search, bool replaceUnknown = false)
    {
        var sources = sentences.Select(EncodeSource).ToArray();
        var hypotheses = Seq2SeqSearch.Translate(Model, sources, search);
        var results = new Translation[sentences.Count];
        for (int i = 0; i < results.Length; i++)
        {
            var sourceTokens = Source.Tokenizer.Tokenize(sentences[i]);
            var hypothesis = hypotheses[i];
            var tokens = hypothesis.Tokens.Select(id => Target.Vocabulary.Tokens[id]).ToArray();
            if (replaceUnknown && Model.Options.Attention != Layers.AttentionScore.None)
            {
                ReplaceUnknown(hypothesis, sourceTokens, tokens);
            }

            results[i] = new Translation(Target.Tokenizer.Detokenize(tokens), sourceTokens, tokens, hypothesis.Attention, hypothesis.Score);
        }

        return results;
    }

    /// <summary>Writes the model file atomically (a temporary file, then a rename).</summary>
    public void Save(string path) => SafeTensorsWriter.Write(path, Tensors(), Metadata());

    /// <summary>Reads a model file written by <see cref="Save"/>, strictly: every tensor and setting must be there and agree.</summary>
    public static Translator Load(string path) => Load(SafeTensorsFile.Read(path));

    /// <summary>Reads a model written by <see cref="Save"/> from a safetensors file already read, strictly.</summary>
    public static Translator Load(SafeTensorsFile file)
    {
        var reader = new MetadataReader(file.Metadata, file.Source, requiredBy: "a Carnet translation model");
        reader.RequireFormat(Format, FormatVersion, "translation model");
        var options = Seq2SeqOptions.FromMetadata(file.Metadata, file.Source);
        var source = SentenceCodec.ReadMetadata(file.Metadata, file.Source, "source.");
        var target = SentenceCodec.ReadMetadata(file.Metadata, file.Source, "target.");
        if (source.Vocabulary.Count != options.SourceVocabularySize || target.Vocabulary.Count != options.TargetVocabularySize)
        {
            throw new SafeTensorsFormatException(file.Source, "the vocabularies in the metadata do not match the network's sizes");
        }

        var model = new Seq2SeqModel<float>(options, new RandomSource(0));
        StateDictionary.LoadStrict(model.Modules, file, "this translation model");
        return new Translator(model, source, target, reader.Integer("maximum_source_length", 1));
    }

    /// <summary>The metadata a model file and a training checkpoint carry.</summary>
    public Dictionary<string, string> Metadata()
    {
        var metadata = Model.Options.ToMetadata();
        metadata["format"] = Format;
        metadata["format_version"] = MetadataWriter.Integer(FormatVersion);
        metadata["task"] = Task;
        metadata["maximum_source_length"] = MetadataWriter.Integer(MaximumSourceLength);
        Source.WriteMetadata(metadata, "source.");
        Target.WriteMetadata(metadata, "target.");
        return StateDictionary.WithQuantization(metadata, Model.Modules);
    }

    private IEnumerable<SafeTensor> Tensors() => Model.Modules.SelectMany(m => StateDictionary.Save(m.Module, m.Prefix));

    private static void ReplaceUnknown(Seq2SeqHypothesis hypothesis, string[] sourceTokens, string[] tokens)
    {
        int width = sourceTokens.Length;
        Span<int> best = stackalloc int[1];
        for (int i = 0; i < tokens.Length; i++)
        {
            if (hypothesis.Tokens[i] != TokenVocabulary.Unknown || hypothesis.Attention.Length < (i + 1) * width)
            {
                continue;
            }

            Kernels.AttentionKernels.ArgmaxRows<double>(hypothesis.Attention.AsSpan(i * width, width), 1, width, best);
            tokens[i] = sourceTokens[best[0]];
        }
    }
}
