using Carnet.Tasks.Translation;

namespace Carnet.Tests.Translation;

/// <summary>Byte-pair encoding: the merges learned from Sennrich et al.'s toy corpus, worked out by hand, and their application.</summary>
public sealed class BytePairTests
{
    // low ×5, lower ×2, newest ×6, widest ×3: the alphabet is l o w</w> w e r</w> n s t</w> i d (11 symbols)
    private static readonly string[] Corpus =
        ["low low low low low lower lower", "newest newest newest newest newest newest", "widest widest widest"];

    // each merge is the most frequent pair at its turn, ties to the ordinally smaller left symbol (e s and s t</w> are both 9:
    // "e" < "s"; then n e, e w and w est</w> are all 6: "e" first, then "ew" < "n"; d est</w>, i d and w i are 3: "d" first)
    private static readonly string[] AllMerges =
    [
        "e s", "es t</w>", "l o", "e w", "ew est</w>", "n ewest</w>", "lo w</w>",
        "d est</w>", "i dest</w>", "w idest</w>", "e r</w>", "lo w", "low er</w>",
    ];

    [Fact]
    public void LearnsTheMergesWorkedOutByHand()
    {
        Assert.Equal(AllMerges, BytePairTokenizer.Learn(Corpus, vocabularySize: 1000).Merges.Select(m => m.ToString()));
    }

    [Fact]
    public void StopsAtTheVocabularySizeCountingTheAlphabet()
    {
        Assert.Equal(AllMerges[..4], BytePairTokenizer.Learn(Corpus, vocabularySize: 15).Merges.Select(m => m.ToString()));
        Assert.Empty(BytePairTokenizer.Learn(Corpus, vocabularySize: 11).Merges);
        Assert.Empty(BytePairTokenizer.Learn(["a b c"], vocabularySize: 100).Merges); // no pair occurs twice
    }

    [Fact]
    public void AppliesMergesInLearnedOrder()
    {
        var tokenizer = BytePairTokenizer.Learn(Corpus, vocabularySize: 15); // e s, es t</w>, l o, e w
        Assert.Equal(["lo", "w", "est</w>"], tokenizer.Segment("lowest"));
        Assert.Equal(["n", "ew", "e", "r</w>"], tokenizer.Segment("newer"));
        Assert.Equal(["lo", "w", "est</w>", "n", "ew", "e", "r</w>", "￭", "!</w>"], tokenizer.Tokenize("lowest newer!"));
        Assert.Equal("lowest newer!", tokenizer.Detokenize(tokenizer.Tokenize("lowest newer!")));
    }

    [Fact]
    public void AnEarlierMergeWinsOverAnEarlierPosition()
    {
        // b c</w> is merged before a b although a b comes first in the word; a merge left to right by position would stop at ab c</w>
        var tokenizer = new BytePairTokenizer([new("b", "c</w>"), new("a", "b"), new("a", "bc</w>")]);
        Assert.Equal(["abc</w>"], tokenizer.Segment("abc"));
        Assert.Equal(["ab", "a", "b</w>"], tokenizer.Segment("abab"));
        Assert.Equal(["abc", "a", "b</w>"], new BytePairTokenizer([new("b", "c"), new("a", "b"), new("a", "bc")]).Segment("abcab"));
    }

    [Fact]
    public void DetokenizeEndsWordsAtTheEndOfWordMark()
    {
        var tokenizer = new BytePairTokenizer([]);
        Assert.Equal("low er, x", tokenizer.Detokenize(["lo", "w</w>", "er</w>", "￭,</w>", "x"]));
        Assert.Equal(["a</w>"], tokenizer.Segment("a"));
        Assert.Empty(tokenizer.Segment(""));
    }

    [Fact]
    public void RepeatedMergesAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new BytePairTokenizer([new("a", "b"), new("a", "b")]));
        Assert.StartsWith("merge 1 ('a b') repeats an earlier one", error.Message);
    }
}
