using Carnet.Tasks.Text;

namespace Carnet.Tests.Text;

/// <summary>The character bigram baseline: add-one counts, and bits per character computed by hand.</summary>
public sealed class CharacterBigramTests
{
    [Fact]
    public void BitsPerCharacterAreTheMeanNegativeLog2OfAddOneCounts()
    {
        // training ids 0 1 0 1 1 over V = 3: pairs 0→1 twice, 1→0 once, 1→1 once
        var bigram = CharacterBigram.Fit([0, 1, 0, 1, 1], 3);
        // P(1|0) = (2+1)/(2+3) = 3/5; P(2|1) = (0+1)/(2+3) = 1/5; P(2|2) = 1/3 (no counts)
        double expected = -(Math.Log2(3.0 / 5) + Math.Log2(1.0 / 5) + Math.Log2(1.0 / 3)) / 3;
        Assert.Equal(expected, bigram.BitsPerCharacter([0, 1, 2, 2]), 12);
    }

    [Fact]
    public void IdsOutsideTheVocabularyAndTooShortTextsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => CharacterBigram.Fit([0, 3], 3));
        Assert.Throws<ArgumentException>(() => CharacterBigram.Fit([0, 1], 3).BitsPerCharacter([1]));
    }
}
