using Carnet.IO;
using Carnet.Tasks.Tagging;

namespace Carnet.Tests.Tagging;

/// <summary>Training a tagger end to end in the library: learning, determinism, the model file and unknown words.</summary>
public sealed class TaggerTests
{
    private static readonly TaggerOptions Small = new()
    {
        WordEmbeddingSize = 8, CharacterEmbeddingSize = 6, CharacterHiddenSize = 6, HiddenSize = 12, Dropout = 0.2,
        Epochs = 4, BatchSize = 8, LearningRate = 0.02, Seed = 5,
    };

    private static TaggingOutcome Train(TaggerOptions options, int sentences = 120)
        => Tagger.Fit(TaggedCorpus.ParseConll(ToyCorpus.Conll(sentences, 1), "toy.conll"), null, options);

    [Fact]
    public void TheSameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot()
    {
        var first = Train(Small);
        var second = Train(Small);
        var other = Train(Small with { Seed = 6 });
        Assert.Equal(first.Model.Serialize(), second.Model.Serialize());
        Assert.NotEqual(first.Model.Serialize(), other.Model.Serialize());
        Assert.Equal(first.Training.Epochs.Select(e => e.TrainingLoss), second.Training.Epochs.Select(e => e.TrainingLoss));
        Assert.Equal((97, 11, 12), (first.TrainingCount, first.ValidationCount, first.Test.Sentences.Count)); // 10 % held out, 10 % of the rest for validation
    }

    [Fact]
    public void OneAndTwoThreadsTrainTheSameBits()
    {
        byte[] Run(int threads)
        {
            using (KernelSettings.Use(maximumThreads: threads))
            {
                return Train(Small with { Epochs = 2, HiddenSize = 40 }).Model.Serialize();
            }
        }

        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void TheModelFileRoundTripsToIdenticalPredictionsAndBytes()
    {
        var outcome = Train(Small with { Epochs = 2 });
        byte[] bytes = outcome.Model.Serialize();
        var loaded = SequenceTagger.Load(SafeTensorsFile.Parse(bytes, "tagger.safetensors"));
        Assert.Equal(bytes, loaded.Serialize());
        var sentences = outcome.Test.Sentences;
        Assert.Equal(outcome.Model.Predict(sentences), loaded.Predict(sentences));
        Assert.Equal(outcome.Predicted, loaded.Predict(sentences));
    }

    [Fact]
    public void UnknownWordsAndCharactersAreTaggedFromTheirContextAndSpelling()
    {
        var outcome = Train(Small with { Epochs = 12 }, sentences: 300);
        Assert.True(outcome.Metrics.Accuracy >= 0.95, $"accuracy {outcome.Metrics.Accuracy}");
        var vocabulary = outcome.Model.Vocabulary;
        Assert.Equal(TaggerVocabulary.Unknown, vocabulary.WordId("Zoë"));
        Assert.Equal(TaggerVocabulary.Unknown, vocabulary.CharacterIdsOf("Zoë")[2]);
        string[][] tags = outcome.Model.Predict([new TaggedSentence("Zoë said it was good in Quito .".Split(' '), null, 1)]);
        Assert.Equal(["B-PER", "O", "O", "O", "O", "O", "B-LOC", "O"], tags[0]); // an unknown name starts the sentence; the unknown place follows "in"
    }

    [Fact]
    public void AResumedRunEndsWithTheWeightsOfAnUninterruptedOne()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"carnet-tag-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var options = Small with { CheckpointPath = Path.Combine(folder, "interrupted.safetensors") };
            Train(options with { Epochs = 2 });
            var resumed = Train(options with { Resume = true });
            var uninterrupted = Train(Small with { CheckpointPath = Path.Combine(folder, "whole.safetensors") });
            Assert.Equal(uninterrupted.Model.Serialize(), resumed.Model.Serialize());
            Assert.Equal(uninterrupted.Training.Epochs, resumed.Training.Epochs);
            Assert.Equal(4, resumed.Training.Epochs.Count);

            var other = Small with { HiddenSize = 10, CheckpointPath = options.CheckpointPath, Resume = true };
            var error = Assert.Throws<SafeTensorsFormatException>(() => Train(other));
            Assert.Contains("the checkpoint was written for another tagger or data (metadata 'rnn.hidden_size' differs)", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void LoadingIsStrictAndNamesWhatIsWrong()
    {
        var model = Train(Small with { Epochs = 1 }).Model;
        var tensors = model.Network.Modules.SelectMany(m => StateDictionary.Save(m.Module, m.Prefix)).ToList();
        string Problem(IEnumerable<SafeTensor> files, Action<Dictionary<string, string>>? edit = null)
        {
            var meta = model.Metadata();
            edit?.Invoke(meta);
            var file = SafeTensorsFile.Parse(SafeTensorsWriter.Serialize(files, meta), "m.safetensors");
            return Assert.Throws<SafeTensorsFormatException>(() => SequenceTagger.Load(file)).Message;
        }

        Assert.Contains("crf.extra", Problem([.. tensors, SafeTensor.FromSingle("crf.extra", [1f], 1)]));
        Assert.Contains("not a parameter of this tagger", Problem([.. tensors, SafeTensor.FromSingle("crf.extra", [1f], 1)]));
        Assert.Contains("crf.transitions", Problem(tensors.Where(t => t.Name != "crf.transitions")));
        Assert.Contains("metadata 'decoder' is 'hmm'; expected crf or softmax", Problem(tensors, m => m["decoder"] = "hmm"));
        Assert.Contains("metadata 'rnn.hidden_size' is '-3'; expected an integer from 1 to 16777216", Problem(tensors, m => m["rnn.hidden_size"] = "-3"));
        Assert.Contains("do not fit the network", Problem(tensors, m => m["preprocessing.tags"] = "[\"B-PER\"]"));
        Assert.Contains("not a Carnet tagger file (metadata 'format' is 'carnet-sequence-model', expected 'carnet-tagger')",
            Problem(tensors, m => m["format"] = "carnet-sequence-model"));
        Assert.Contains("this model's task is 'classify', not a sequence tagger", Problem(tensors, m => m["preprocessing.task"] = "classify"));
    }

    [Fact]
    public void ALongWordIsReadByItsFirstAndLastCharacters()
    {
        var vocabulary = TaggerVocabulary.Build([new TaggedSentence(["abcdefghijklmnopqrstuvwxyz"], ["X"], 1)], [], lowercase: false);
        int[] ids = vocabulary.CharacterIdsOf("abcdefghijklmnopqrstuvwxyz");
        Assert.Equal(TaggerVocabulary.MaximumCharacters, ids.Length);
        Assert.Equal("abcdefghijkl" + "opqrstuvwxyz", string.Concat(ids.Select(i => vocabulary.Characters[i])));
    }
}
