using System.Globalization;
using System.Numerics;
using Carnet.IO;
using Carnet.Layers;

namespace Carnet.Models;

/// <summary>A model read from a file, with the preprocessing entries its file carried.</summary>
public sealed record LoadedModel<T>(SequenceModel<T> Model, IReadOnlyDictionary<string, string> Preprocessing)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The task the file was written for (<c>preprocessing.task</c>), or <c>none</c> when it names none.</summary>
    public string Task => Settings(string.Empty).OptionalText("task") ?? MetadataReader.None;

    /// <summary>The <see cref="Preprocessing"/> entries as a reader whose errors name <paramref name="source"/> and the full key.</summary>
    internal MetadataReader Settings(string source) => MetadataReader.ForEntries(Preprocessing, source, ModelFile.PreprocessingPrefix);
}

/// <summary>
/// Carnet's model file: safetensors whose tensors carry the PyTorch state_dict names under module prefixes
/// (<c>embedding.weight</c>, <c>rnn.weight_ih_l0</c>, <c>attention.weight</c>, <c>head.bias</c>) and whose <c>__metadata__</c> holds the
/// whole configuration with PyTorch's constructor argument names (<c>rnn.hidden_size</c>, <c>rnn.num_layers</c>, …),
/// a format version, and the preprocessing the model needs (keys <c>preprocessing.*</c>). PyTorch loads the
/// tensors with <c>load_state_dict</c>; <c>interop/to_torch.py</c> rebuilds the module from the metadata.
/// </summary>
public static class ModelFile
{
    /// <summary>The value of the <c>format</c> metadata key.</summary>
    public const string Format = "carnet-sequence-model";

    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    internal const string PreprocessingPrefix = "preprocessing.";
    private const int MaximumSize = 1 << 20;

