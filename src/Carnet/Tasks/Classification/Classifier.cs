// Dimension legend: N = sequences, T = steps, C = numeric features per step, K = classes.
using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Evaluation;
using Carnet.Training;

namespace Carnet.Tasks.Classification;

/// <summary>How classes are weighted in the loss.</summary>
public enum ClassWeighting
{
    /// <summary>Every sequence counts the same.</summary>
    None,

    /// <summary>Class c weighs N / (K · n_c) (scikit-learn's "balanced"), so rare classes count as much as common ones.</summary>
    Balanced,
}

/// <summary>The settings of <see cref="Classifier"/>.</summary>
public sealed record ClassifierOptions
{
    /// <summary>The recurrent cell.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>Units per layer and direction.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Stacked layers.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Whether each layer also reads the sequence backwards.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Dropout between stacked layers.</summary>
    public double Dropout { get; init; }

    /// <summary>How the outputs over time become one vector for the head.</summary>
    public Pooling Pooling { get; init; } = Pooling.Last;

    /// <summary>Embedding size for token sequences.</summary>
    public int EmbeddingSize { get; init; } = 16;

    /// <summary>Class weights in the loss.</summary>
    public ClassWeighting ClassWeighting { get; init; } = ClassWeighting.None;

    /// <summary>Most passes over the training sequences.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Sequences per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.003;

    /// <summary>Epochs without a better validation loss before training stops (the best weights are kept); the learning rate is halved after a third of them.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>Decoupled weight decay (AdamW) when above 0, else plain Adam.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Share of each class held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Share of each class held out for testing.</summary>
    public double TestFraction { get; init; } = 0.15;

    /// <summary>Seed of the split, initial weights, shuffles and dropout.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Where a checkpoint is kept at each epoch's end, or null.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// When set, this process is one rank of a data-parallel run (<see cref="TrainingLoopOptions.Distributed"/>): the
    /// batch size stays the global batch, and rank 0 alone writes the checkpoint.
    /// </summary>
    public Carnet.Training.Distributed.Communicator? Distributed { get; init; }

    /// <summary>Whether to continue from the checkpoint at <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }
}

/// <summary>What a classification run produced: the classifier, its split and its test metrics.</summary>
/// <param name="Model">The trained classifier.</param>
/// <param name="Training">Losses per epoch and where training stopped.</param>
/// <param name="TrainingCount">Sequences trained on.</param>
/// <param name="ValidationCount">Sequences used for early stopping.</param>
/// <param name="TestIndices">The test sequences, as indices into the data.</param>
/// <param name="Actual">Their classes.</param>
/// <param name="Predicted">The predicted classes.</param>
/// <param name="Metrics">Accuracy, F1, per-class scores and the confusion matrix on the test part.</param>
public sealed record ClassificationOutcome(
    SequenceClassifier Model, TrainingReport Training, int TrainingCount, int ValidationCount, int[] TestIndices, int[] Actual, int[] Predicted,
    ClassificationMetrics Metrics);

/// <summary>
/// Trains a sequence classifier: a stratified train/validation/test split by seed, scaling (or a vocabulary) fitted on
/// the training part, an optionally bidirectional LSTM/GRU/RNN stack with the chosen pooling and a linear head,
/// cross-entropy with optional class weights, early stopping on validation loss, and test metrics.
/// </summary>
public static class Classifier
{
    /// <summary>Trains and evaluates on <paramref name="data"/>, whose labels are required.</summary>
    public static ClassificationOutcome Fit(LabelledSequences data, SequenceColumns columns, ClassifierOptions options, Action<TrainingProgress>? progress = null)
    {
        string[] classes = data.Labels.Select(l => l ?? throw new ArgumentException($"{data.Source}: sequences need labels to train on."))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2)
        {
            throw new ArgumentException($"{data.Source}: the label column '{columns.Label}' has one class ('{classes[0]}'); a classifier needs at least two.");
        }

        var random = new RandomSource(options.Seed);
        int[] labels = data.Labels.Select(l => Array.IndexOf(classes, l)).ToArray(); // (N)
        int needed = 1 + (options.ValidationFraction > 0 ? 1 : 0) + (options.TestFraction > 0 ? 1 : 0);
        foreach (var group in labels.Select((c, n) => (Class: c, Sequence: n)).GroupBy(p => p.Class))
        {
            if (group.Count() < needed)
            {
                throw new Carnet.Tasks.Data.DataFormatException(data.Source, data.Lines[group.First().Sequence], 0,
                    $"class '{classes[group.Key]}' has {group.Count()} sequence(s); " +
                        $"each class needs at least {needed} so that the training, validation and test parts all have one");
            }
        }

