using Carnet.Tasks.Text.Music;

namespace Carnet.Tests.Music;

/// <summary>The ABC checker: well-formed tunes pass with their bars counted; each kind of problem is named with tune, bar and line.</summary>
public sealed class AbcCheckerTests
{
    private static AbcVerdict Check(string body, string meter = "6/8", string unit = "1/8", string key = "G")
        => AbcChecker.Check(new AbcTune { Source = "t.abc", Line = 1, Meter = meter, UnitLength = unit, Key = key, Body = body, BodyLine = 5 });

    [Fact]
    public void TheTestTunesAreWellFormed()
    {
        var verdicts = AbcBook.Parse(TestTunes.Jig + "\n\n" + TestTunes.Reel + "\n\n" + TestTunes.Book(), "book.abc").Select(AbcChecker.Check).ToList();

        Assert.All(verdicts, v => Assert.True(v.IsValid, string.Join("\n", v.Lines())));
        Assert.Equal((10, 45), (verdicts[0].Bars, verdicts[0].Notes)); // the pickup, 5 bars of part A with both endings, 4 of part B
        Assert.Equal((4, 26), (verdicts[1].Bars, verdicts[1].Notes)); // the chord [DA] counts once
    }

    [Theory]
    [InlineData("(3ABc d2|", "2/4", "1/8")] // a triplet of eighths takes a quarter
    [InlineData("A>B c<d|", "2/4", "1/8")] // dotted pairs
    [InlineData("A>>B c2|", "2/4", "1/8")] // 7/32 + 1/32 + 1/4
    [InlineData("A/B/ c/d/ e2|", "2/4", "1/8")]
    [InlineData("A//B//c/ d3/ e3/|", "2/4", "1/8")]
    [InlineData("[CEG]2 z2|", "2/4", "1/8")]
    [InlineData("C4 D4|", "C", "1/8")]
    [InlineData("C4 D4|", "C|", "1/8")]
    [InlineData("AB|", "2/4", "1/4")]
    [InlineData("A B c d|", "none", "1/8")]
    [InlineData("(3:2:3ABc d2|", "2/4", "1/8")]
    public void BarsAddUpThroughEveryLengthSyntax(string body, string meter, string unit)
    {
        string tune = $"{body}{body}{body}"; // the middle bar may not be short
        var verdict = Check(tune, meter, unit);
        Assert.True(verdict.IsValid, string.Join("\n", verdict.Lines()));
        Assert.Equal(3, verdict.Bars);
    }

    [Fact]
    public void DurationsThatNoLongerAddUpExactlyAreAProblemAtTheirNote()
    {
        // lengths over six primes near 4096: the bar's sum needs a denominator past 2^63 at the sixth note (a fuzzing find)
        var verdict = Check("A/4093 A/4091 A/4079 A/4073 A/4057 A/4051 A/4049|", meter: "none");
        Assert.Equal(["X:1 (t.abc:1), bar 1 (line 5, column 36): the durations no longer add up exactly: lengths divided too finely (such as /4093 then /4091) or too long"],
            verdict.Lines());
        Assert.True(Check("A/4093 A/4091 A/4079 A/4073 A/4057|", meter: "none").IsValid); // five still add up, over 9.03e18
    }

    [Fact]
    public void ABarTooLongIsNamedWithItsNumberAndLine()
    {
        var verdict = Check("GAB dBG|A2B AFDE|GAB c2e|\ndBA G3|]");
        Assert.Equal(["X:1 (t.abc:1), bar 2 (line 5): the bar lasts 7/8 of a whole note, more than the 3/4 of M:6/8"], verdict.Lines());
    }

    [Fact]
    public void AShortBarInsideAPartIsAProblemButPickupsAndPartEndsAreNot()
    {
        Assert.True(Check("D|GAB dBG|A2B AFD|GAB c2e|dBA G2:|\n|:D|GAB dBG|dBA G2:|\nP:B\nd|gfg afd|g3 g2|]").IsValid);
        var verdict = Check("GAB dBG|A2B AF|GAB c2e|dBA G3|]");
        Assert.Equal(["X:1 (t.abc:1), bar 2 (line 5): the bar lasts 5/8 of a whole note, less than the 3/4 of M:6/8"], verdict.Lines());
    }

