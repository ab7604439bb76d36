using Carnet.IO;
using Carnet.Tasks.Tagging;
using Carnet.Tests.Support;

namespace Carnet.Tests.Tagging;

/// <summary>The tagger network's backward pass by finite differences, and the trained tagger's determinism, file round trip and unknown words.</summary>
public sealed class TaggerNetworkTests
{
    private static TaggedSentence Sentence(string tokens, string tags) => new(tokens.Split(' '), tags.Split(' '), 1);

    /// <summary>Three sentences with unknown words and an unknown character, for network tests.</summary>
    internal static readonly TaggedSentence[] Tiny =
    [
        Sentence("The cat sat", "D N V"),
        Sentence("A dog", "D N"),
        Sentence("cats Sat down .", "N V R P"),
    ];

    [Theory]
    [InlineData(TagDecoder.Crf, 0.0)]
    [InlineData(TagDecoder.Softmax, 0.0)]
    [InlineData(TagDecoder.Crf, 0.3)]
    public void EveryParameterGradientMatchesFiniteDifferences(TagDecoder decoder, double dropout)
    {
        var vocabulary = TaggerVocabulary.Build(Tiny[..2], Tiny, lowercase: true);
        var network = new TaggerNetwork<double>(new TaggerNetworkOptions
        {
            WordVocabularySize = vocabulary.Words.Count, WordEmbeddingSize = 3, CharacterVocabularySize = vocabulary.Characters.Count,
            CharacterEmbeddingSize = 2, CharacterHiddenSize = 2, HiddenSize = 3, TagCount = vocabulary.Tags.Count, Decoder = decoder, Dropout = dropout,
        }, new RandomSource(3));
        var batch = vocabulary.Encode(Tiny, withTags: true); // "cats", "Sat", "down" and "." are unknown words; "." an unknown character
        Assert.Equal(TaggerVocabulary.Unknown, batch.WordIds[0 * 3 + 2]);
        Assert.Equal(9, batch.WordCount); // The, cat, sat, A, dog, cats, Sat (the characters keep the case), down, .
        double Loss() => network.Loss(network.Forward(batch, training: dropout > 0, new RandomSource(9))).Loss;

        network.ZeroGradients();
        var result = network.Forward(batch, training: dropout > 0, new RandomSource(9));
        var (_, gradient) = network.Loss(result);
        network.Backward(result, gradient);
        var analytic = network.Modules.SelectMany(m => m.Module.Parameters).Select(p => p.Gradient.Span.ToArray()).ToList();
        int index = 0, checkedCount = 0;
        foreach (var parameter in network.Modules.SelectMany(m => m.Module.Parameters))
        {
            checkedCount += GradientCheck.Check(parameter.Name, parameter.Value, analytic[index++], Loss);
        }

        Assert.Equal(SequenceTagger.ParameterCount(network.Options), checkedCount);
        Assert.Equal(0.0, analytic[0].AsSpan(0, 3).ToArray().Sum(Math.Abs)); // the padding word's row gets no gradient
    }
}
