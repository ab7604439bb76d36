using Carnet.Tasks.Data;
using Carnet.Tasks.Text.Music;

namespace Carnet.Tests.Music;

/// <summary>Reading ABC files into tunes: splitting at X:, the header fields kept, the body cleaned, and the errors that name file and line.</summary>
public sealed class AbcBookTests
{
    [Fact]
    public void TunesAreSplitAtTheirXFieldsWithTheFieldsAModelNeeds()
    {
        var tunes = AbcBook.Parse("Some notes before the first tune.\n\n" + TestTunes.Jig + "\n\n" + TestTunes.Reel + "\n", "book.abc");

        Assert.Equal(2, tunes.Count);
        var jig = tunes[0];
        Assert.Equal((7, 4, "Test Jig", "6/8", "1/8", "G", null), (jig.Number, jig.Line, jig.Title, jig.Meter, jig.UnitLength, jig.Key, jig.Rhythm));
        Assert.Equal(
            "P:A\nD|:\"G\"GAB dBG|\"D\"A2B AFD|\"G\"GAB \"C\"c2e|1\"D\"dBA G2D:|2\"D\"dBA G3||\nP:B\n|:\"G\"gfg \"D\"afd|\"G\"g2e dBG|\"C\"ceg \"D\"fdB|\"G\"G3 G3:|",
            jig.Body);
        Assert.Equal(8, jig.BodyLine);
        Assert.Equal("X:7 'Test Jig' (book.abc:4)", jig.Name);
        var reel = tunes[1];
        Assert.Equal(("reel", "4/4", "1/8", "D"), (reel.Rhythm, reel.Meter, reel.UnitLength, reel.Key)); // R: in lower case
        Assert.Equal("R:reel\nM:4/4\nL:1/8\nK:D\n|:(3DEF A>B AFDF|[DA]2 ^cd =cAG,A|d'2 fd ecAc|d2 d2 d4:|\n", reel.ToTrainingText());
    }

    [Theory]
    [InlineData("2/4", "1/16")]
    [InlineData("3/4", "1/8")]
    [InlineData("6/8", "1/8")]
    [InlineData("C", "1/8")]
    [InlineData("C|", "1/8")]
    public void AMissingUnitLengthIsAbcsDefaultForTheMeter(string meter, string unit)
        => Assert.Equal(unit, AbcBook.Parse($"X:1\nM:{meter}\nK:C\nCDEF|\n", "t.abc")[0].UnitLength);

    [Fact]
    public void ATunesAbcReadsBackToTheSameTrainingText()
    {
        var tunes = AbcBook.Parse(TestTunes.Jig + "\n\n" + TestTunes.Reel, "book.abc");
        var again = AbcBook.Parse(string.Join("\n", tunes.Select(t => t.ToAbc())), "again.abc");

        Assert.Equal(tunes.Select(t => t.ToTrainingText()), again.Select(t => t.ToTrainingText()));
        Assert.Equal(tunes.Select(t => t.Title), again.Select(t => t.Title));
    }

    [Theory]
    [InlineData("jigs.abc", "jig")]
    [InlineData("reelsa-c.abc", "reel")]
    [InlineData("hpps.abc", "hornpipe")]
    [InlineData("Slip.abc", "slip jig")]
    [InlineData("waltzes.abc", "waltz")]
    [InlineData("playford.abc", null)]
    public void AFileNameCanGiveTheRhythm(string name, string? rhythm) => Assert.Equal(rhythm, AbcBook.RhythmOfFileName(Path.Combine("data", name)));

    [Fact]
    public void ReadingAFolderTakesItsAbcFilesInNameOrderAndRhythmsFromTheirNames()
    {
        string folder = Directory.CreateTempSubdirectory("carnet-abc").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "reels.abc"), TestTunes.Reel.Replace("R:Reel\n", "", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(folder, "jigs.abc"), TestTunes.Jig);
            File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a tune");
            var tunes = AbcBook.Read(folder);
            Assert.Equal([("jig", 7), ("reel", 8)], tunes.Select(t => (t.Rhythm, t.Number)));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Theory]
    [InlineData("T:No number\nK:G\nABC|\n", "book.abc: no tune: expected an 'X:' line starting each tune")]
    [InlineData("X:1\nT:Keyless\nM:6/8\nABC|\n", "book.abc:1: tune X:1 has no 'K:' field; the key ends a tune's header, before its music")]
    [InlineData("% a tune\n\nX:2\nT:Cut\n\nK:G\nABC|\n", "book.abc:3: tune X:2 has no 'K:' field; the key ends a tune's header, before its music")]
    [InlineData("X:one\nK:G\nABC|\n", "book.abc:1: 'X:one' is not a tune number; X: takes a whole number")]
    public void BadBooksAreOneLineNamingFileAndLine(string text, string message)
        => Assert.Equal(message, Assert.Throws<DataFormatException>(() => AbcBook.Parse(text, "book.abc")).Message);
}
