using Carnet.Tasks.Evaluation;

namespace Carnet.Tests.Translation;

/// <summary>
/// The 13a tokenizer, worked by hand from the rules of sacreBLEU's <c>tokenizer_13a.py</c> and <c>tokenizer_re.py</c>
/// (sacreBLEU publishes no tokenizer cases of its own), and the Python <c>str</c> behaviour the metrics rely on.
/// </summary>
public sealed class TranslationTextTests
{
    [Theory]
    // a final period is split from the word; the apostrophe is not one of the symbols
    [InlineData("The dog bit the man.", "The dog bit the man .")]
    [InlineData("It wasn't surprising.", "It wasn't surprising .")]
    // periods and commas stay inside numbers; a comma before a space splits; a hyphen after a digit splits; brackets split
    [InlineData("3.14, 1,000 and 5-6 (approx.)", "3.14 , 1,000 and 5 - 6 ( approx . )")]
    // a hyphen between letters stays; the symbols : $ ! are spaced out
    [InlineData("well-known price: $5.00!", "well-known price : $ 5.00 !")]
    // the entities are unescaped in order before the rules: &amp;lt; becomes < (&amp; goes before &lt;), &amp;quot; stays &quot;
    [InlineData("&quot;Hi&quot; &amp; &lt;b&gt; &amp;lt; &amp;quot;", "\" Hi \" & < b > < & quot ;")]
    // <skipped> goes, a hyphen before a line break joins, other line breaks and runs of spaces become one space
    [InlineData("<skipped>end-\nof  line\nnext", "endof line next")]
    // every period of an abbreviation is split
    [InlineData("e.g. U.S.A.", "e . g . U . S . A .")]
    [InlineData("", "")]
    public void Tokenizer13aFollowsTheMtevalRules(string line, string expected) => Assert.Equal(expected, Tokenizer13a.Tokenize(line));

    [Fact]
    public void PythonWhiteSpaceIncludesTheInformationSeparators()
    {
        // Python: 'a\x1cb\u00a0c\u3000d '.split() == ['a', 'b', 'c', 'd'] and 'x \x1f'.rstrip() == 'x'
        Assert.Equal(["a", "b", "c", "d"], PythonText.Split("a\u001Cb\u00A0c\u3000d "));
        Assert.Equal("x", PythonText.TrimEnd("x \u001F"));
        Assert.Equal("abc", PythonText.RemoveWhiteSpace(" a\tb\nc "));
    }

    [Fact]
    public void PythonLowerUsesTheFullAndFinalSigmaMappings()
    {
        // Python: 'ΟΔΟΣ ΣΑΣ'.lower() == 'οδος σας' (final sigma at a word's end only) and 'İ'.lower() == 'i̇' (two code points)
        Assert.Equal("οδος σας", PythonText.Lower("ΟΔΟΣ ΣΑΣ"));
        Assert.Equal("i\u0307stanbul", PythonText.Lower("\u0130STANBUL"));
        Assert.Equal("Σ".ToLowerInvariant(), PythonText.Lower("Σ"));
    }

    [Fact]
    public void CodePointsCountAsOneCharacter()
    {
        // "a😀b" is three characters for Python and for chrF, four UTF-16 units for .NET
        Assert.Equal([0, 1, 3, 4], PythonText.CodePointStarts("a\U0001F600b"));
    }
}
