// Dimension legend: V = vocabulary size, E = embedding size, P = size of h (the top layer's output), N = characters.
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tasks.Text;

/// <summary>How <see cref="CharacterModel.Generate"/> runs the network one character at a time; both give the same text.</summary>
public enum GenerationPath
{
    /// <summary>A <see cref="RecurrentStream{T}"/>: weights packed once, no allocation per step.</summary>
    Stream,

    /// <summary>The model's forward pass on one step at a time, the final states carried into the next.</summary>
    Forward,
}

/// <summary>
/// A character-level language model: embedding (V → E), a unidirectional recurrent stack and a linear head (P → V)
/// scoring the next character at every step, with its <see cref="CharacterVocabulary"/>. Saved as a model file
/// whose metadata holds <c>preprocessing.task = "text"</c> and the vocabulary as a JSON array of one-character
/// strings (<c>preprocessing.vocabulary</c>).
/// </summary>
public sealed class CharacterModel
{
    /// <summary>The value of <c>preprocessing.task</c> in a text model file.</summary>
    public const string Task = "text";

    /// <summary>Wraps a network whose vocabulary and outputs are the vocabulary's characters.</summary>
    /// <exception cref="ArgumentException">The network does not fit: not token input with V ids, not V outputs per step, or bidirectional.</exception>
    public CharacterModel(SequenceModel<float> network, CharacterVocabulary vocabulary)
    {
        var options = network.Options;
        if (options.VocabularySize != vocabulary.Count || options.OutputSize != vocabulary.Count || options.Pooling != Pooling.None
            || options.Recurrent.Bidirectional || options.PaddingIndex is not null)
        {
            throw new ArgumentException(
                $"a character model reads and scores every step over its {vocabulary.Count} characters, in one direction, without padding; this network has " +
                $"vocabulary {options.VocabularySize}, {options.OutputSize} outputs, pooling {options.Pooling.ToString().ToLowerInvariant()}" +
                $"{(options.Recurrent.Bidirectional ? ", bidirectional" : "")}{(options.PaddingIndex is null ? "" : ", a padding index")}");
        }

        Network = network;
        Vocabulary = vocabulary;
    }

    /// <summary>The network: ids (B, T) → next-character scores (B, T, V).</summary>
    public SequenceModel<float> Network { get; }

    /// <summary>The characters it reads and writes.</summary>
    public CharacterVocabulary Vocabulary { get; }

    /// <summary>What generation starts from when no prompt is given: a line break when the vocabulary has one, otherwise its first character.</summary>
    public string DefaultPrompt => Vocabulary.Contains(new System.Text.Rune('\n')) ? "\n" : Vocabulary[0].ToString();

    /// <summary>A new model with weights drawn from <paramref name="random"/> (PyTorch's initialisation).</summary>
    public static CharacterModel Create(CharacterVocabulary vocabulary, RecurrentCellKind cell, int embeddingSize, int hiddenSize,
        int numLayers, double dropout, RandomSource random)
        => new(new SequenceModel<float>(new SequenceModelOptions
        {
            Cell = cell,
            Recurrent = new RecurrentOptions { InputSize = embeddingSize, HiddenSize = hiddenSize, NumLayers = numLayers, Dropout = dropout },
            VocabularySize = vocabulary.Count,
            Pooling = Pooling.None,
            OutputSize = vocabulary.Count,
        }, random), vocabulary);

    /// <summary>The <c>preprocessing.*</c> entries of the model file.</summary>
    public Dictionary<string, string> Preprocessing() => Preprocessing(Task);

