using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Evaluation;
using Carnet.Training;
using Carnet.Training.Distributed;

namespace Carnet.Tasks.Speech;

/// <summary>How <see cref="SpeechRecognizer.Fit"/> trains a speech model.</summary>
public sealed record SpeechTrainingOptions
{
    /// <summary>Words (one label per recording) or CTC (a symbol sequence per recording).</summary>
    public SpeechModelKind Kind { get; init; } = SpeechModelKind.Words;

    /// <summary>How CTC transcripts are cut into symbols.</summary>
    public SpeechTokens Tokens { get; init; } = SpeechTokens.Characters;

    /// <summary>The features.</summary>
    public SpeechFeatureOptions Features { get; init; } = new();

    /// <summary>Feature frames stacked into one network step (the step count shrinks as much).</summary>
    public int FrameStack { get; init; } = 1;

    /// <summary>The recurrent cell.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>Hidden units per direction.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Stacked recurrent layers.</summary>
    public int NumLayers { get; init; } = 2;

    /// <summary>Whether each layer reads the recording both ways.</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>Dropout between recurrent layers.</summary>
    public double Dropout { get; init; } = 0.2;

    /// <summary>How a word model reduces the steps to one label.</summary>
    public Pooling Pooling { get; init; } = Pooling.Mean;

    /// <summary>SpecAugment masking of the training recordings.</summary>
    public SpecAugmentOptions Augment { get; init; } = new();

    /// <summary>Passes over the training recordings.</summary>
    public int Epochs { get; init; } = 40;

    /// <summary>Recordings per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.002;

    /// <summary>Epochs without a better validation loss before training stops.</summary>
    public int Patience { get; init; } = 8;

    /// <summary>The part of the training speakers' recordings held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Speakers held out for the test; none: a random <see cref="TestFraction"/> of the recordings.</summary>
    public IReadOnlyList<string> TestSpeakers { get; init; } = [];

    /// <summary>Without test speakers, the part of the recordings held out for the test.</summary>
    public double TestFraction { get; init; } = 0.1;

    /// <summary>The seed of the split, the initial weights, the order of batches, dropout and masking.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Stops cleanly after this long, keeping the best weights so far.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>A checkpoint written after every epoch, or null.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// When set, this process is one rank of a data-parallel run (<see cref="TrainingLoopOptions.Distributed"/>): the
    /// batch size stays the global batch, and rank 0 alone writes the checkpoint.
    /// </summary>
    public Carnet.Training.Distributed.Communicator? Distributed { get; init; }

    /// <summary>Whether to continue from <see cref="CheckpointPath"/>.</summary>
    public bool Resume { get; init; }
}

/// <summary>A trained speech model with how training went and its scores on the held-out recordings.</summary>
/// <param name="Model">The model.</param>
/// <param name="Report">The epochs.</param>
/// <param name="Training">Recordings trained on.</param>
/// <param name="Validation">Recordings validated on.</param>
/// <param name="Test">The held-out recordings.</param>
/// <param name="Transcripts">The model's transcript of each held-out recording.</param>
/// <param name="Scores">The held-out scores.</param>
public sealed record SpeechOutcome(SpeechModel Model, TrainingReport Report, int Training, int Validation, SpeechCorpus Test, string[] Transcripts, SpeechScores Scores);

