using System.Xml.Linq;
using Carnet.Cli.Reporting;

namespace Carnet.Tests.Reporting;

/// <summary>Escaping and number formatting shared by the page and the charts.</summary>
public sealed class MarkupTests
{
    [Fact]
    public void EscapesMarkupCharacters()
    {
        Assert.Equal("a&lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", Markup.Escape("a<b> & \"c\" 'd'"));
        Assert.Equal(string.Empty, Markup.Escape(null));
    }

    [Fact]
    public void CharactersXmlForbidsAreReplacedSoTheResultParses()
    {
        string text = "bell\u0007 nul\0 lone\uD800 pair\uD83D\uDE00 tab\t";
        string escaped = Markup.Escape(text);
        var element = XElement.Parse($"<t a=\"{escaped}\">{escaped}</t>");
        Assert.Equal("bell\uFFFD nul\uFFFD lone\uFFFD pair\uD83D\uDE00 tab\t", element.Value);
    }

    [Theory]
    [InlineData(12.5, "12.5")]
    [InlineData(3.0, "3")]
    [InlineData(2.999, "3")]
    [InlineData(-0.001, "0")]
    [InlineData(-7.25, "-7.25")]
    [InlineData(1234567.891, "1234567.89")]
    public void CoordinatesHaveAtMostTwoDecimals(double value, string expected) => Assert.Equal(expected, Markup.Coordinate(value));

    [Theory]
    [InlineData(0.12345, "0.123")]
    [InlineData(12.345, "12.3")]
    [InlineData(1234.6, "1235")]
    [InlineData(0.5, "0.5")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(0.0, "0")]
    [InlineData(1.2e-7, "1.2E-07")]
    public void SignificantDigits(double value, string expected) => Assert.Equal(expected, Markup.Significant(value, 3));

    [Fact]
    public void IntegerDetectionIgnoresNonFiniteValues()
    {
        Assert.True(Markup.AllIntegers([0, 3, -12, double.NaN]));
        Assert.False(Markup.AllIntegers([0, 3, 0.5]));
    }
}
