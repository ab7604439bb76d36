// Dimension legend: N = sequences, T = steps, C = numeric features per step, K = classes.
using Carnet.IO;
using Carnet.Kernels;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tasks.Classification;

/// <summary>
/// A trained sequence classifier: the network with the class names, the token vocabulary or the feature scaling,
/// and the columns it reads, all saved in one model file (<c>preprocessing.*</c> metadata).
/// </summary>
public sealed class SequenceClassifier
{
    /// <summary>The value of <c>preprocessing.task</c> in a classification model file.</summary>
    public const string Task = "classify";

    /// <summary>The token id of padding (0) and of a token not seen in training (1).</summary>
    public const int PaddingToken = 0, UnknownToken = 1;

    private readonly Dictionary<string, int> tokenIds;
    private readonly string[] classes;

    internal SequenceClassifier(SequenceModel<float> network, string[] classes, string[] vocabulary, double[] featureMeans, double[] featureDeviations,
        SequenceColumns columns)
    {
        Network = network;
        this.classes = classes;
        Vocabulary = vocabulary;
        FeatureMeans = featureMeans;
        FeatureDeviations = featureDeviations;
        Columns = columns;
        tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 2; i < vocabulary.Length; i++)
        {
            tokenIds[vocabulary[i]] = i;
        }
    }

    /// <summary>The network: (B, T, C) features or (B, T) tokens to class scores (B, K).</summary>
    public SequenceModel<float> Network { get; }

    /// <summary>The class names, in the order of the network's outputs.</summary>
    public IReadOnlyList<string> Classes => classes;

    /// <summary>Token strings by id (0 padding, 1 unknown), or empty for numeric sequences.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Per numeric feature, its training mean.</summary>
    public IReadOnlyList<double> FeatureMeans { get; }

    /// <summary>Per numeric feature, its training standard deviation.</summary>
    public IReadOnlyList<double> FeatureDeviations { get; }

    /// <summary>The columns read at training; prediction reads the same (the label column is optional there).</summary>
    public SequenceColumns Columns { get; }

    /// <summary>The sequences as a dataset for the network: scaled features or token ids, lengths, and class ids when labelled.</summary>
    public SequenceDataset<float> Encode(LabelledSequences data, bool requireLabels)
    {
        int[] targets = requireLabels ? ClassIds(data) : new int[data.Count];
        if (data.Tokens is { } tokens)
        {
            if (Vocabulary.Count == 0)
            {
                throw new ArgumentException($"{data.Source}: this model reads {FeatureMeans.Count} numeric feature(s) per step, but the file holds text tokens.");
            }

            var ids = new int[tokens.Length]; // (N, T)
            for (int i = 0; i < tokens.Length; i++)
            {
                ids[i] = tokens[i].Length == 0 ? PaddingToken : tokenIds.GetValueOrDefault(tokens[i], UnknownToken);
            }

            return SequenceDataset<float>.FromTokens(ids, data.Count, data.Steps, targets, data.Lengths);
        }

        if (data.FeaturesPerStep != FeatureMeans.Count)
        {
            throw new ArgumentException($"{data.Source}: this model reads {(Vocabulary.Count > 0 ? "text tokens" : $"{FeatureMeans.Count} numeric feature(s) per step")}, " +
                $"but the file gives {data.FeaturesPerStep} per step.");
        }

        var scaled = new double[data.Features!.Length]; // (N, T, C)
        ScalingKernels.Standardize(data.Features, FeatureMeans.ToArray(), FeatureDeviations.ToArray(), scaled);
        var features = Tensor<float>.FromDoubles(scaled, data.Count, data.Steps, data.FeaturesPerStep);
        return SequenceDataset<float>.FromFeatures(features, targets, data.Lengths);
    }

    /// <summary>Class probabilities (N, K) for every sequence, in order.</summary>
    public double[] Probabilities(LabelledSequences data) => Probabilities(Encode(data, requireLabels: false));

    /// <summary>Class probabilities (N, K) for every sequence of an encoded dataset, in order.</summary>
    public double[] Probabilities(SequenceDataset<float> dataset)
    {
        var probabilities = new double[dataset.Count * Classes.Count]; // (N, K)
        int offset = 0;
        foreach (var batch in dataset.InOrder(256))
        {
            double[] scores = Network.Forward(batch.Inputs).Prediction.ToDoubles(); // (B, K)
            ScalingKernels.Softmax(scores, Classes.Count, probabilities.AsSpan(offset, scores.Length));
            offset += scores.Length;
        }

        return probabilities;
    }

    /// <summary>The most probable class of each row of probabilities (N, K).</summary>
    public int[] Predict(ReadOnlySpan<double> probabilities)
    {
        var best = new int[probabilities.Length / classes.Length]; // (N)
        ScalingKernels.ArgmaxRows(probabilities, classes.Length, best);
        return best;
    }

    /// <summary>Each sequence's class id, or an error naming the line of a label the model does not know.</summary>
    public int[] ClassIds(LabelledSequences data)
    {
        var ids = new int[data.Count];
        for (int n = 0; n < data.Count; n++)
        {
            string label = data.Labels[n] ?? throw new ArgumentException($"{data.Source}: no label column '{Columns.Label}'.");
            ids[n] = Array.IndexOf(classes, label) is var id and >= 0
                ? id
                : throw new Carnet.Tasks.Data.DataFormatException(data.Source, data.Lines[n], 0,
                    $"label '{label}' is not one of the model's classes ({string.Join(", ", Classes)})");
        }

        return ids;
    }

    /// <summary>The <c>preprocessing.*</c> entries of the model file.</summary>
    public Dictionary<string, string> Preprocessing() => new(StringComparer.Ordinal)
    {
        ["task"] = Task,
        ["classes"] = MetadataWriter.Strings(Classes),
        ["vocabulary"] = MetadataWriter.Strings(Vocabulary),
        ["features.mean"] = MetadataWriter.Numbers(FeatureMeans),
        ["features.deviation"] = MetadataWriter.Numbers(FeatureDeviations),
        ["columns.id"] = Columns.Id ?? "",
        ["columns.time"] = Columns.Time ?? "",
        ["columns.label"] = Columns.Label ?? "",
        ["columns.features"] = MetadataWriter.Strings(Columns.Features ?? []),
        ["columns.features_per_step"] = MetadataWriter.Integer(Columns.FeaturesPerStep),
    };

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) => ModelFile.Save(path, Network, Preprocessing());

    /// <summary>Builds the classifier from a loaded model file, checking that its settings fit the network.</summary>
    public static SequenceClassifier FromLoaded(LoadedModel<float> loaded, string source)
    {
        if (loaded.Task != Task)
        {
            throw new SafeTensorsFormatException(source, $"this model's task is '{loaded.Task}', not a sequence classifier");
        }

        var settings = loaded.Settings(source);
        string[] classes = settings.Strings("classes"), vocabulary = settings.Strings("vocabulary");
        double[] means = settings.Numbers("features.mean"), deviations = settings.PositiveNumbers("features.deviation");
        var options = loaded.Model.Options;
        bool fits = options.OutputSize == classes.Length && options.Pooling != Pooling.None && means.Length == deviations.Length
            && (vocabulary.Length > 0 ? options.VocabularySize == vocabulary.Length && means.Length == 0 : options.Recurrent.InputSize == means.Length);
        if (!fits)
        {
            throw new SafeTensorsFormatException(source,
                $"the network ({options.OutputSize} outputs, vocabulary {options.VocabularySize}, input size {options.Recurrent.InputSize}) does not fit the preprocessing " +
                $"({classes.Length} classes, {vocabulary.Length} tokens, {means.Length} feature scale(s))");
        }

        var columns = new SequenceColumns
        {
            Id = settings.NullableText("columns.id"),
            Time = settings.NullableText("columns.time"),
            Label = settings.NullableText("columns.label"),
            Features = settings.Strings("columns.features"),
            FeaturesPerStep = settings.Integer("columns.features_per_step", 1),
        };
        return new SequenceClassifier(loaded.Model, classes, vocabulary, means, deviations, columns);
    }
}
