using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Text;

namespace Carnet.Tests.Text;

/// <summary>
/// Training a character model: held-out bits per character against a hand computation, learning a repetitive text,
/// the time limit, resuming to the same bytes, and generation that is the same on both paths and for the same seed.
/// </summary>
public sealed class CharacterTrainerTests
{
    /// <summary>A seeded text of words over a small alphabet with non-ASCII letters, 200 characters.</summary>
    private static string WordText(int length, ulong seed)
    {
        string[] words = ["sea", "whale", "ship", "é", "naïve", "—"];
        var random = new RandomSource(seed);
        var text = new System.Text.StringBuilder();
        while (text.Length < length)
        {
            text.Append(words[random.NextInt(words.Length)]).Append(random.NextInt(5) == 0 ? '\n' : ' ');
        }

        return text.ToString(0, length);
    }

    private static readonly TextTrainingOptions Tiny = new()
    {
        EmbeddingSize = 4, HiddenSize = 6, NumLayers = 2, SequenceLength = 5, BatchSize = 3, Epochs = 3, LearningRate = 0.02,
        ValidationFraction = 0.25, Seed = 5, SampleLength = 20,
    };

    /// <summary>Held-out bits per character by hand: one forward pass over every held-out stream at once, −log softmax in double.</summary>
    private static double BitsByHand(SequenceModel<float> network, int[] ids, int streams)
    {
        int length = (ids.Length - 1) / streams, vocabulary = network.Options.OutputSize;
        var inputs = new int[streams * length]; // (B, L)
        var targets = new int[streams * length]; // (B, L)
        for (int b = 0; b < streams; b++)
        {
            Array.Copy(ids, b * length, inputs, b * length, length);
            Array.Copy(ids, b * length + 1, targets, b * length, length);
        }

        float[] logits = network.Forward(SequenceBatch<float>.FromTokens(inputs, streams, length)).Prediction.Span.ToArray(); // (B, L, V)
        double nats = 0;
        for (int row = 0; row < targets.Length; row++)
        {
            var scores = logits.AsSpan(row * vocabulary, vocabulary).ToArray().Select(s => (double)s).ToArray();
            double max = scores.Max();
            nats += max + Math.Log(scores.Sum(s => Math.Exp(s - max))) - scores[targets[row]]; // −log p(target)
        }

        return nats / targets.Length / Math.Log(2);
    }

    [Fact]
    public void ReportedHeldOutBitsPerCharacterEqualAHandComputation()
    {
        var data = TextData.FromText(WordText(200, 1), "words.txt");
        var outcome = CharacterTrainer.Fit(data, Tiny);
        var (_, validation) = CharacterTrainer.Split(data, Tiny);
        Assert.Equal(50, validation.Length); // 16 steps per stream: chunks of 5, 5, 5 and 1 with the state carried
        Assert.Equal(3, outcome.Epochs.Count);
        int best = outcome.BestEpoch!.Value;
        double reported = outcome.Epochs[best - 1].ValidationBitsPerCharacter!.Value;
        Assert.Equal(BitsByHand(outcome.Model.Network, validation, 3), reported, 1e-5);
        Assert.Equal(outcome.Epochs.Min(e => e.ValidationBitsPerCharacter), reported); // the best epoch's weights are the ones kept
        Assert.Equal(reported, CharacterTrainer.Bits(outcome.Model.CrossEntropy(validation, 3, 5)));
        Assert.All(outcome.Epochs, e => Assert.Equal(20, e.Sample.EnumerateRunes().Count())); // a 20-character sample after each epoch
        Assert.Equal(150, outcome.TrainingCharacters);
        Assert.Equal(9, outcome.BatchesPerEpoch); // (150 − 1) / 3 streams = 49 steps each, 9 batches of 5
    }

    [Fact]
    public void ARepetitiveTextIsLearnedToLowBitsPerCharacter()
    {
        var data = TextData.FromText(string.Concat(Enumerable.Repeat("abcé", 750)), "abc.txt");
        var outcome = CharacterTrainer.Fit(data, new TextTrainingOptions
        {
            EmbeddingSize = 8, HiddenSize = 32, NumLayers = 1, SequenceLength = 16, BatchSize = 8, Epochs = 8, LearningRate = 0.01,
            ValidationFraction = 0.1, SampleLength = 12, Sampling = new SamplingOptions { Temperature = 0 },
        });
        Assert.True(outcome.BestValidationBitsPerCharacter < 0.1, $"held out {outcome.BestValidationBitsPerCharacter} bits per character");
        Assert.True(outcome.Epochs[^1].Seconds < 30, $"{outcome.Epochs[^1].Seconds} s");
        Assert.Contains("abcéabcé", outcome.Epochs[^1].Sample); // the most likely continuation is the pattern
    }