        var (trainingIndices, validationIndices, testIndices) = StratifiedSplit.Split(labels, options.ValidationFraction, options.TestFraction, random.Fork());
        var classifier = Build(data, columns, classes, trainingIndices, options, random.Fork());
        var all = classifier.Encode(data, requireLabels: true);
        var training = all.Subset(trainingIndices);
        var validation = validationIndices.Length > 0 ? all.Subset(validationIndices) : null;
        var test = all.Subset(testIndices);

        var network = classifier.Network;
        var modules = network.Modules.Select(m => m.Module).ToList();
        Optimizer<float> optimizer = options.WeightDecay > 0
            ? new AdamW<float>(modules, options.LearningRate, weightDecay: options.WeightDecay)
            : new Adam<float>(modules, options.LearningRate);
        var schedule = new ReduceOnPlateauSchedule(optimizer, new PlateauOptions { Factor = 0.5, Patience = Math.Max(1, options.Patience / 3) });
        var weights = options.ClassWeighting == ClassWeighting.Balanced ? BalancedWeights(labels, trainingIndices, classes.Length) : null;
        var trainer = new Trainer<float>(network, optimizer, TrainingLosses.CrossEntropy(weights), new TrainerOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Seed = random.NextUInt64(),
            Patience = options.Patience,
            RestoreBestWeights = true,
            ClipGradientNorm = 5.0,
            CheckpointPath = options.CheckpointPath,
            Distributed = options.Distributed,
        }, validation is null ? null : schedule)
        {
            LossWeight = weights is null ? null : targets => targets.Classes!.Sum(c => (double)weights.Span[c]), // the weighted mean's denominator
        };
        if (progress is not null)
        {
            trainer.Progress += progress;
        }

        var report = trainer.Fit(training, validation, options.Resume);
        int[] predicted = classifier.Predict(classifier.Probabilities(test));
        int[] actual = testIndices.Select(i => labels[i]).ToArray();
        return new ClassificationOutcome(classifier, report, trainingIndices.Length, validationIndices.Length, testIndices, actual, predicted,
            ClassificationMetrics.Compute(actual, predicted, classes.Length));
    }

    private static SequenceClassifier Build(LabelledSequences data, SequenceColumns columns, string[] classes, int[] trainingIndices,
        ClassifierOptions options, RandomSource random)
    {
        string[] vocabulary = [];
        double[] means = [], deviations = [];
        int inputSize;
        if (data.Tokens is { } tokens)
        {
            var seen = new SortedSet<string>(StringComparer.Ordinal);
            foreach (int n in trainingIndices)
            {
                seen.UnionWith(tokens.AsSpan(n * data.Steps, data.Lengths[n]).ToArray());
            }

            vocabulary = ["", "<unk>", .. seen];
            inputSize = options.EmbeddingSize;
        }
        else
        {
            int channels = data.FeaturesPerStep;
            var features = new double[trainingIndices.Length * data.Steps * channels]; // (N_train, T, C)
            var lengths = new int[trainingIndices.Length];
            SequenceKernels.Gather<double>(data.Features!, trainingIndices, data.Steps * channels, features);
            SequenceKernels.Gather<int>(data.Lengths, trainingIndices, 1, lengths);
            means = new double[channels];
            deviations = new double[channels];
            ScalingKernels.MaskedColumnMoments(features, lengths, data.Steps, channels, means, deviations);
            deviations = deviations.Select(d => d > 0 ? d : 1).ToArray();
            inputSize = channels;
        }

        var network = new SequenceModel<float>(new SequenceModelOptions
        {
            Cell = options.Cell,
            Recurrent = new RecurrentOptions
            {
                InputSize = inputSize, HiddenSize = options.HiddenSize, NumLayers = options.NumLayers,
                Bidirectional = options.Bidirectional, Dropout = options.Dropout,
            },
            VocabularySize = vocabulary.Length,
            PaddingIndex = vocabulary.Length > 0 ? SequenceClassifier.PaddingToken : null,
            Pooling = options.Pooling,
            OutputSize = classes.Length,
            Steps = options.Pooling == Pooling.Flatten ? FixedLength(data) : 0,
        }, random);
        return new SequenceClassifier(network, classes, vocabulary, means, deviations, columns with { Features = data.FeatureNames.ToArray() });
    }

    private static int FixedLength(LabelledSequences data)
    {
        int shortest = data.Lengths.Min();
        return shortest == data.Steps
            ? data.Steps
            : throw new ArgumentException($"{data.Source}: flatten pooling needs sequences of one length; these have from {shortest} to {data.Steps} steps.");
    }

    private static Tensor<float> BalancedWeights(int[] labels, int[] trainingIndices, int classCount)
    {
        var counts = new double[classCount];
        foreach (int n in trainingIndices)
        {
            counts[labels[n]]++;
        }

        return Tensor<float>.FromDoubles(counts.Select(c => c > 0 ? trainingIndices.Length / (classCount * c) : 0).ToArray(), classCount);
    }
}
