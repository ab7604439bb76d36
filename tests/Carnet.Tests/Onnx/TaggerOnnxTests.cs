using Carnet.Onnx;
using Carnet.Tasks.Tagging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Carnet.Tests.Onnx;

/// <summary>
/// A tagger's exported emission network gives Carnet's emissions at every valid token within 1e-5 in ONNX Runtime and in
/// Carnet's runtime, with and without character features; the CRF's parameters come out as outputs, equal to the model's.
/// </summary>
public sealed class TaggerOnnxTests
{
    private static readonly TaggedSentence[] Tiny = Tagging.TaggerNetworkTests.Tiny;

    [Theory]
    [InlineData(2, TagDecoder.Crf)]
    [InlineData(0, TagDecoder.Crf)]
    [InlineData(3, TagDecoder.Softmax)]
    public void EmissionsMatchInOnnxRuntimeAndCarnet(int characterHidden, TagDecoder decoder)
    {
        var (network, batch) = TinyTagger(characterHidden, decoder, layers: 2, seed: 3);
        float[] emissions = network.Forward(batch).Emissions.Span.ToArray(); // (T, B, K)
        var feeds = Feeds(batch, characterHidden > 0);
        byte[] bytes = TaggerOnnx.Serialize(network);

        var carnet = OnnxModel.Parse(bytes, "tagger.onnx").Run(feeds);
        AssertValidTokensClose(batch, network.Options.TagCount, emissions, carnet["prediction"].Floats);
        using var session = new InferenceSession(bytes);
        using var results = session.Run(feeds.Select(f => NamedOnnxValue.CreateFromTensor(f.Key, new DenseTensor<long>(f.Value.Integers.ToArray(), [.. f.Value.Shape]))).ToList());
        AssertValidTokensClose(batch, network.Options.TagCount, emissions, results.First(r => r.Name == "prediction").AsEnumerable<float>().ToArray());
        if (network.Crf is { } crf)
        {
            Assert.Equal(crf.Transitions.Value.Span.ToArray(), results.First(r => r.Name == "crf.transitions").AsEnumerable<float>().ToArray());
            Assert.Equal(crf.StartTransitions.Value.Span.ToArray(), carnet["crf.start_transitions"].Floats.ToArray());
        }
        else
        {
            Assert.DoesNotContain(results, r => r.Name.StartsWith("crf.", StringComparison.Ordinal));
        }
    }

    /// <summary>A small seeded tagger over the three tiny sentences, and their batch without tags.</summary>
    internal static (TaggerNetwork<float> Network, TaggerBatch Batch) TinyTagger(int characterHidden, TagDecoder decoder, int layers, ulong seed)
    {
        var vocabulary = TaggerVocabulary.Build(Tiny[..2], Tiny, lowercase: true);
        var network = new TaggerNetwork<float>(new TaggerNetworkOptions
        {
            WordVocabularySize = vocabulary.Words.Count, WordEmbeddingSize = 3, CharacterVocabularySize = vocabulary.Characters.Count,
            CharacterEmbeddingSize = 2, CharacterHiddenSize = characterHidden, HiddenSize = 3, NumLayers = layers, TagCount = vocabulary.Tags.Count,
            Decoder = decoder,
        }, new RandomSource(seed));
        return (network, vocabulary.Encode(Tiny, withTags: false));
    }

    // The graph's inputs for a batch: words (B, T), characters (B, T, C) and their lengths (B, T), sentence lengths (B).
    internal static Dictionary<string, OnnxTensor> Feeds(TaggerBatch batch, bool characters)
    {
        int b = batch.Batch, t = batch.Steps, c = batch.CharacterSteps, w = batch.WordCount;
        var words = new long[b * t];
        var characterIds = new long[b * t * c];
        var characterLengths = new long[b * t];
        for (int row = 0; row < b; row++)
        {
            for (int step = 0; step < t; step++)
            {
                words[row * t + step] = batch.WordIds[step * b + row];
                int word = batch.WordIndex[step * b + row];
                for (int k = 0; word >= 0 && k < c; k++)
                {
                    characterIds[(row * t + step) * c + k] = batch.CharacterIds[k * w + word];
                }

                characterLengths[row * t + step] = word >= 0 ? batch.CharacterLengths[word] : 0;
            }
        }

        var feeds = new Dictionary<string, OnnxTensor>
        {
            ["input"] = OnnxTensor.FromInt64(words, b, t), ["lengths"] = OnnxTensor.FromInt64([.. batch.Lengths.Select(l => (long)l)], b),
        };
        if (characters)
        {
            feeds["characters"] = OnnxTensor.FromInt64(characterIds, b, t, c);
            feeds["character_lengths"] = OnnxTensor.FromInt64(characterLengths, b, t);
        }

        return feeds;
    }

    private static void AssertValidTokensClose(TaggerBatch batch, int tags, float[] timeMajor, ReadOnlySpan<float> batchFirst)
    {
        int b = batch.Batch, t = batch.Steps;
        Assert.Equal(timeMajor.Length, batchFirst.Length);
        double worst = 0;
        for (int row = 0; row < b; row++)
        {
            for (int step = 0; step < batch.Lengths[row]; step++)
            {
                for (int k = 0; k < tags; k++)
                {
                    worst = Math.Max(worst, Math.Abs(timeMajor[(step * b + row) * tags + k] - (double)batchFirst[(row * t + step) * tags + k]));
                }
            }
        }

        Assert.True(worst <= 1e-5, $"emissions differ by {worst:E3}");
    }
}