    [Fact]
    public void TheTimeLimitStopsAtTheFirstStepPastItAndAResumeContinues()
    {
        string folder = Directory.CreateTempSubdirectory("carnet-text-").FullName;
        try
        {
            var data = TextData.FromText(WordText(200, 2), "words.txt");
            var options = Tiny with { TimeLimit = TimeSpan.FromTicks(1), CheckpointPath = Path.Combine(folder, "checkpoint.safetensors") };
            var outcome = CharacterTrainer.Fit(data, options);
            Assert.True(outcome.StoppedByTimeLimit);
            Assert.Equal(1, Assert.Single(outcome.Epochs).Batches); // one step of nine, then measured
            Assert.Equal(1, outcome.BestEpoch);
            var (_, validation) = CharacterTrainer.Split(data, options);
            Assert.Equal(outcome.BestValidationBitsPerCharacter, CharacterTrainer.Bits(outcome.Model.CrossEntropy(validation, 3, 5)));

            var resumed = CharacterTrainer.Fit(data, options with { Resume = true });
            Assert.Equal([1, 1], resumed.Epochs.Select(e => e.Batches)); // the next epoch, for another stretch of the budget
            Assert.Equal(outcome.Epochs[0], resumed.Epochs[0]);

            var otherText = TextData.FromText(WordText(200, 2).Replace('w', 'W'), "other.txt"); // as many characters, not the same ones
            Assert.Equal(data.Vocabulary.Count, otherText.Vocabulary.Count);
            Assert.Equal($"{options.CheckpointPath}: the checkpoint was trained on a text with other characters; resume with the same text or start a new output folder",
                Assert.Throws<SafeTensorsFormatException>(() => CharacterTrainer.Fit(otherText, options with { Resume = true })).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AResumedRunEndsWithTheSameModelBytes()
    {
        string folder = Directory.CreateTempSubdirectory("carnet-text-").FullName;
        try
        {
            var data = TextData.FromText(WordText(200, 3), "words.txt");
            var options = Tiny with { Dropout = 0.3, Epochs = 4 }; // dropout draws from the random state the checkpoint must restore
            var whole = CharacterTrainer.Fit(data, options with { CheckpointPath = Path.Combine(folder, "whole.safetensors") });
            string interrupted = Path.Combine(folder, "interrupted.safetensors");
            CharacterTrainer.Fit(data, options with { Epochs = 1, CheckpointPath = interrupted });
            CharacterTrainer.Fit(data, options with { Epochs = 2, CheckpointPath = interrupted, Resume = true });
            var resumed = CharacterTrainer.Fit(data, options with { CheckpointPath = interrupted, Resume = true });
            Assert.Equal(whole.Model.Serialize(), resumed.Model.Serialize());
            Assert.Equal(whole.Epochs.Select(e => (e.TrainingBitsPerCharacter, e.ValidationBitsPerCharacter, e.Batches, e.Sample)),
                resumed.Epochs.Select(e => (e.TrainingBitsPerCharacter, e.ValidationBitsPerCharacter, e.Batches, e.Sample)));
            Assert.Equal(whole.BestEpoch, resumed.BestEpoch);
            Assert.NotEqual(whole.Epochs[0].ValidationBitsPerCharacter, whole.Epochs[3].ValidationBitsPerCharacter);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(RecurrentCellKind.Lstm)]
    [InlineData(RecurrentCellKind.Gru)]
    public void GenerationIsTheSameOnBothPathsAndForTheSameSeed(RecurrentCellKind cell)
    {
        var vocabulary = CharacterVocabulary.FromText(WordText(300, 4));
        var model = CharacterModel.Create(vocabulary, cell, 5, 7, 2, 0, new RandomSource(3));
        var sampling = new SamplingOptions { Temperature = 1.3, TopK = 8, TopP = 0.97 };
        string[] stream = model.Generate("sea é", 300, sampling, 9).ToArray();
        string[] forward = model.Generate("sea é", 300, sampling, 9, GenerationPath.Forward).ToArray();
        Assert.Equal(300, stream.Length);
        Assert.All(stream, c => Assert.True(System.Text.Rune.TryGetRuneAt(c, 0, out var r) && r.Utf16SequenceLength == c.Length)); // one character each
        Assert.Equal(string.Concat(stream), string.Concat(forward));
        Assert.Equal(stream, model.Generate("sea é", 300, sampling, 9).ToArray());
        Assert.Equal(stream[..40], model.Generate("sea é", 40, sampling, 9).ToArray()); // a shorter run is a prefix: each character is final when yielded
        Assert.NotEqual(stream, model.Generate("sea é", 300, sampling, 10).ToArray());
        Assert.True(stream.Distinct().Count() >= 5, string.Concat(stream));
        Assert.Empty(model.Generate("sea", 0, sampling, 9));
    }

    [Fact]
    public void AModelFileRoundTripsWithItsVocabulary()
    {
        string folder = Directory.CreateTempSubdirectory("carnet-text-").FullName;
        try
        {
            var model = CharacterModel.Create(CharacterVocabulary.FromText("ab é—🐳\n"), RecurrentCellKind.Lstm, 3, 4, 1, 0, new RandomSource(8));
            string path = Path.Combine(folder, "model.safetensors");
            model.Save(path);
            var loaded = CharacterModel.Load(path);
            Assert.Equal(model.Serialize(), loaded.Serialize());
            Assert.Equal(["\n", " ", "a", "b", "é", "—", "🐳"], loaded.Vocabulary.ToStrings());
            Assert.Equal("text", SafeTensorsFile.Read(path).Metadata["preprocessing.task"]);
            Assert.Equal("[\"\\n\",\" \",\"a\",\"b\",\"\\u00E9\",\"\\u2014\",\"\\uD83D\\uDC33\"]", SafeTensorsFile.Read(path).Metadata["preprocessing.vocabulary"]);
            Assert.Equal("the prompt's character 2 is 'c' (U+0063), which is not in the model's vocabulary of 7 characters",
                Assert.Throws<ArgumentException>(() => loaded.Generate("ac", 5, new SamplingOptions(), 1)).Message);
            Assert.Equal("the prompt is empty; generation needs at least one character to start from",
                Assert.Throws<ArgumentException>(() => loaded.Generate("", 5, new SamplingOptions(), 1)).Message);

            string other = Path.Combine(folder, "other.safetensors");
            ModelFile.Save(other, model.Network, new Dictionary<string, string> { ["task"] = "classify" });
            Assert.Equal($"{other}: this model's task is 'classify', not a character-level text model",
                Assert.Throws<SafeTensorsFormatException>(() => CharacterModel.Load(other)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
