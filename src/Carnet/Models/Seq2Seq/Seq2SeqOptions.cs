using Carnet.IO;
using Carnet.Layers;

namespace Carnet.Models;

/// <summary>How the encoder's final states start the decoder.</summary>
public enum Seq2SeqBridge
{
    /// <summary>The decoder starts from zero states.</summary>
    None,

    /// <summary>
    /// h₀ = tanh(W_h·[h_n forward; h_n reverse] + b_h) per decoder layer (encoder layer min(l, L_e − 1)), and for an LSTM
    /// encoder and decoder c₀ = W_c·[c_n forward; c_n reverse] + b_c.
    /// </summary>
    Linear,
}

/// <summary>The architecture of a <see cref="Seq2SeqModel{T}"/>. Token ids 0–3 are &lt;pad&gt;, &lt;unk&gt;, &lt;bos&gt; and &lt;eos&gt; on both sides.</summary>
public sealed record Seq2SeqOptions
{
    /// <summary>Metadata key prefix of these options in a model file.</summary>
    public const string MetadataPrefix = "seq2seq.";

    /// <summary>Vs: source tokens, the four special ones included (a task fills it in from its vocabulary).</summary>
    public int SourceVocabularySize { get; init; }

    /// <summary>Vt: target tokens, the four special ones included (a task fills it in from its vocabulary).</summary>
    public int TargetVocabularySize { get; init; }

    /// <summary>Es: size of each source token's embedding.</summary>
    public int SourceEmbeddingSize { get; init; } = 128;

    /// <summary>Et: size of each target token's embedding.</summary>
    public int TargetEmbeddingSize { get; init; } = 128;

    /// <summary>The encoder's cell.</summary>
    public RecurrentCellKind EncoderCell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>He: units per encoder layer and direction.</summary>
    public int EncoderHiddenSize { get; init; } = 128;

    /// <summary>L_e: stacked encoder layers.</summary>
    public int EncoderLayers { get; init; } = 1;

    /// <summary>Whether the encoder reads the source both ways (its memory is then 2·He wide).</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>The decoder's cell.</summary>
    public RecurrentCellKind DecoderCell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>Hd: units per decoder layer.</summary>
    public int DecoderHiddenSize { get; init; } = 256;

    /// <summary>L_d: stacked decoder layers.</summary>
    public int DecoderLayers { get; init; } = 1;

    /// <summary>The attention score.</summary>
    public AttentionScore Attention { get; init; } = AttentionScore.General;

    /// <summary>Whether the previous attentional output h̃_{t−1} joins the decoder's input (Luong's input feeding).</summary>
    public bool InputFeeding { get; init; } = true;

    /// <summary>How the encoder's final states start the decoder.</summary>
    public Seq2SeqBridge Bridge { get; init; } = Seq2SeqBridge.Linear;

    /// <summary>Dropout on the source embeddings, between stacked layers and on h̃_t, when training.</summary>
    public double Dropout { get; init; }

    /// <summary>Whether the output layer reuses the target embedding table (needs Et = Hd).</summary>
    public bool TieWeights { get; init; }

    /// <summary>Ds: the width of the encoder's memory.</summary>
    public int MemorySize => EncoderHiddenSize * (Bidirectional ? 2 : 1);

