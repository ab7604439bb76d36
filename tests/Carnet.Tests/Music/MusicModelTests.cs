using Carnet.IO;
using Carnet.Models;
using Carnet.Tasks.Text;
using Carnet.Tasks.Text.Music;

namespace Carnet.Tests.Music;

/// <summary>
/// Training a music model on the test tunes: seeded and repeatable, held-out tunes measured as evaluation measures
/// them, the bigram baseline beside it; generation honouring the requested fields, repeatable per tune, the same after
/// saving and loading.
/// </summary>
public sealed class MusicModelTests
{
    private static readonly TextTrainingOptions Tiny = new()
    {
        EmbeddingSize = 8, HiddenSize = 24, NumLayers = 1, SequenceLength = 16, BatchSize = 4, LearningRate = 0.01, Epochs = 3,
        ValidationFraction = 0.25, SampleLength = 20, Seed = 5,
    };

    private static readonly Lazy<MusicTrainingOutcome> Trained = new(() => MusicTrainer.Fit(Tunes(), Tiny));

    private static IReadOnlyList<AbcTune> Tunes() => AbcBook.Parse(TestTunes.Book(), "book.abc", defaultRhythm: "jig");

    [Fact]
    public void TheSameSeedTrainsTheSameModelOnTheSameSplit()
    {
        var again = MusicTrainer.Fit(Tunes(), Tiny);
        var outcome = Trained.Value;
        Assert.Equal(outcome.Model.Serialize(), again.Model.Serialize());
        Assert.Equal((6, 2), (outcome.Training.Count, outcome.HeldOut.Count));
        Assert.Equal(outcome.HeldOut.Select(t => t.Number), again.HeldOut.Select(t => t.Number));
        Assert.Empty(outcome.Training.Select(t => t.Number).Intersect(outcome.HeldOut.Select(t => t.Number)));
    }

    [Fact]
    public void EvaluatingTheHeldOutTunesGivesTheBitsTrainingReported()
    {
        var outcome = Trained.Value;
        double evaluated = outcome.Model.BitsPerCharacter(outcome.HeldOut, Tiny.BatchSize, Tiny.SequenceLength);
        Assert.Equal(outcome.Text.BestValidationBitsPerCharacter!.Value, evaluated);
    }

    [Fact]
    public void TheBigramBaselineIsCountedOnTheTrainingTunesAndScoredOnTheHeldOutOnes()
    {
        var outcome = Trained.Value;
        var vocabulary = outcome.Model.Characters.Vocabulary;
        var bigram = CharacterBigram.Fit(outcome.Model.Encode(outcome.Training), vocabulary.Count);
        Assert.Equal(bigram.BitsPerCharacter(outcome.Model.Encode(outcome.HeldOut)), outcome.BigramBitsPerCharacter!.Value, 12);
    }

    [Fact]
    public void GeneratedTunesHaveTheRequestedFieldsAndDependOnlyOnSeedAndNumber()
    {
        var model = Trained.Value.Model;
        var request = new TuneRequest { Meter = "6/8", Key = "D", Rhythm = "jig", MaximumLength = 300 };
        var sampling = new SamplingOptions { Temperature = 0.8 };
        var three = model.Generate(request, 3, sampling, seed: 11);
        var two = model.Generate(request, 2, sampling, seed: 11);

        Assert.All(three, v => Assert.Equal(("jig", "6/8", "D"), (v.Tune.Rhythm, v.Tune.Meter, v.Tune.Key)));
        Assert.Equal([1, 2, 3], three.Select(v => v.Tune.Number));
        Assert.Equal(two.Select(v => v.Tune.ToAbc()), three.Take(2).Select(v => v.Tune.ToAbc()));
        Assert.All(three, v => Assert.True(v.Tune.Body.Length is > 0 and <= 300));
        Assert.All(three, v => Assert.StartsWith("X:", v.Tune.ToAbc(), StringComparison.Ordinal));
        Assert.Equal(three.Select(v => v.IsValid), three.Select(v => AbcChecker.Check(v.Tune).IsValid)); // the verdicts are the checker's
    }

    [Fact]
    public void ARequestedFieldTheModelCannotWriteIsRefusedByCharacter()
    {
        var error = Assert.Throws<ArgumentException>(() => Trained.Value.Model.Generate(new TuneRequest { Rhythm = "waltz" }, 1, new SamplingOptions(), 1));
        Assert.StartsWith("the R: field's character 3 is 'w' (U+0077), which is not in the model's vocabulary", error.Message);
    }

    [Fact]
    public void ASavedModelLoadsAndWritesTheSameTunes()
    {
        var model = Trained.Value.Model;
        var loaded = MusicModel.FromLoaded(ModelFile.Load<float>(SafeTensorsFile.Parse(model.Serialize(), "music.safetensors")), "music.safetensors");
        var sampling = new SamplingOptions();
        Assert.Equal(model.Generate(new TuneRequest(), 2, sampling, 3).Select(v => v.Tune.ToAbc()), loaded.Generate(new TuneRequest(), 2, sampling, 3).Select(v => v.Tune.ToAbc()));
    }

    [Fact]
    public void ATextModelIsNotAMusicModel()
    {
        var text = Trained.Value.Model.Characters;
        var file = SafeTensorsFile.Parse(text.Serialize(), "text.safetensors");
        var error = Assert.Throws<SafeTensorsFormatException>(() => MusicModel.FromLoaded(ModelFile.Load<float>(file), "text.safetensors"));
        Assert.Equal("text.safetensors: this model's task is 'text', not a music model (written by carnet music train)", error.Message);
    }
}
