using Carnet.Tasks.Translation;

namespace Carnet.Tests.Translation;

/// <summary>The word and character tokenizers: exact tokens for given sentences, joiner marks, and the text they give back.</summary>
public sealed class TokenizerTests
{
    [Theory]
    [InlineData("Hello, world!", new[] { "Hello", "￭,", "world", "￭!" })]
    [InlineData("Va !", new[] { "Va", "!" })]
    [InlineData("Qu'est-ce que c'est ?", new[] { "Qu'est-ce", "que", "c'est", "?" })]
    [InlineData("L’homme d'aujourd'hui.", new[] { "L’homme", "d'aujourd'hui", "￭." })]
    [InlineData("(hi)", new[] { "(￭", "hi", "￭)" })]
    [InlineData("Dis « ahhh » !", new[] { "Dis", "«", "ahhh", "»", "!" })]
    [InlineData("Say \"aah.\"", new[] { "Say", "\"￭", "aah", "￭.", "￭\"" })]
    [InlineData("It's 3.5%", new[] { "It's", "3", "￭.￭", "5", "￭%" })]
    [InlineData("the dogs' bone", new[] { "the", "dogs", "￭'", "bone" })]
    [InlineData("--well-known--", new[] { "-", "￭-￭", "well-known", "￭-", "￭-" })]
    [InlineData("ok👍 e\u0301te\u0301", new[] { "ok", "￭👍", "e\u0301te\u0301" })]
    [InlineData("  a\t b \u00A0 ", new[] { "a", "b" })]
    [InlineData(" ", new string[0])]
    public void WordsSplitOffPunctuationAndMarkWhereTokensTouched(string text, string[] tokens)
    {
        var tokenizer = new WordTokenizer();
        Assert.Equal(tokens, tokenizer.Tokenize(text));
        Assert.Equal(TokenText.Normalize(text, lowercase: false), tokenizer.Detokenize(tokens));
    }

    [Fact]
    public void PronouncingDictionaryEntriesAreSpaceSeparatedTokens()
    {
        var tokenizer = new WordTokenizer();
        Assert.Equal(["h", "e", "l", "l", "o"], tokenizer.Tokenize("h e l l o"));
        Assert.Equal(["HH", "AH0", "L", "OW1"], tokenizer.Tokenize("HH AH0 L OW1"));
        Assert.Equal("HH AH0 L OW1", tokenizer.Detokenize(["HH", "AH0", "L", "OW1"]));
    }

    [Fact]
    public void DetokenizeSpacesTokensUnlessAJoinerSaysTheyTouch()
    {
        var tokenizer = new WordTokenizer();
        Assert.Equal("Salut ! Ça va ?", tokenizer.Detokenize(["Salut", "!", "Ça", "va", "?"]));
        Assert.Equal("I'm here, ok.", tokenizer.Detokenize(["I'm", "here", "￭,", "ok", "￭."]));
        Assert.Equal("a b", tokenizer.Detokenize(["a", "", "b"]));
        Assert.Equal("a b", tokenizer.Detokenize(["a", "￭", "b"])); // a lone joiner touches the token before it only
        Assert.Equal("", tokenizer.Detokenize([]));
    }

    [Fact]
    public void LowercasingIsOffUnlessAskedFor()
    {
        Assert.Equal(["Va", "!"], new WordTokenizer().Tokenize("Va !"));
        Assert.Equal(["va", "!"], new WordTokenizer(lowercase: true).Tokenize("Va !"));
        Assert.Equal(["é", "t", "é"], new CharacterTokenizer(lowercase: true).Tokenize("ÉTÉ"));
        Assert.False(new BytePairTokenizer([]).Lowercase);
    }

    [Fact]
    public void NormalizingCollapsesWhiteSpaceAndTrims()
    {
        Assert.Equal("a b c", TokenText.Normalize(" \ta  b\r\n\u202Fc\u00A0", lowercase: false));
        Assert.Equal("ça va", TokenText.Normalize("ÇA  VA", lowercase: true));
    }

    [Fact]
    public void CharactersAreScalarValuesWithAVisibleSpace()
    {
        var tokenizer = new CharacterTokenizer();
        Assert.Equal(["V", "a", "▁", "!"], tokenizer.Tokenize("Va  !"));
        Assert.Equal(["é", "▁", "👍"], tokenizer.Tokenize(" é 👍 "));
        Assert.Equal("Va !", tokenizer.Detokenize(["V", "a", "▁", "!"]));
        Assert.Equal("a b", tokenizer.Detokenize(["▁", "a", "▁", "▁", "b", "▁"]));
    }

    [Fact]
    public void KindsAreTheNamesModelFilesRecord()
    {
        Assert.Equal("words", new WordTokenizer().Kind);
        Assert.Equal("characters", new CharacterTokenizer().Kind);
        Assert.Equal("bpe", new BytePairTokenizer([]).Kind);
    }
}
