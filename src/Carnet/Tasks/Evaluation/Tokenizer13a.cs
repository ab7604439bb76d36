using System.Text.RegularExpressions;

namespace Carnet.Tasks.Evaluation;

/// <summary>
/// The '13a' tokenizer of sacreBLEU 2.x (<c>tokenizer_13a.py</c> with <c>tokenizer_re.py</c>), which reproduces the
/// tokenization of WMT's <c>mteval-v13a.pl</c>: the default tokenizer of <see cref="TranslationMetrics.Bleu"/>.
/// </summary>
public static partial class Tokenizer13a
{
    /// <summary>
    /// Tokenizes one segment. First the language-independent part: <c>&lt;skipped&gt;</c> is removed, a hyphen before a line
    /// break joins the lines, other line breaks become spaces, and <c>&amp;quot;</c>, <c>&amp;amp;</c>, <c>&amp;lt;</c>,
    /// <c>&amp;gt;</c> are unescaped in that order. Then, on the segment padded with a space at each end, four rules:
    /// the ASCII symbols (every printable ASCII character but letters, digits, the apostrophe, the comma, the hyphen and the
    /// period) are spaced out; a period or comma is split from a preceding non-digit, and from a following non-digit; a
    /// hyphen after a digit is spaced out. Finally runs of white space become one space and the ends are trimmed.
    /// </summary>
    /// <param name="line">The detokenized segment.</param>
    /// <returns>The tokens separated by single spaces.</returns>
    public static string Tokenize(string line)
    {
        line = line.Replace("<skipped>", "", StringComparison.Ordinal)
            .Replace("-\n", "", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal);
        if (line.Contains('&'))
        {
            line = line.Replace("&quot;", "\"", StringComparison.Ordinal)
                .Replace("&amp;", "&", StringComparison.Ordinal)
                .Replace("&lt;", "<", StringComparison.Ordinal)
                .Replace("&gt;", ">", StringComparison.Ordinal);
        }

        line = Symbol().Replace(" " + line + " ", " $1 ");
        line = PeriodOrCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodOrCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = HyphenAfterDigit().Replace(line, "$1 $2 ");
        return string.Join(' ', PythonText.Split(line));
    }

    /// <summary>mteval's <c>[\{-\~\[-\` -\&amp;\(-\+\:-\@\/]</c>: { | } ~, [ \ ] ^ _ `, space ! " # $ % &amp;, ( ) * +, : ; &lt; = &gt; ? @ and /.</summary>
    [GeneratedRegex(@"([\x7B-\x7E\x5B-\x60\x20-\x26\x28-\x2B\x3A-\x40/])", RegexOptions.CultureInvariant)]
    private static partial Regex Symbol();

    [GeneratedRegex(@"([^0-9])([.,])", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodOrCommaAfterNonDigit();

    [GeneratedRegex(@"([.,])([^0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodOrCommaBeforeNonDigit();

    [GeneratedRegex(@"([0-9])(-)", RegexOptions.CultureInvariant)]
    private static partial Regex HyphenAfterDigit();
}