    [Fact]
    public void EveryRepeatOpenedIsClosedBeforeTheNextOpens()
    {
        Assert.True(Check("|:GAB dBG|A2B AFD:||:GAB dBG|dBA G3:|").IsValid);
        Assert.True(Check("|: || |:GAB dBG|A2B AFD:|").IsValid); // a repeat holding no music, as some collections write
        Assert.Equal(["X:1 (t.abc:1), bar 3 (line 5, column 18): a second |: while the repeat opened at line 5, column 1 is not closed by :|"],
            Check("|:GAB dBG|A2B AFD||:GAB dBG|dBA G3:|").Lines());
        Assert.Equal(["X:1 (t.abc:1) (line 5, column 1): the repeat opened by this |: is never closed by :|"], Check("|:GAB dBG|A2B AFD|").Lines());
    }

    [Fact]
    public void EachVariantEndingFollowsTheOneBefore()
    {
        Assert.True(Check("|:GAB dBG|1A2B AFD:|2dBA G3||\n|:GAB dBG|[1A2B AFD:|[2dBA G3|]").IsValid);
        Assert.Equal(["X:1 (t.abc:1), bar 3 (line 6, column 1): the variant ending 2 does not follow an ending 1"], Check("|:GAB dBG|A2B AFD:|\n[2dBA G3||").Lines());
    }

    [Fact]
    public void AMeterChangeInTheBodyChangesTheBar()
    {
        Assert.True(Check("GAB dBG|A2B AFD|\nM:2/4\nGABc|dBAG|]").IsValid);
        Assert.False(Check("GAB dBG|A2B AFD|\nM:2/4\nGAB dBG|dBAG|]").IsValid);
    }

    [Theory]
    [InlineData("GAB dBG|A2B AF&D|", "X:1 (t.abc:1) (line 5, column 15): '&' is not ABC music this checker reads")]
    [InlineData("GAB \"D dBG|", "X:1 (t.abc:1) (line 5, column 5): a chord symbol or annotation in quotes is not closed")]
    [InlineData("GAB [dBG|", "X:1 (t.abc:1) (line 5, column 9): '|' inside a chord")]
    [InlineData("GAB dBG|A0B AFD|", "X:1 (t.abc:1) (line 5, column 10): a length of 0")]
    [InlineData(">AB dBG|", "X:1 (t.abc:1), bar 1 (line 5, column 1): broken rhythm ('>' or '<') needs a note before it in the bar")]
    [InlineData("z6|", "X:1: the tune has no notes")]
    public void UnreadableMusicIsNamedWithLineAndColumn(string body, string line)
    {
        var verdict = Check(body);
        Assert.Contains(line.Replace("X:1: ", "X:1 (t.abc:1): ", StringComparison.Ordinal), verdict.Lines());
    }

    [Theory]
    [InlineData("M", "7/0", "M:7/0 is not a meter such as 6/8, C or none")]
    [InlineData("L", "eighth", "L:eighth is not a length such as 1/8")]
    [InlineData("K", "H minor", "K:H minor is not a key such as G, Ador or Bb")]
    public void HeaderFieldsThatAreNotMusicAreProblems(string field, string value, string message)
    {
        var verdict = field switch
        {
            "M" => Check("GAB dBG|", meter: value),
            "L" => Check("GAB dBG|", unit: value),
            _ => Check("GAB dBG|", key: value),
        };
        Assert.Equal([$"X:1 (t.abc:1), bar 1: {message}"], verdict.Lines());
    }

    [Fact]
    public void AGeneratedTuneIsNamedByItsNumberOnly()
    {
        var tune = new AbcTune { Source = "generated", Number = 3, Meter = "6/8", UnitLength = "1/8", Key = "G", Body = "GAB dBG|GAB dB|GAB dBG|G3|]", BodyLine = 5 };
        Assert.Equal(["X:3, bar 2 (line 5): the bar lasts 5/8 of a whole note, less than the 3/4 of M:6/8"], AbcChecker.Check(tune).Lines());
    }
}
