using Carnet.Models;
using Carnet.Training;
using Carnet.Training.Distributed;

namespace Carnet.Tests.Distributed;

/// <summary>How a global batch is split among ranks: contiguous, as even as can be, all of it, and each part the batch's own rows.</summary>
public sealed class ShardTests
{
    [Fact]
    public void RangesCoverEveryItemOnceInRankOrderAndDifferByAtMostOne()
    {
        for (int ranks = 1; ranks <= 7; ranks++)
        {
            for (int count = 0; count <= 40; count++)
            {
                var parts = Enumerable.Range(0, ranks).Select(r => Shards.Range(count, r, ranks)).ToArray();
                Assert.Equal(0, parts[0].Start);
                for (int r = 1; r < ranks; r++)
                {
                    Assert.Equal(parts[r - 1].Start + parts[r - 1].Length, parts[r].Start);
                }

                Assert.Equal(count, parts.Sum(p => p.Length));
                Assert.InRange(parts.Max(p => p.Length) - parts.Min(p => p.Length), 0, 1);
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => Shards.Range(5, 2, 2));
        Assert.Null(Shards.Of([1, 2], rank: 0, ranks: 3)); // two items for three ranks: rank 0 has none; an empty part is null: that rank adds nothing to the step
        Assert.Equal([3, 4, 5], Shards.Of([1, 2, 3, 4, 5], rank: 1, ranks: 2)!);
    }

    [Fact]
    public void ATrainingBatchShardsIntoItsOwnRowsWithTheirTargets()
    {
        // (B = 5, T = 3, I = 2) features with lengths and (B, 2) values; token rows with T class ids each (tagging)
        var features = Tensor<float>.FromValues([.. Enumerable.Range(0, 30).Select(i => (float)i)], 5, 3, 2);
        var values = Tensor<float>.FromValues([.. Enumerable.Range(100, 10).Select(i => (float)i)], 5, 2);
        var numeric = new TrainingBatch<float>(SequenceBatch<float>.FromFeatures(features, [3, 1, 2, 3, 2]), new BatchTargets<float>(values, null));
        var part = TrainingBatch<float>.Shard(numeric, 1, 2)!; // rows 2..4
        Assert.Equal([2, 3, 2], part.Inputs.Lengths!);
        Assert.Equal([3, 3, 2], part.Inputs.Features!.Shape);
        Assert.Equal(Enumerable.Range(12, 18).Select(i => (float)i), part.Inputs.Features.Span.ToArray());
        Assert.Equal([104f, 105, 106, 107, 108, 109], part.Targets.Values!.Span.ToArray());

        var tokens = new TrainingBatch<float>(SequenceBatch<float>.FromTokens([.. Enumerable.Range(0, 15)], 5, 3), new BatchTargets<float>(null, [.. Enumerable.Range(50, 15)]));
        var first = TrainingBatch<float>.Shard(tokens, 0, 3)!; // row 0
        Assert.Equal((1, 3), (first.Inputs.Batch, first.Inputs.Steps));
        Assert.Equal([0, 1, 2], first.Inputs.Tokens!);
        Assert.Equal([50, 51, 52], first.Targets.Classes!);
        var last = TrainingBatch<float>.Shard(tokens, 2, 3)!; // rows 3..4
        Assert.Equal([9, 10, 11, 12, 13, 14], last.Inputs.Tokens!);
        Assert.Equal([59, 60, 61, 62, 63, 64], last.Targets.Classes!);
        Assert.Null(TrainingBatch<float>.Shard(tokens, 0, 6)); // six ranks, five rows: rank 0 has none
    }

    [Fact]
    public void ASentencePairBatchKeepsItsPaddedLengths()
    {
        var batch = new Seq2SeqBatch([1, 2, 0, 3, 4, 5, 6, 0, 0], [2, 3, 1], [9, 1, 9, 2, 9, 3], [1, 8, 2, 8, 3, 8], 3);
        var rows = batch.Rows(1, 2);
        Assert.Equal((2, 3, 2), (rows.Batch, rows.SourceSteps, rows.TargetSteps));
        Assert.Equal([3, 4, 5, 6, 0, 0], rows.Source);
        Assert.Equal([3, 1], rows.SourceLengths);
        Assert.Equal([9, 2, 9, 3], rows.DecoderInput);
        Assert.Equal([2, 8, 3, 8], rows.Targets);
    }
}
