using Carnet.Cli.Diagnostics;
using Carnet.IO;
using Carnet.Tasks.Tagging;
using Carnet.Tests.Tagging;

namespace Carnet.Tests.Diagnostics;

/// <summary>Random mutations of a real tagger file: each is rejected naming the file, or loads as a tagger that runs.</summary>
public sealed class TaggerFileFuzzTests
{
    [Fact]
    public void EveryMutationIsRejectedCleanlyOrLoadsAsAWorkingTagger()
    {
        var outcome = Tagger.Fit(TaggedCorpus.ParseConll(ToyCorpus.Conll(40, 4), "toy.conll"), null, new TaggerOptions
        {
            WordEmbeddingSize = 3, CharacterEmbeddingSize = 2, CharacterHiddenSize = 2, HiddenSize = 3, Epochs = 1, Seed = 2,
        });
        TaggedSentence[] sentences = [new(["Alice", "said", "it", "in", "Zürich", "."], null, 1)];
        var report = ModelFileFuzzer.Run(outcome.Model.Serialize(), 1500, 11, "fuzz", bytes =>
        {
            var tagger = SequenceTagger.Load(SafeTensorsFile.Parse(bytes, "fuzz"));
            Assert.Equal(6, tagger.Predict(sentences)[0].Length);
        });
        Assert.Empty(report.Failures);
        Assert.Equal(1500, report.Loaded + report.Rejected);
        Assert.True(report.Rejected > 500, $"{report.Rejected} rejected");
    }
}