/// <summary>How well transcripts match: word accuracy, or token error rate and exact match for CTC.</summary>
/// <param name="Count">Recordings scored.</param>
/// <param name="Accuracy">Word models: the share of recordings labelled right. CTC: the share transcribed exactly.</param>
/// <param name="TokenErrorRate">CTC: edit distance over reference length (symbols); NaN for word models.</param>
public sealed record SpeechScores(int Count, double Accuracy, double TokenErrorRate)
{
    /// <summary>Scores transcripts against references, symbol by symbol for CTC models.</summary>
    public static SpeechScores Of(SpeechModel model, IReadOnlyList<string> references, IReadOnlyList<string> transcripts)
    {
        if (model.Kind == SpeechModelKind.Words)
        {
            int right = references.Where((reference, i) => reference == transcripts[i]).Count();
            return new SpeechScores(references.Count, right / (double)Math.Max(1, references.Count), double.NaN);
        }

        IReadOnlyList<string>[] Symbols(IReadOnlyList<string> texts) => [.. texts.Select(text => SpeechModel.Split(text, model.Tokens))];
        var (hypotheses, expected) = (Symbols(transcripts), Symbols(references));
        return new SpeechScores(references.Count, TranslationMetrics.ExactMatch(hypotheses, expected), TranslationMetrics.TokenErrorRate(hypotheses, expected).Rate);
    }
}

/// <summary>Trains, evaluates and applies speech models.</summary>
public static class SpeechRecognizer
{
    /// <summary>
    /// Trains on <paramref name="corpus"/>: the test part is the given speakers (or a random part), the validation part a
    /// random part of the rest; features are computed once, masked anew in every batch.
    /// </summary>
    public static SpeechOutcome Fit(SpeechCorpus corpus, SpeechTrainingOptions options, Action<TrainingProgress>? progress = null)
    {
        var random = new RandomSource(options.Seed);
        var (test, rest) = options.TestSpeakers.Count > 0 ? corpus.SplitBySpeakers([.. options.TestSpeakers]) : RandomSplit(corpus, options.TestFraction, random.Fork());
        var (validation, training) = RandomSplit(rest, options.ValidationFraction, random.Fork());
        var model = Build(rest, options, random.Fork()); // the symbols of every recording trained or validated on
        var trainingExamples = Examples(model, training);
        var trainable = new SpeechTrainable(model, trainingExamples, options.Augment)
        {
            Validation = validation.Utterances.Count > 0 ? Examples(model, validation) : null,
        };
        var optimizer = new Adam<float>(trainable.Modules.Select(m => m.Module), options.LearningRate);
        var schedule = new ReduceOnPlateauSchedule(optimizer, new PlateauOptions { Factor = 0.5, Patience = Math.Max(1, options.Patience / 3) });
        var loop = new TrainingLoop<float, int[]>(trainable, optimizer, new TrainingLoopOptions
        {
            Epochs = options.Epochs, ClipGradientNorm = 5.0, Patience = options.Patience, CheckpointPath = options.CheckpointPath, TimeLimit = options.TimeLimit,
            Distributed = options.Distributed,
        }, trainable.Validation is null ? null : schedule);
        if (progress is not null)
        {
            loop.Progress += progress;
        }

        int count = trainingExamples.Count, batchSize = options.BatchSize;
        var batches = new BatchSource<int[]>(r => Batches(count, batchSize, r)) { Shard = Shards.Of };
        var report = loop.Fit(batches, new RandomSource(random.NextUInt64()), options.Resume);
        var (scores, transcripts) = Evaluate(model, test);
        return new SpeechOutcome(model, report, training.Utterances.Count, validation.Utterances.Count, test, transcripts, scores);
    }

    /// <summary>Transcribes every recording of <paramref name="corpus"/> and scores the transcripts against its texts.</summary>
    public static (SpeechScores Scores, string[] Transcripts) Evaluate(SpeechModel model, SpeechCorpus corpus, int beamWidth = 1)
    {
        foreach (var utterance in corpus.Utterances.Where(u => model.Kind == SpeechModelKind.Ctc))
        {
            _ = model.Encode(utterance.Text, out string? unknown) ?? throw Unspellable(utterance, unknown!);
        }

        var transcripts = model.Transcribe(Inputs(model, corpus), beamWidth);
        return (SpeechScores.Of(model, [.. corpus.Utterances.Select(u => u.Text)], transcripts), transcripts);
    }