    /// <summary>The <c>preprocessing.*</c> entries of a model file of <paramref name="task"/> (text, or a task built on it such as music).</summary>
    internal Dictionary<string, string> Preprocessing(string task) => new(StringComparer.Ordinal)
    {
        ["task"] = task,
        ["vocabulary"] = MetadataWriter.Strings(Vocabulary.ToStrings()),
    };

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) => ModelFile.Save(path, Network, Preprocessing());

    /// <summary>The model file's bytes, as <see cref="Save"/> writes them.</summary>
    public byte[] Serialize() => ModelFile.Serialize(Network, Preprocessing());

    /// <summary>Reads a text model file; any problem is a <see cref="SafeTensorsFormatException"/> naming the file.</summary>
    public static CharacterModel Load(string path) => FromLoaded(ModelFile.Load<float>(path), path);

    /// <summary>The character model of a loaded model file, its vocabulary checked against the network.</summary>
    public static CharacterModel FromLoaded(LoadedModel<float> loaded, string source) => FromLoaded(loaded, source, Task, "a character-level text model");

    /// <summary>The character model of a loaded model file of <paramref name="task"/>, described in messages as <paramref name="description"/>.</summary>
    internal static CharacterModel FromLoaded(LoadedModel<float> loaded, string source, string task, string description)
    {
        if (loaded.Task != task)
        {
            throw new SafeTensorsFormatException(source, $"this model's task is '{loaded.Task}', not {description}");
        }

        string[] entries = loaded.Settings(source).Strings("vocabulary");
        CharacterVocabulary vocabulary;
        try
        {
            vocabulary = CharacterVocabulary.FromStrings(entries);
            return new CharacterModel(loaded.Model, vocabulary);
        }
        catch (ArgumentException e)
        {
            throw new SafeTensorsFormatException(source, $"metadata 'preprocessing.vocabulary' does not fit the network: {e.Message}");
        }
    }

    /// <summary>
    /// The mean cross-entropy, in nats per character, of predicting each character of <paramref name="ids"/> (N) from
    /// those before it, in evaluation mode: the text is cut into <paramref name="streams"/> consecutive parts (fewer
    /// when it is shorter) read <paramref name="steps"/> characters at a time with the state carried, so each
    /// prediction sees its whole part so far. It scores B·⌊(N − 1) / B⌋ predictions; divide by ln 2 for bits.
    /// </summary>
    public double CrossEntropy(int[] ids, int streams, int steps)
    {
        var (sum, count) = CrossEntropyPart(ids, streams, steps, 0, 1);
        return sum / count;
    }

    /// <summary>
    /// <see cref="CrossEntropy"/> shared among the ranks of a distributed run: the nats summed over the streams rank
    /// <paramref name="rank"/> of <paramref name="ranks"/> reads (<see cref="Training.Distributed.Shards.Range"/>), and
    /// the characters they predict.
    /// </summary>
    internal (double Sum, double Count) CrossEntropyPart(int[] ids, int streams, int steps, int rank, int ranks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streams);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (ids.Length < 2)
        {
            throw new ArgumentException($"{ids.Length} characters hold no prediction to score; at least 2 are needed.", nameof(ids));
        }

        int b = Math.Min(streams, ids.Length - 1), length = (ids.Length - 1) / b;
        var (first, mine) = Training.Distributed.Shards.Range(b, rank, ranks);
        if (mine == 0)
        {
            return (0, 0);
        }

        var data = new StreamDataset<float>(ids, Math.Min(steps, length));
        double total = 0;
        Tensor<float>? hidden = null, cell = null;
        foreach (var whole in data.InOrder(b))
        {
            var batch = mine == b ? whole : whole.Rows(first, mine); // (B, T): this rank's streams
            var result = Network.Forward(batch.Inputs, hidden, cell);
            (hidden, cell) = (result.Recurrent.HiddenState, result.Recurrent.CellState);
            var logits = result.Prediction.Reshape(batch.Inputs.Batch * batch.Inputs.Steps, Vocabulary.Count); // (B·T, V)
            total += Losses.CrossEntropy(logits, batch.Targets.Classes, Tensor<float>.Zeros(logits.Shape.ToArray()), Reduction.Sum);
        }

        return (total, (double)mine * length);
    }

    /// <summary>
    /// Bits per character of <paramref name="text"/> (<see cref="CrossEntropy"/> over ln 2), read as training measures its
    /// held-out text: <paramref name="streams"/> parts, <paramref name="steps"/> characters at a time.
    /// </summary>
    /// <exception cref="ArgumentException">A character is outside the vocabulary (named with <paramref name="what"/>), or the text has fewer than 2.</exception>
    public double BitsPerCharacter(string text, string what, int streams = 32, int steps = 64)
        => CharacterTrainer.Bits(CrossEntropy(Vocabulary.Encode(text, what), streams, steps));

    /// <summary>
    /// Generates <paramref name="length"/> characters after <paramref name="prompt"/>, yielding each as soon as it is
    /// drawn (one Unicode scalar value per string). The prompt is read one character at a time; each new character is
    /// drawn by a <see cref="Sampler"/> seeded with <paramref name="seed"/>, so the same arguments give the same text
    /// on either <paramref name="path"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is empty or holds a character outside the vocabulary, or a setting is out of range.</exception>
    public IEnumerable<string> Generate(string prompt, int length, SamplingOptions sampling, ulong seed, GenerationPath path = GenerationPath.Stream)
    {
        if (prompt.Length == 0)
        {
            throw new ArgumentException("the prompt is empty; generation needs at least one character to start from");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int[] ids = Vocabulary.Encode(prompt, "the prompt's");
        var sampler = new Sampler(Vocabulary.Count, sampling, new RandomSource(seed));
        return path == GenerationPath.Stream ? Stream(ids, length, sampler) : StepByStepForward(ids, length, sampler);
    }

    private IEnumerable<string> Stream(int[] prompt, int length, Sampler sampler)
    {
        using var stepper = new CharacterStepper(this);
        int id = prompt[0];
        for (int i = 0; i < Steps(prompt, length); i++)
        {
            id = i < prompt.Length ? prompt[i] : id;
            stepper.Read(id);
            if (i >= prompt.Length - 1)
            {
                id = sampler.Next(stepper.Scores);
                yield return Vocabulary[id].ToString();
            }
        }
    }

    private IEnumerable<string> StepByStepForward(int[] prompt, int length, Sampler sampler)
    {
        Tensor<float>? hidden = null, cell = null;
        int id = prompt[0];
        for (int i = 0; i < Steps(prompt, length); i++)
        {
            id = i < prompt.Length ? prompt[i] : id;
            var result = Network.Forward(SequenceBatch<float>.FromTokens([id], 1, 1), hidden, cell);
            (hidden, cell) = (result.Recurrent.HiddenState, result.Recurrent.CellState);
            if (i >= prompt.Length - 1)
            {
                id = sampler.Next(result.Prediction.Span); // scores (1, 1, V) of the next character
                yield return Vocabulary[id].ToString();
            }
        }
    }

    /// <summary>The steps generation runs: every prompt character, then every generated one but the last (none when nothing is generated).</summary>
    private static int Steps(int[] prompt, int length) => length == 0 ? 0 : prompt.Length + length - 1;
}