    /// <summary>Writes the model atomically (a temporary file, then a rename): a reader never sees half a file.</summary>
    public static void Save<T>(string path, SequenceModel<T> model, IReadOnlyDictionary<string, string>? preprocessing = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SafeTensorsWriter.Write(path, Tensors(model), StateDictionary.WithQuantization(Metadata(model.Options, preprocessing), model.Modules));

    /// <summary>The file's bytes, as <see cref="Save"/> writes them.</summary>
    public static byte[] Serialize<T>(SequenceModel<T> model, IReadOnlyDictionary<string, string>? preprocessing = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SafeTensorsWriter.Serialize(Tensors(model), StateDictionary.WithQuantization(Metadata(model.Options, preprocessing), model.Modules));

    /// <summary>Reads a model file; any problem is a <see cref="SafeTensorsFormatException"/> naming the file and what is wrong.</summary>
    public static LoadedModel<T> Load<T>(string path)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Load<T>(SafeTensorsFile.Read(path));

    /// <summary>Builds the model a parsed file describes and loads its weights, strictly: no tensor missing, extra or mis-shaped.</summary>
    public static LoadedModel<T> Load<T>(SafeTensorsFile file)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var options = ReadOptions(file);
        long needed = ParameterCount(options), held = StateDictionary.ValueCount(file);
        if (needed > held)
        {
            throw new SafeTensorsFormatException(file.Source,
                $"the configuration needs {needed} parameters but the file's tensors hold at most {held} values");
        }

        var model = new SequenceModel<T>(options, new RandomSource(0));
        StateDictionary.LoadStrict(model.Modules, file, $"this {Metadata(options)["cell"]} model");
        return new LoadedModel<T>(model, new MetadataReader(file.Metadata, file.Source, PreprocessingPrefix).Entries());
    }

    /// <summary>The configuration stored in a file's metadata, checked key by key.</summary>
    public static SequenceModelOptions ReadOptions(SafeTensorsFile file) => ReadOptions(file, Format);

    internal static SequenceModelOptions ReadOptions(SafeTensorsFile file, string expectedFormat)
    {
        var reader = new MetadataReader(file.Metadata, file.Source, requiredBy: "a Carnet model file");
        reader.RequireFormat(expectedFormat, FormatVersion, expectedFormat == Format ? "model" : "checkpoint");
        int Size(string key, int minimum) => reader.Integer(key, minimum, MaximumSize);
        var cell = reader.Choice("cell", RecurrentCells.Names);
        double dropout = reader.Number("rnn.dropout", 0, 1);
        int vocabulary = Size("embedding.num_embeddings", 0);
        int? padding = vocabulary > 0 ? reader.IntegerOrNone("embedding.padding_idx", 0, MaximumSize) : null;
        var recurrent = new RecurrentOptions
        {
            InputSize = Size("rnn.input_size", 1),
            HiddenSize = Size("rnn.hidden_size", 1),
            NumLayers = Size("rnn.num_layers", 1),
            Bias = reader.Boolean("rnn.bias"),
            BatchFirst = true,
            Dropout = dropout,
            Bidirectional = reader.Boolean("rnn.bidirectional"),
            ProjectionSize = Size("rnn.proj_size", 0),
            Nonlinearity = reader.Choice("rnn.nonlinearity", ("tanh", RnnNonlinearity.Tanh), ("relu", RnnNonlinearity.Relu)),
        };
        var options = new SequenceModelOptions
        {
            Cell = cell,
            Recurrent = recurrent,
            VocabularySize = vocabulary,
            PaddingIndex = padding,
            Pooling = reader.Choice("pool", ("last", Pooling.Last), ("mean", Pooling.Mean), ("max", Pooling.Max), ("none", Pooling.None),
                ("attention", Pooling.Attention), ("flatten", Pooling.Flatten)),
            OutputSize = Size("head.out_features", 1),
        };
        if (options.Pooling == Pooling.Flatten)
        {
            options = options with { Steps = Size("pool.steps", 1) };
        }

        try
        {
            recurrent.Validate(cell);
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new SafeTensorsFormatException(file.Source, $"the configuration in the metadata is inconsistent: {e.Message}");
        }

        if (vocabulary > 0 && Size("embedding.embedding_dim", 1) != recurrent.InputSize)
        {
            throw new SafeTensorsFormatException(file.Source, "metadata 'embedding.embedding_dim' differs from 'rnn.input_size'");
        }

        return options;
    }

    /// <summary>The metadata a model file carries for a configuration.</summary>
    public static Dictionary<string, string> Metadata(SequenceModelOptions options, IReadOnlyDictionary<string, string>? preprocessing = null)
    {
        var r = options.Recurrent;
        string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
        string Flag(bool value) => value ? "true" : "false";
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["format_version"] = Text(FormatVersion),
            ["cell"] = RecurrentCells.Of(options.Cell).Name,
            ["embedding.num_embeddings"] = Text(options.VocabularySize),
            ["embedding.embedding_dim"] = Text(options.VocabularySize > 0 ? r.InputSize : 0),
            ["embedding.padding_idx"] = options.PaddingIndex is { } p ? Text(p) : "none",
            ["rnn.input_size"] = Text(r.InputSize),
            ["rnn.hidden_size"] = Text(r.HiddenSize),
            ["rnn.num_layers"] = Text(r.NumLayers),
            ["rnn.bias"] = Flag(r.Bias),
            ["rnn.batch_first"] = "true",
            ["rnn.dropout"] = r.Dropout.ToString("R", CultureInfo.InvariantCulture),
            ["rnn.bidirectional"] = Flag(r.Bidirectional),
            ["rnn.proj_size"] = Text(r.ProjectionSize),
            ["rnn.nonlinearity"] = r.Nonlinearity == RnnNonlinearity.Relu ? "relu" : "tanh",
            ["pool"] = options.Pooling.ToString().ToLowerInvariant(),
            ["head.in_features"] = Text(r.OutputSize * Math.Max(1, options.Steps)),
            ["head.out_features"] = Text(options.OutputSize),
        };
        if (options.Pooling == Pooling.Flatten)
        {
            meta["pool.steps"] = Text(options.Steps);
        }

        foreach (var (key, value) in preprocessing ?? new Dictionary<string, string>())
        {
            meta[PreprocessingPrefix + key] = value;
        }

        return meta;
    }

    /// <summary>How many parameters a configuration has, computed without building it.</summary>
    public static long ParameterCount(SequenceModelOptions options)
    {
        var r = options.Recurrent;
        int directions = r.DirectionCount, size = r.StateSize;
        long count = checked((long)options.VocabularySize * (options.VocabularySize > 0 ? r.InputSize : 0));
        for (int layer = 0; layer < r.NumLayers; layer++)
        {
            var spec = new CellSpec(options.Cell, r.UsesRelu, layer == 0 ? r.InputSize : directions * size, r.HiddenSize, size);
            foreach (var (_, shape) in DirectionParameters<float>.Layout(spec, r.Bias, string.Empty))
            {
                count = checked(count + directions * shape.Aggregate(1L, (a, d) => checked(a * d)));
            }
        }

        long pooled = directions * size + 1; // a linear layer's weights and bias per output
        long headInputs = checked((long)directions * size * Math.Max(1, options.Steps) + 1); // flatten: T·F inputs
        return checked(count + (options.Pooling == Pooling.Attention ? pooled : 0) + headInputs * options.OutputSize);
    }

    private static IEnumerable<SafeTensor> Tensors<T>(SequenceModel<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
        => model.Modules.SelectMany(m => StateDictionary.Save(m.Module, m.Prefix));
}