    /// <summary>The decoder's input width: Et, plus Hd with input feeding.</summary>
    public int DecoderInputSize => TargetEmbeddingSize + (InputFeeding ? DecoderHiddenSize : 0);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistent option.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(SourceEmbeddingSize), SourceEmbeddingSize), (nameof(TargetEmbeddingSize), TargetEmbeddingSize),
            (nameof(EncoderHiddenSize), EncoderHiddenSize), (nameof(EncoderLayers), EncoderLayers),
            (nameof(DecoderHiddenSize), DecoderHiddenSize), (nameof(DecoderLayers), DecoderLayers),
        })
        {
            if (value <= 0)
            {
                throw new ArgumentException($"{name} must be positive; it is {value}.");
            }
        }

        if (SourceVocabularySize <= 4 || TargetVocabularySize <= 4)
        {
            throw new ArgumentException("Each vocabulary needs at least one token beside <pad>, <unk>, <bos> and <eos>.");
        }

        if (Dropout is < 0 or >= 1)
        {
            throw new ArgumentException($"Dropout must be in [0, 1); it is {Dropout}.");
        }

        if (Attention == AttentionScore.None && InputFeeding)
        {
            throw new ArgumentException("Input feeding passes the attentional output on; it needs an attention score.");
        }

        if (Attention == AttentionScore.None && Bridge == Seq2SeqBridge.None)
        {
            throw new ArgumentException("Without attention and without a bridge the decoder would never see the source.");
        }

        if (Attention == AttentionScore.Dot && MemorySize != DecoderHiddenSize)
        {
            throw new ArgumentException($"The dot score needs the encoder's output width ({MemorySize}) to equal the decoder's hidden size ({DecoderHiddenSize}).");
        }

        if (TieWeights && TargetEmbeddingSize != DecoderHiddenSize)
        {
            throw new ArgumentException($"Tied weights need the target embedding size ({TargetEmbeddingSize}) to equal the decoder's hidden size ({DecoderHiddenSize}).");
        }
    }

    /// <summary>These options as model-file metadata, under <see cref="MetadataPrefix"/>.</summary>
    public Dictionary<string, string> ToMetadata() => new()
    {
        [MetadataPrefix + "source_vocabulary_size"] = MetadataWriter.Integer(SourceVocabularySize),
        [MetadataPrefix + "target_vocabulary_size"] = MetadataWriter.Integer(TargetVocabularySize),
        [MetadataPrefix + "source_embedding_size"] = MetadataWriter.Integer(SourceEmbeddingSize),
        [MetadataPrefix + "target_embedding_size"] = MetadataWriter.Integer(TargetEmbeddingSize),
        [MetadataPrefix + "encoder_cell"] = EncoderCell.Cell().Name,
        [MetadataPrefix + "encoder_hidden_size"] = MetadataWriter.Integer(EncoderHiddenSize),
        [MetadataPrefix + "encoder_layers"] = MetadataWriter.Integer(EncoderLayers),
        [MetadataPrefix + "bidirectional"] = MetadataWriter.Boolean(Bidirectional),
        [MetadataPrefix + "decoder_cell"] = DecoderCell.Cell().Name,
        [MetadataPrefix + "decoder_hidden_size"] = MetadataWriter.Integer(DecoderHiddenSize),
        [MetadataPrefix + "decoder_layers"] = MetadataWriter.Integer(DecoderLayers),
        [MetadataPrefix + "attention"] = AttentionNames.First(a => a.Value == Attention).Name,
        [MetadataPrefix + "input_feeding"] = MetadataWriter.Boolean(InputFeeding),
        [MetadataPrefix + "bridge"] = Bridge == Seq2SeqBridge.Linear ? "linear" : "none",
        [MetadataPrefix + "dropout"] = MetadataWriter.Number(Dropout),
        [MetadataPrefix + "tie_weights"] = MetadataWriter.Boolean(TieWeights),
    };

    /// <summary>The attention scores by their names in metadata and on the command line.</summary>
    public static (string Name, AttentionScore Value)[] AttentionNames { get; } =
        [("none", AttentionScore.None), ("dot", AttentionScore.Dot), ("general", AttentionScore.General), ("additive", AttentionScore.Additive)];

    /// <summary>Reads options written by <see cref="ToMetadata"/>; throws a <see cref="SafeTensorsFormatException"/> naming a missing or bad entry.</summary>
    public static Seq2SeqOptions FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        var reader = new MetadataReader(metadata, source, MetadataPrefix, "a sequence-to-sequence model");
        var cells = RecurrentCells.Names;
        var options = new Seq2SeqOptions
        {
            SourceVocabularySize = reader.Integer("source_vocabulary_size", 5),
            TargetVocabularySize = reader.Integer("target_vocabulary_size", 5),
            SourceEmbeddingSize = reader.Integer("source_embedding_size", 1),
            TargetEmbeddingSize = reader.Integer("target_embedding_size", 1),
            EncoderCell = reader.Choice("encoder_cell", cells),
            EncoderHiddenSize = reader.Integer("encoder_hidden_size", 1),
            EncoderLayers = reader.Integer("encoder_layers", 1, 64),
            Bidirectional = reader.Boolean("bidirectional"),
            DecoderCell = reader.Choice("decoder_cell", cells),
            DecoderHiddenSize = reader.Integer("decoder_hidden_size", 1),
            DecoderLayers = reader.Integer("decoder_layers", 1, 64),
            Attention = reader.Choice("attention", AttentionNames),
            InputFeeding = reader.Boolean("input_feeding"),
            Bridge = reader.Choice("bridge", ("none", Seq2SeqBridge.None), ("linear", Seq2SeqBridge.Linear)),
            Dropout = reader.Number("dropout", 0, 1),
            TieWeights = reader.Boolean("tie_weights"),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new SafeTensorsFormatException(source, e.Message, null);
        }

        return options;
    }
}
