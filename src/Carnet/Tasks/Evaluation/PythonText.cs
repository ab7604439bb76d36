using System.Globalization;

namespace Carnet.Tasks.Evaluation;

/// <summary>
/// The few operations of Python 3's <c>str</c> that sacreBLEU's scores depend on, with Python's rules where .NET's differ:
/// white space as <c>str.split()</c> and <c>str.rstrip()</c> see it, <c>str.lower()</c>'s full mappings, and indexing by
/// code point rather than by UTF-16 unit.
/// </summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c>: .NET's white space plus the information separators U+001C–U+001F.</summary>
    public static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    /// <summary>Python's <c>text.split()</c>: the runs of non-white-space characters.</summary>
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool space = i == text.Length || IsWhiteSpace(text[i]);
            if (space && start >= 0)
            {
                words.Add(text[start..i]);
                start = -1;
            }
            else if (!space && start < 0)
            {
                start = i;
            }
        }

        return words;
    }

    /// <summary>Python's <c>text.rstrip()</c>.</summary>
    public static string TrimEnd(string text)
    {
        int end = text.Length;
        while (end > 0 && IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }

    /// <summary>Python's <c>''.join(text.split())</c>: the text without any white space.</summary>
    public static string RemoveWhiteSpace(string text) => string.Concat(Split(text));

    /// <summary>
    /// Python's <c>text.lower()</c>: the invariant simple mapping, except that U+0130 (İ) becomes "i" + U+0307 (Unicode's one
    /// unconditional multi-character lower case) and a capital sigma ending a word becomes ς (Unicode's Final_Sigma rule).
    /// </summary>
    public static string Lower(string text)
    {
        string lowered = text.ToLowerInvariant();
        if (!text.Contains('\u0130') && !text.Contains('\u03A3'))
        {
            return lowered;
        }

        var builder = new System.Text.StringBuilder(text.Length + 4);
        for (int i = 0; i < text.Length; i++)
        {
            builder.Append(text[i] switch
            {
                '\u0130' => "i\u0307",
                '\u03A3' => IsFinalSigma(text, i) ? "\u03C2" : "\u03C3",
                _ => lowered[i].ToString(),
            });
        }

        return builder.ToString();
    }

    /// <summary>
    /// The UTF-16 index at which each code point of <paramref name="text"/> starts, then <c>text.Length</c>: code point k is
    /// <c>text[starts[k]..starts[k + 1]]</c>, as Python's <c>text[k]</c>.
    /// </summary>
    public static int[] CodePointStarts(string text)
    {
        var starts = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            starts.Add(i);
        }

        starts.Add(text.Length);
        return [.. starts];
    }

    /// <summary>
    /// Python's <c>handle_capital_sigma</c>: the sigma at <paramref name="index"/> follows a cased letter and precedes none,
    /// skipping case-ignorable characters on both sides.
    /// </summary>
    private static bool IsFinalSigma(string text, int index)
    {
        int before = index - 1;
        while (before >= 0 && IsCaseIgnorable(text[before]))
        {
            before--;
        }

        if (before < 0 || !IsCased(text[before]))
        {
            return false;
        }

        int after = index + 1;
        while (after < text.Length && IsCaseIgnorable(text[after]))
        {
            after++;
        }

        return after == text.Length || !IsCased(text[after]);
    }

    /// <summary>
    /// Unicode's Cased property: upper, lower and title case letters, and the characters of Other_Uppercase and
    /// Other_Lowercase that are not modifier letters (ª, º, the Roman numerals, the circled Latin letters).
    /// </summary>
    private static bool IsCased(char c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter => true,
        _ => c is '\u00AA' or '\u00BA' or (>= '\u2160' and <= '\u217F') or (>= '\u24B6' and <= '\u24E9'),
    };

    /// <summary>
    /// Unicode's Case_Ignorable property: the categories Mn, Me, Cf, Lm and Sk, and the characters whose Word_Break is
    /// MidLetter, MidNumLet or Single_Quote.
    /// </summary>
    private static bool IsCaseIgnorable(char c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol => true,
        _ => "'.:\u00B7\u0387\u055F\u05F4\u2018\u2019\u2024\u2027\uFE13\uFE52\uFE55\uFF07\uFF0E\uFF1A".Contains(c),
    };
}
