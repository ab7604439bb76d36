using Carnet.Tasks.Translation;

namespace Carnet.Tests.Translation;

/// <summary>Every tokenizer gives back each of the 5,000 Tatoeba sentences of both languages; byte-pair learning on them is fast.</summary>
public sealed class TatoebaTokenizationTests
{
    private static readonly TranslationPairs Pairs = TranslationPairs.Read(TranslationPairsTests.Tatoeba);

    public static TheoryData<string, bool> Sides => new() { { "english", true }, { "french", false } };

    [Theory]
    [MemberData(nameof(Sides))]
    public void WordsCharactersAndBytePairsGiveEverySentenceBack(string language, bool english)
    {
        string[] sentences = Pairs.Pairs.Select(p => english ? p.Source : p.Target).ToArray();
        ITokenizer[] tokenizers = [new WordTokenizer(), new CharacterTokenizer(), BytePairTokenizer.Learn(sentences, 2000), new WordTokenizer(lowercase: true)];
        foreach (var tokenizer in tokenizers)
        {
            foreach (string sentence in sentences)
            {
                string[] tokens = tokenizer.Tokenize(sentence);
                Assert.True(tokens.Length > 0 && tokens.All(t => t.Length > 0 && !t.Contains(' ')), $"{language} {tokenizer.Kind}: '{sentence}'");
                Assert.Equal(TokenText.Normalize(sentence, tokenizer.Lowercase), tokenizer.Detokenize(tokens));
            }
        }
    }

    [Fact]
    public void FrenchTypographyKeepsItsSpaces()
    {
        var tokenizer = new WordTokenizer();
        string[] sentences = Pairs.Pairs.Select(p => p.Target).ToArray();
        Assert.Equal(["Va", "!"], tokenizer.Tokenize(sentences[0]));
        Assert.Contains(sentences, s => s.Contains('\u202F') || s.Contains('\u00A0')); // no-break spaces become spaces
        Assert.Equal(["J'ai", "gagné", "!"], tokenizer.Tokenize(sentences.First(s => s.StartsWith("J'ai gagné", StringComparison.Ordinal))));
    }

    [Fact]
    public void BytePairLearningIsDeterministicWhateverTheOrder()
    {
        string[] sentences = Pairs.Pairs.Select(p => p.Target).ToArray();
        var first = BytePairTokenizer.Learn(sentences, 4000);
        var second = BytePairTokenizer.Learn(sentences.Reverse(), 4000);
        Assert.Equal(first.Merges, second.Merges);
        Assert.True(first.Merges.Count > 1000, $"{first.Merges.Count} merges");
    }
}
