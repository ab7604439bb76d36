using Carnet.Tasks.Evaluation;

namespace Carnet.Tests.Evaluation;

/// <summary>Token accuracy, per-tag scores and conlleval's entity rules.</summary>
public sealed class TaggingMetricsTests
{
    private static string[] Tags(string text) => text.Split(' ');

    [Fact]
    public void EntitiesFollowConllevalChunkRules()
    {
        Assert.Equal([("PER", 0, 1), ("LOC", 3, 3)], TaggingMetrics.EntitiesOf(Tags("B-PER I-PER O B-LOC")).OrderBy(e => e.Start));
        Assert.Equal([("LOC", 1, 1), ("LOC", 2, 2)], TaggingMetrics.EntitiesOf(Tags("O B-LOC B-LOC")).OrderBy(e => e.Start)); // B- always starts a new entity
        Assert.Equal([("ORG", 0, 0), ("PER", 1, 2)], TaggingMetrics.EntitiesOf(Tags("I-ORG I-PER I-PER")).OrderBy(e => e.Start)); // I- after another type starts one
        Assert.Empty(TaggingMetrics.EntitiesOf(Tags("O O")));
    }

    [Fact]
    public void ScoresAHandCountedExample()
    {
        // gold: PER(0-1), LOC(3), LOC(0); predicted: PER(0-0) wrong end, LOC(3) right, LOC(0) right, ORG(2) spurious
        string[][] gold = [Tags("B-PER I-PER O B-LOC"), Tags("B-LOC O")];
        string[][] predicted = [Tags("B-PER O B-ORG B-LOC"), Tags("B-LOC O")];
        var metrics = TaggingMetrics.Compute(gold, predicted, ["B-LOC", "B-PER", "I-PER", "O"]);
        Assert.Equal(4.0 / 6, metrics.Accuracy, 12);
        Assert.Equal(6, metrics.TokenCount);
        Assert.Equal(["B-LOC", "B-PER", "I-PER", "O", "B-ORG"], metrics.Tags); // a predicted tag the model list lacks is appended
        var e = metrics.Entities!;
        Assert.Equal((3, 4, 2), (e.Gold, e.Predicted, e.Correct));
        Assert.Equal(0.5, e.Precision, 12);
        Assert.Equal(2.0 / 3, e.Recall, 12);
        Assert.Equal(2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3), e.F1, 12);
        Assert.Equal(1.0, metrics.EntityTypes!["LOC"].F1, 12);
        Assert.Equal(0.0, metrics.EntityTypes!["PER"].F1, 12);
        Assert.Equal((0, 1, 0), (metrics.EntityTypes!["ORG"].Gold, metrics.EntityTypes!["ORG"].Predicted, metrics.EntityTypes!["ORG"].Correct));
        Assert.Equal(0.5, metrics.PerTag.Recall[3], 12); // O: 1 of 2 gold O tokens kept
    }

    [Fact]
    public void PartOfSpeechTagsAreNotBio()
    {
        var metrics = TaggingMetrics.Compute([Tags("at nn vbd")], [Tags("at nn nn")], ["at", "nn", "vbd"]);
        Assert.Null(metrics.Entities);
        Assert.Equal(2.0 / 3, metrics.Accuracy, 12);
        Assert.False(TaggingMetrics.IsBio(["O", "B-"]));
        Assert.False(TaggingMetrics.IsBio(["O"]));
        Assert.True(TaggingMetrics.IsBio(["O", "I-MISC"]));
    }
}
