using Carnet.Layers;
using Carnet.Tasks.Evaluation;
using Carnet.Training;
using Carnet.Training.Distributed;

namespace Carnet.Tasks.Tagging;

/// <summary>The settings of <see cref="Tagger"/>.</summary>
public sealed record TaggerOptions
{
    /// <summary>Word embedding size.</summary>
    public int WordEmbeddingSize { get; init; } = 100;

    /// <summary>Character embedding size.</summary>
    public int CharacterEmbeddingSize { get; init; } = 25;

    /// <summary>Units per direction of the character BiLSTM; 0 leaves out the character features.</summary>
    public int CharacterHiddenSize { get; init; } = 25;

    /// <summary>Units per direction of the sentence BiLSTM.</summary>
    public int HiddenSize { get; init; } = 100;

    /// <summary>Stacked sentence BiLSTM layers.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>CRF (Viterbi) or softmax output.</summary>
    public TagDecoder Decoder { get; init; } = TagDecoder.Crf;

    /// <summary>Dropout on the token features and the sentence BiLSTM's output.</summary>
    public double Dropout { get; init; } = 0.3;

    /// <summary>Whether words are looked up lower-cased (the characters keep the case).</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>The probability that a word seen once in training is read as unknown at a training step.</summary>
    public double UnknownReplacement { get; init; } = 0.5;

    /// <summary>Most passes over the training sentences.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Sentences per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Epochs without a better validation loss before training stops (the best weights are kept); the learning rate halves after a third of them.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Share of the sentences held out for testing when no test file is given.</summary>
    public double HeldOutFraction { get; init; } = 0.1;

    /// <summary>Share of the remaining sentences used for early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Seed of the split, initial weights, batches, unknown-word replacement and dropout.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>When set, training stops after the first epoch that ends past this time.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Where a checkpoint is kept at each epoch's end, or null.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// When set, this process is one rank of a data-parallel run (<see cref="TrainingLoopOptions.Distributed"/>): the
    /// batch size stays the global batch, and rank 0 alone writes the checkpoint.
    /// </summary>
    public Carnet.Training.Distributed.Communicator? Distributed { get; init; }

    /// <summary>Whether to continue from the checkpoint at <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }

    internal void Validate()
    {
        if (HeldOutFraction is < 0 or >= 1 || ValidationFraction is <= 0 or >= 1 || UnknownReplacement is < 0 or > 1 || Epochs < 1 || BatchSize < 1
            || !(LearningRate > 0) || Patience < 1 || TimeLimit is { } limit && limit <= TimeSpan.Zero)
        {
            throw new ArgumentException("the held-out and validation shares must be in (0, 1), the unknown-word replacement in [0, 1], and the epochs, " +
                "batch size, learning rate, patience and time limit positive");
        }
    }
}

/// <summary>What a tagging run produced.</summary>
/// <param name="Model">The trained tagger.</param>
/// <param name="Training">Losses per epoch and where training stopped.</param>
/// <param name="TrainingCount">Sentences trained on.</param>
/// <param name="ValidationCount">Sentences used for early stopping.</param>
/// <param name="Test">The held-out sentences (or the test file's).</param>
/// <param name="Predicted">The predicted tags of each held-out sentence.</param>
/// <param name="Metrics">Token accuracy, per-tag and entity scores on the held-out sentences.</param>
public sealed record TaggingOutcome(
    SequenceTagger Model, TrainingReport Training, int TrainingCount, int ValidationCount, TaggedCorpus Test, string[][] Predicted, TaggingMetrics Metrics);

/// <summary>
/// Trains a BiLSTM-CRF (or BiLSTM-softmax) tagger: a held-out part by seed (or a test file), a validation part carved
/// from the rest for early stopping, vocabularies from the training part, Adam with gradient clipping at norm 5, batches
/// of sentences of similar length in a seeded order, the learning rate halved on validation plateaus, and the scores of
/// the held-out part. The same seed gives bit-identical weights.
/// </summary>
public static class Tagger
{
    /// <summary>Trains on <paramref name="data"/> and tests on <paramref name="test"/>, or on a held-out part of <paramref name="data"/> when null.</summary>
    public static TaggingOutcome Fit(TaggedCorpus data, TaggedCorpus? test, TaggerOptions options, Action<TrainingProgress>? progress = null)
    {
        options.Validate();
        if (!data.IsTagged || test is { IsTagged: false })
        {
            throw new ArgumentException($"{data.Source}: training needs tagged sentences.");
        }

        var random = new RandomSource(options.Seed);
        int[] order = Enumerable.Range(0, data.Sentences.Count).ToArray();
        random.Fork().Shuffle(order.AsSpan());
        int heldOut = test is null ? (int)Math.Round(order.Length * options.HeldOutFraction) : 0;
        int validation = (int)Math.Round((order.Length - heldOut) * options.ValidationFraction);
        if (test is null && heldOut < 1 || validation < 1 || order.Length - heldOut - validation < 1)
        {
            throw new ArgumentException($"{data.Source}: {order.Length} sentence(s) are too few to hold out a test part, a validation part and train on the rest.");
        }

        test ??= data.Subset(order[..heldOut].Order());
        var validationPart = order[heldOut..(heldOut + validation)].Select(i => data.Sentences[i]).ToArray();
        var trainingPart = order[(heldOut + validation)..].Select(i => data.Sentences[i]).ToArray();
        var vocabulary = TaggerVocabulary.Build(trainingPart, trainingPart.Concat(validationPart), options.Lowercase);
        var network = new TaggerNetwork<float>(new TaggerNetworkOptions
        {
            WordVocabularySize = vocabulary.Words.Count,
            WordEmbeddingSize = options.WordEmbeddingSize,
            CharacterVocabularySize = vocabulary.Characters.Count,
            CharacterEmbeddingSize = options.CharacterEmbeddingSize,
            CharacterHiddenSize = options.CharacterHiddenSize,
            HiddenSize = options.HiddenSize,
            NumLayers = options.NumLayers,
            TagCount = vocabulary.Tags.Count,
            Decoder = options.Decoder,
            Dropout = options.Dropout,
        }, random.Fork());
        var rare = RareWords(trainingPart, vocabulary);
        var trainable = new TaggerTrainable(network, vocabulary, rare, options.UnknownReplacement) { Validation = validationPart };
        var report = Train(trainable, trainingPart, options, random.NextUInt64(), progress);
        var model = new SequenceTagger(network, vocabulary);
        var predicted = model.Predict(test.Sentences, options.BatchSize);
        var metrics = TaggingMetrics.Compute(test.Sentences.Select(s => s.Tags!).ToList(), predicted, vocabulary.Tags);
        return new TaggingOutcome(model, report, trainingPart.Length, validationPart.Length, test, predicted, metrics);
    }

