using Carnet.IO;
using Carnet.Tasks.Data;
using Carnet.Tasks.Translation;

namespace Carnet.Tests.Translation;

/// <summary>Sentence pairs from tab- and comma-separated files: columns, quoting, every error by file, line and column, the split.</summary>
public sealed class TranslationPairsTests
{
    internal static string Tatoeba => Path.Combine(AppContext.BaseDirectory, "data", "eng_fra_tatoeba_5000.tsv");

    [Fact]
    public void ReadsTheTatoebaFileByDefaultColumns()
    {
        var pairs = TranslationPairs.Read(Tatoeba);
        Assert.Equal(("english", "french"), (pairs.SourceColumn, pairs.TargetColumn));
        Assert.Equal(5000, pairs.Pairs.Count);
        Assert.Equal(new SentencePair("Go.", "Va !", 2), pairs.Pairs[0]);
        Assert.Equal(new SentencePair("Hi.", "Salut !", 5), pairs.Pairs[3]);
        Assert.Equal(5001, pairs.Pairs[^1].Line);
    }

    [Fact]
    public void PicksColumnsByNameInEitherOrder()
    {
        var pairs = TranslationPairs.Parse("attribution\tenglish\tfrench\nCC\tGo.\tVa !\n", "t.tsv", sourceColumn: "french", targetColumn: "english");
        Assert.Equal([new SentencePair("Va !", "Go.", 2)], pairs.Pairs);
        Assert.Equal(("french", "english"), (pairs.SourceColumn, pairs.TargetColumn));
    }

    [Fact]
    public void CommaSeparatedFieldsFollowRfc4180Quoting()
    {
        var pairs = TranslationPairs.Parse("letters,phonemes\r\n\"h e l l o\",HH AH0 L OW1\r\n\"a, b\",\"say \"\"b\"\"\"\r\n", "cmu.csv");
        Assert.Equal([new SentencePair("h e l l o", "HH AH0 L OW1", 2), new SentencePair("a, b", "say \"b\"", 3)], pairs.Pairs);
    }

    [Fact]
    public void TabSeparatedFieldsTakeQuotesAndCommasLiterally()
    {
        var pairs = TranslationPairs.Parse("en\tfr\n\"Hi,\" he said.\t« Salut », dit-il.\n", "t.tsv");
        Assert.Equal([new SentencePair("\"Hi,\" he said.", "« Salut », dit-il.", 2)], pairs.Pairs);
    }

    [Theory]
    [InlineData("", null, null, "t.tsv: empty file: expected a header row")]
    [InlineData("english\tfrench\n", null, null, "t.tsv:2: the file has a header but no sentence pairs; expected one pair per line after it")]
    [InlineData("\n\nenglish\tfrench\n\n", null, null, "t.tsv:4: the file has a header but no sentence pairs; expected one pair per line after it")]
    [InlineData("english\tfrench\nGo.\tVa !\nHi.\n", null, null, "t.tsv:3:2: row has 1 fields, the header has 2")]
    [InlineData("english\tfrench\nGo.\t  \n", null, null, "t.tsv:2:2: the 'french' cell is empty; expected a sentence")]
    [InlineData("english\tfrench\nGo.\tVa !\n\tSalut !\n", null, null, "t.tsv:3:1: the 'english' cell is empty; expected a sentence")]
    [InlineData("english\tfrench\tattribution\nGo.\tVa !\tCC\n", "german", null, "t.tsv:1: no column 'german'; the columns are english, french, attribution")]
    [InlineData("english\tfrench\nGo.\tVa !\n", null, "german", "t.tsv:1: no column 'german'; the columns are english, french")]
    [InlineData("english;french\nGo.;Va !\n", null, null,
        "t.tsv:1:2: the header has 1 column; expected a source and a target column (is the file tab- or comma-separated?)")]
    [InlineData("english\tfrench\nGo.\tVa !\n", "french", null, "t.tsv:1:2: the source and target columns are both 'french'; expected two different columns")]
    [InlineData("english,french\n\"Go.,Va !\n", null, null, "t.tsv:2:1: a quoted field is not closed")]
    public void BadInputIsNamedByFileLineAndColumn(string text, string? source, string? target, string message)
    {
        var error = Assert.Throws<DataFormatException>(() => TranslationPairs.Parse(text, "t.tsv", source, target));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void InvalidUtf8AndMissingFilesAreReported()
    {
        string path = Path.Combine(Path.GetTempPath(), $"carnet-{Guid.NewGuid():N}.tsv");
        File.WriteAllBytes(path, [.. "en\tfr\nGo.\tVa"u8, 0xC3, 0x28, (byte)'\n']);
        try
        {
            Assert.Equal($"{path}:2:7: not valid UTF-8 text (byte 0xC3 at byte offset 12); save the file as UTF-8",
                Assert.Throws<DataFormatException>(() => TranslationPairs.Read(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Equal("missing.tsv: file not found", Assert.Throws<InputFileException>(() => TranslationPairs.Read("missing.tsv")).Message);
    }

    [Fact]
    public void SplitIsSeededAndKeepsFileOrder()
    {
        var pairs = TranslationPairs.Parse("a\tb\n1\tx\n2\tx\n3\tx\n4\tx\n5\tx\n6\tx\n7\tx\n8\tx\n9\tx\n10\tx\n", "t.tsv");
        var (training, heldOut) = pairs.Split(0.3, new RandomSource(1));
        var (again, heldOutAgain) = pairs.Split(0.3, new RandomSource(1));
        Assert.Equal(["1", "4", "9"], heldOut.Select(p => p.Source));
        Assert.Equal(["2", "3", "5", "6", "7", "8", "10"], training.Select(p => p.Source));
        Assert.Equal(training, again);
        Assert.Equal(heldOut, heldOutAgain);
        Assert.NotEqual(heldOut.Select(p => p.Source), pairs.Split(0.3, new RandomSource(2)).HeldOut.Select(p => p.Source));
    }

    [Fact]
    public void SplitKeepsEveryTranslationOfASourceSentenceTogether()
    {
        var pairs = TranslationPairs.Read(Tatoeba);
        var (training, heldOut) = pairs.Split(0.1, new RandomSource(7));
        var heldOutSources = heldOut.Select(p => p.Source).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(5000, training.Count + heldOut.Count);
        Assert.InRange(heldOut.Count, 500, 520);
        Assert.DoesNotContain(training, p => heldOutSources.Contains(p.Source));
        Assert.Equal(pairs.Pairs.Select(p => p.Line), training.Concat(heldOut).Select(p => p.Line).Order());
        Assert.True(training.Zip(training.Skip(1)).All(p => p.First.Line < p.Second.Line));
        Assert.Equal(heldOut.Select(p => p.Line), pairs.Split(0.1, new RandomSource(7)).HeldOut.Select(p => p.Line));
    }

    [Fact]
    public void SplitFractionIsChecked()
    {
        var pairs = TranslationPairs.Parse("a\tb\n1\tx\n2\tx\n", "t.tsv");
        Assert.Empty(pairs.Split(0, new RandomSource(1)).HeldOut);
        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.Split(1, new RandomSource(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.Split(double.NaN, new RandomSource(1)));
        Assert.Throws<ArgumentException>(() => TranslationPairs.Parse("a\tb\n1\tx\n1\ty\n", "t.tsv").Split(0.5, new RandomSource(1)));
    }
}
