using System.Globalization;
using System.Text;

namespace Carnet.Cli.Reporting;

/// <summary>Escaping and number formatting shared by the HTML page and the SVG charts (invariant culture throughout).</summary>
internal static class Markup
{
    /// <summary>The font stack of every chart and of the page.</summary>
    public const string FontStack = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

    /// <summary>
    /// The Okabe–Ito colour-blind-safe palette, darkest and most distinct first (yellow, hard to see on white, last).
    /// </summary>
    public static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

    /// <summary>
    /// Text escaped for XML and HTML content and attribute values: <c>&amp; &lt; &gt; &quot;</c> and the apostrophe become entities, and
    /// characters XML forbids (control characters, unpaired surrogates) become U+FFFD so the result always parses.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(text.Length + 16);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\'': builder.Append("&#39;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        builder.Append(c).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(c) || (c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is '\uFFFE' or '\uFFFF')
                    {
                        builder.Append('\uFFFD');
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>A coordinate with at most two decimals, no trailing zeros, no negative zero: <c>12.5</c>, <c>-3</c>, <c>0</c>.</summary>
    public static string Coordinate(double value) => (Math.Round(value, 2) + 0.0).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>An integer-valued number without decimals (<c>12</c>, <c>-3</c>).</summary>
    public static string Integer(double value) => (Math.Round(value) + 0.0).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>
    /// A number with about <paramref name="digits"/> significant digits and no trailing zeros: <c>0.123</c>, <c>12.3</c>,
    /// <c>1234</c> (large values keep their integer digits), <c>1.23E-07</c> for very small ones.
    /// </summary>
    public static string Significant(double value, int digits = 3)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "∞" : "−∞";
        }

        double magnitude = Math.Abs(value);
        if (magnitude == 0)
        {
            return "0";
        }

        if (magnitude < 1e-4 || magnitude >= 1e15)
        {
            string exponentFormat = "0." + new string('#', Math.Max(0, digits - 1)) + "E+00";
            return value.ToString(exponentFormat, CultureInfo.InvariantCulture);
        }

        int decimals = Math.Clamp(digits - 1 - (int)Math.Floor(Math.Log10(magnitude)), 0, 10);
        double rounded = Math.Round(value, decimals) + 0.0;
        string format = decimals == 0 ? "0" : "0." + new string('#', decimals);
        return rounded.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>Whether every finite value is a whole number small enough to print exactly.</summary>
    public static bool AllIntegers(IEnumerable<double> values)
    {
        foreach (double value in values)
        {
            if (double.IsFinite(value) && (value != Math.Round(value) || Math.Abs(value) >= 1e15))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A rough width in pixels of <paramref name="text"/> at <paramref name="fontSize"/> in a proportional sans-serif font.</summary>
    public static double TextWidth(string text, double fontSize) => text.Length * fontSize * 0.6;

    /// <summary><paramref name="text"/> cut to <paramref name="maximum"/> characters with an ellipsis when longer.</summary>
    public static string Truncate(string text, int maximum) => text.Length <= maximum ? text : string.Concat(text.AsSpan(0, maximum - 1), "…");
}
