using Carnet.Tasks.Translation;

namespace Carnet.Tests.Translation;

/// <summary>The token vocabulary: special ids, frequency order with ordinal ties, limits, encoding and decoding.</summary>
public sealed class TokenVocabularyTests
{
    private static readonly string[][] Sentences = [["le", "chat", "le"], ["un", "chat", "le"], ["zut", "un"]];

    [Fact]
    public void SpecialTokensComeFirstThenTheMostFrequentWithOrdinalTies()
    {
        var vocabulary = TokenVocabulary.Build(Sentences);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "le", "chat", "un", "zut"], vocabulary.Tokens);
        Assert.Equal(8, vocabulary.Count);
        Assert.Equal((0, 1, 2, 3), (TokenVocabulary.Padding, TokenVocabulary.Unknown, TokenVocabulary.Begin, TokenVocabulary.End));
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "B", "a", "b", "é"], TokenVocabulary.Build([["b", "é", "a", "B"]]).Tokens);
    }

    [Fact]
    public void MaximumSizeCountsTheSpecialTokensAndMinimumCountDropsRareTokens()
    {
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "le", "chat"], TokenVocabulary.Build(Sentences, maximumSize: 6).Tokens);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "le", "chat", "un"], TokenVocabulary.Build(Sentences, minimumCount: 2).Tokens);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>"], TokenVocabulary.Build(Sentences, maximumSize: 4).Tokens);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenVocabulary.Build(Sentences, maximumSize: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenVocabulary.Build(Sentences, minimumCount: 0));
    }

    [Fact]
    public void TokensSpeltLikeSpecialOnesAreThoseTokens()
    {
        var vocabulary = TokenVocabulary.Build([["<eos>", "a", "<unk>"]]);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "a"], vocabulary.Tokens);
        Assert.Equal([3, 4, 1], vocabulary.Encode(["<eos>", "a", "<unk>"]));
    }

    [Fact]
    public void EncodesUnknownTokensAsOneAndDecodesUpToTheEnd()
    {
        var vocabulary = TokenVocabulary.Build(Sentences);
        Assert.Equal([5, 1, 4], vocabulary.Encode(["chat", "chien", "le"]));
        Assert.Equal(["le", "<unk>", "chat"], vocabulary.Decode([2, 4, 0, 1, 5, 3, 6, 7]));
        Assert.Equal(["zut"], vocabulary.Decode([7, 0, 0]));
        Assert.Empty(vocabulary.Decode([3, 4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([4, 8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([-1]));
    }

    [Theory]
    [InlineData(new[] { "<pad>", "<unk>" }, "the vocabulary has 2 tokens; expected at least the 4 special ones")]
    [InlineData(new[] { "<pad>", "a", "<bos>", "<eos>" }, "token 1 is 'a'; expected '<unk>' (the vocabulary starts with <pad> <unk> <bos> <eos>)")]
    [InlineData(new[] { "<pad>", "<unk>", "<bos>", "<eos>", "a", "" }, "token 5 is empty")]
    [InlineData(new[] { "<pad>", "<unk>", "<bos>", "<eos>", "a", "b", "a" }, "token 6 ('a') repeats token 4")]
    public void MalformedTokenListsAreRefused(string[] tokens, string message)
    {
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => new TokenVocabulary(tokens)).Message);
    }
}