    /// <summary>
    /// The network inputs of every recording, read and featurised in parallel (each recording on its own: the order of
    /// work changes no number); a file that cannot be read is reported as the first such file in the corpus's order.
    /// </summary>
    public static float[][] Inputs(SpeechModel model, SpeechCorpus corpus)
    {
        var inputs = new float[corpus.Utterances.Count][];
        var failures = new InputFileException?[inputs.Length];
        Parallel.For(0, inputs.Length, i =>
        {
            try
            {
                inputs[i] = model.Inputs(WaveFile.Read(corpus.Utterances[i].Path), out _);
            }
            catch (InputFileException e)
            {
                failures[i] = e;
            }
        });
        return failures.FirstOrDefault(failure => failure is not null) is { } first ? throw first : inputs;
    }

    private static SpeechModel Build(SpeechCorpus seen, SpeechTrainingOptions options, RandomSource random)
    {
        options.Features.Validate();
        string[] symbols = options.Kind == SpeechModelKind.Words
            ? [.. seen.Utterances.Select(u => u.Text).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]
            : ["", .. seen.Utterances.SelectMany(u => SpeechModel.Split(u.Text, options.Tokens)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (symbols.Length < 2)
        {
            throw new ArgumentException($"{seen.Source}: the training recordings say only '{symbols.LastOrDefault()}'; a speech model needs at least two words or one symbol.");
        }

        var network = new SequenceModel<float>(new SequenceModelOptions
        {
            Cell = options.Cell,
            Recurrent = new RecurrentOptions
            {
                InputSize = options.Features.Dimensions * options.FrameStack, HiddenSize = options.HiddenSize, NumLayers = options.NumLayers,
                Bidirectional = options.Bidirectional, Dropout = options.Dropout,
            },
            Pooling = options.Kind == SpeechModelKind.Ctc ? Pooling.None : options.Pooling,
            OutputSize = symbols.Length,
        }, random);
        return new SpeechModel(network, options.Kind, options.Tokens, symbols, options.Features, options.FrameStack);
    }

    /// <summary>The recordings as network inputs with their targets; a transcript the model cannot spell is an error naming the file.</summary>
    private static SpeechExamples Examples(SpeechModel model, SpeechCorpus corpus)
    {
        var inputs = Inputs(model, corpus);
        var utterances = corpus.Utterances;
        if (model.Kind == SpeechModelKind.Words)
        {
            var ids = model.Symbols.Select((word, id) => (word, id)).ToDictionary(p => p.word, p => p.id, StringComparer.Ordinal);
            return new SpeechExamples(inputs, [.. utterances.Select(u => ids[u.Text])], []);
        }

        var targets = new int[utterances.Count][];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = model.Encode(utterances[i].Text, out string? unknown) ?? throw Unspellable(utterances[i], unknown!);
        }

        return new SpeechExamples(inputs, [], targets);
    }

    private static InputFileException Unspellable(SpeechUtterance utterance, string symbol)
        => new(utterance.Path, $"the transcript '{utterance.Text}' holds the symbol '{symbol}', which is not in the model's alphabet");

    private static (SpeechCorpus Chosen, SpeechCorpus Others) RandomSplit(SpeechCorpus corpus, double fraction, RandomSource random)
    {
        int[] order = [.. Enumerable.Range(0, corpus.Utterances.Count)];
        random.Shuffle(order.AsSpan());
        int chosen = (int)Math.Round(order.Length * fraction);
        return (SpeechCorpus.Of(corpus.Source, [.. order[..chosen].Order().Select(i => corpus.Utterances[i])]),
            SpeechCorpus.Of(corpus.Source, [.. order[chosen..].Order().Select(i => corpus.Utterances[i])]));
    }

    /// <summary>One epoch's batches of recording indices, shuffled.</summary>
    private static IEnumerable<int[]> Batches(int count, int batchSize, RandomSource random)
    {
        int[] order = [.. Enumerable.Range(0, count)];
        random.Shuffle(order.AsSpan());
        return order.Chunk(batchSize);
    }
}
