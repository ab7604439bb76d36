using Carnet.Tasks.Data;
using Carnet.Tasks.Tagging;

namespace Carnet.Tests.Tagging;

/// <summary>The CoNLL and raw-text readers.</summary>
public sealed class TaggedCorpusTests
{
    [Fact]
    public void ConllTakesTheFirstFieldAsTokenAndTheLastAsTagWithHashAnOrdinaryToken()
    {
        var corpus = TaggedCorpus.ParseConll("\nEU NNP B-NP B-ORG\r\nrejects\tVBZ B-VP O\n\n\n#  #\n1   CD\n  \n$ $\n", "c.conll");
        Assert.Equal(3, corpus.Sentences.Count);
        Assert.Equal(5, corpus.TokenCount);
        Assert.Equal(["EU", "rejects"], corpus.Sentences[0].Tokens);
        Assert.Equal(["B-ORG", "O"], corpus.Sentences[0].Tags!);
        Assert.Equal(["#", "1"], corpus.Sentences[1].Tokens);
        Assert.Equal(["#", "CD"], corpus.Sentences[1].Tags!);
        Assert.Equal([2, 6, 9], corpus.Sentences.Select(s => s.Line));
        Assert.True(corpus.IsTagged);
    }

    [Fact]
    public void RawTextIsOneSentencePerLineAndSkipsBlankLines()
    {
        var corpus = TaggedCorpus.ParseText("The dog  barks .\n\n\tIt\tran\r\n", "t.txt");
        Assert.Equal([["The", "dog", "barks", "."], ["It", "ran"]], corpus.Sentences.Select(s => s.Tokens.ToArray()));
        Assert.Equal([1, 3], corpus.Sentences.Select(s => s.Line));
        Assert.False(corpus.IsTagged);
    }

    [Fact]
    public void ErrorsNameTheFileAndLine()
    {
        var noTag = Assert.Throws<DataFormatException>(() => TaggedCorpus.ParseConll("a b\n\nc d\ne\n", "x.conll"));
        Assert.Equal("x.conll:4: 'e' has no tag; each line holds a token and its tag separated by whitespace, and a blank line ends a sentence", noTag.Message);
        Assert.Equal((4, 0), (noTag.Line, noTag.Column));
        Assert.Equal("y.txt: empty file: expected one sentence per line, tokens separated by spaces",
            Assert.Throws<DataFormatException>(() => TaggedCorpus.ParseText(" \n", "y.txt")).Message);
    }

    [Fact]
    public void ATruncatedUtf8CharacterAtTheEndIsNamed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"carnet-{Guid.NewGuid():N}.conll");
        try
        {
            File.WriteAllBytes(path, [(byte)'a', (byte)' ', (byte)'b', (byte)'\n', (byte)'c', 0xC3]);
            var error = Assert.Throws<DataFormatException>(() => TaggedCorpus.ReadConll(path));
            Assert.Equal($"{path}:2:2: not valid UTF-8 text (byte 0xC3 at byte offset 5); save the file as UTF-8", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
