using System.Text;

namespace Carnet.Tasks.Translation;

/// <summary>
/// Cuts a sentence into tokens and joins tokens back into text. Every tokenizer first normalises the text
/// (<see cref="TokenText.Normalize"/>: runs of white space become one space, the ends are trimmed, and the text is
/// lower-cased when <see cref="Lowercase"/>), and is reversible on normalised text:
/// <c>Detokenize(Tokenize(s)) == TokenText.Normalize(s, Lowercase)</c>.
/// </summary>
public interface ITokenizer
{
    /// <summary>The name a model file records: <c>words</c>, <c>characters</c> or <c>bpe</c>.</summary>
    string Kind { get; }

    /// <summary>Whether text is lower-cased (invariant culture) before it is cut; off unless asked for.</summary>
    bool Lowercase { get; }

    /// <summary>The tokens of <paramref name="text"/> (none for text that is empty or only white space).</summary>
    string[] Tokenize(string text);

    /// <summary>The text the tokens spell, spaced as the tokens record.</summary>
    string Detokenize(IReadOnlyList<string> tokens);
}

/// <summary>The normalisation every tokenizer applies before cutting text.</summary>
public static class TokenText
{
    /// <summary>
    /// The text with every run of white space (any <see cref="char.IsWhiteSpace(char)"/> character: tabs, line breaks,
    /// no-break spaces) replaced by one space, no space at either end, and lower-cased (invariant culture) when asked.
    /// </summary>
    public static string Normalize(string text, bool lowercase)
    {
        var normal = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = normal.Length > 0;
                continue;
            }

            if (space)
            {
                normal.Append(' ');
                space = false;
            }

            normal.Append(c);
        }

        return lowercase ? normal.ToString().ToLowerInvariant() : normal.ToString();
    }
}