    /// <summary>The mean loss per token of labelled sentences, in evaluation mode, batch by batch.</summary>
    public static double Evaluate(TaggerNetwork<float> network, TaggerVocabulary vocabulary, IReadOnlyList<TaggedSentence> sentences, int batchSize)
    {
        var (total, tokens) = EvaluatePart(network, vocabulary, sentences, batchSize, 0, 1);
        return total / tokens;
    }

    /// <summary>
    /// <see cref="Evaluate"/> shared among the ranks of a distributed run: the loss summed over the tokens of rank
    /// <paramref name="rank"/> of <paramref name="ranks"/>'s batches (every n-th), and those tokens.
    /// </summary>
    internal static (double Sum, double Tokens) EvaluatePart(TaggerNetwork<float> network, TaggerVocabulary vocabulary, IReadOnlyList<TaggedSentence> sentences,
        int batchSize, int rank, int ranks)
    {
        double total = 0, tokens = 0;
        int index = 0;
        foreach (int[] members in SequenceTagger.ByLength(sentences, batchSize))
        {
            if (index++ % ranks != rank)
            {
                continue;
            }

            var batch = vocabulary.Encode(members.Select(i => sentences[i]).ToList(), withTags: true);
            total += network.Loss(network.Forward(batch)).Loss * batch.Lengths.Sum();
            tokens += batch.Lengths.Sum();
        }

        return (total, tokens);
    }

    private static TrainingReport Train(TaggerTrainable trainable, TaggedSentence[] training, TaggerOptions options, ulong seed, Action<TrainingProgress>? progress)
    {
        var optimizer = new Adam<float>(trainable.Modules.Select(m => m.Module), options.LearningRate);
        var schedule = new ReduceOnPlateauSchedule(optimizer, new PlateauOptions { Factor = 0.5, Patience = Math.Max(1, options.Patience / 3) });
        var loop = new TrainingLoop<float, TaggedSentence[]>(trainable, optimizer, new TrainingLoopOptions
        {
            Epochs = options.Epochs,
            ClipGradientNorm = 5.0,
            Patience = options.Patience,
            CheckpointPath = options.CheckpointPath,
            TimeLimit = options.TimeLimit,
            Distributed = options.Distributed,
        }, schedule);
        if (progress is not null)
        {
            loop.Progress += progress;
        }

        var batches = new BatchSource<TaggedSentence[]>(random => Batches(training, options.BatchSize, random)) { Shard = Shards.Of };
        return loop.Fit(batches, new RandomSource(seed), options.Resume);
    }

    /// <summary>
    /// One epoch's batches: the sentences shuffled, cut into pools of 20 batches, each pool sorted by length (so a batch
    /// holds sentences of similar length and little padding) and cut into batches, and the batches shuffled.
    /// </summary>
    private static List<TaggedSentence[]> Batches(TaggedSentence[] sentences, int batchSize, RandomSource random)
    {
        var order = Enumerable.Range(0, sentences.Length).ToArray();
        random.Shuffle(order.AsSpan());
        var batches = order.Chunk(20 * batchSize)
            .SelectMany(pool => pool.OrderBy(i => sentences[i].Tokens.Count).Chunk(batchSize))
            .Select(members => members.Select(i => sentences[i]).ToArray())
            .ToArray();
        random.Shuffle(batches.AsSpan());
        return [.. batches];
    }

    /// <summary>The ids of words seen exactly once in training (the ones read as unknown now and then).</summary>
    private static HashSet<int> RareWords(TaggedSentence[] training, TaggerVocabulary vocabulary)
        => training.SelectMany(s => s.Tokens).GroupBy(vocabulary.WordId).Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet();
}
