using System.Globalization;
using System.Text;

namespace Carnet.Tasks.Translation;

/// <summary>
/// Cuts text into words and punctuation, reversibly. A word is a run of letters, digits and combining marks; an apostrophe
/// (<c>'</c> or <c>’</c>) or a hyphen with a letter or digit on both sides stays inside it, so "don't", "l'homme",
/// "aujourd'hui" and "est-ce" are one token each. Every other character (punctuation, symbols, emoji) is a token of its own.
/// Where two tokens touched in the text (no space between them), the joiner <see cref="Joiner"/> (U+FFED, as in OpenNMT's
/// tokenizer) marks the side that is punctuation: "Hello, world!" gives <c>Hello ￭, world ￭!</c>, "(hi)" gives
/// <c>(￭ hi ￭)</c>, while French "Va !" gives <c>Va !</c>; so a word has the same token wherever it stands, and
/// <see cref="Detokenize"/> puts a space between two tokens unless a joiner says they touch. Text that holds the joiner
/// character itself does not come back unchanged.
/// </summary>
public sealed class WordTokenizer : ITokenizer
{
    /// <summary>The kind name a model file records.</summary>
    public const string KindName = "words";

    /// <summary>The mark on a token that touched its neighbour in the text: first when it touched the one before, last when the one after.</summary>
    public const char Joiner = '\uFFED';

    /// <summary>Creates the tokenizer.</summary>
    public WordTokenizer(bool lowercase = false) => Lowercase = lowercase;

    /// <inheritdoc/>
    public string Kind => KindName;

    /// <inheritdoc/>
    public bool Lowercase { get; }

    /// <inheritdoc/>
    public string[] Tokenize(string text)
    {
        string normal = TokenText.Normalize(text, Lowercase);
        var tokens = new List<string>();
        bool touching = false;
        for (int start = 0; start < normal.Length;)
        {
            if (normal[start] == ' ')
            {
                touching = false;
                start++;
                continue;
            }

            int end = WordEnd(normal, start);
            bool word = end > start;
            end = word ? end : start + RuneLength(normal, start);
            string token = normal[start..end];
            if (touching && word)
            {
                tokens[^1] += Joiner;
            }
            else if (touching)
            {
                token = Joiner + token;
            }

            tokens.Add(token);
            touching = true;
            start = end;
        }

        return tokens.ToArray();
    }

    /// <inheritdoc/>
    public string Detokenize(IReadOnlyList<string> tokens)
    {
        var text = new StringBuilder();
        bool touchNext = false;
        foreach (string token in tokens)
        {
            if (token.Length == 0)
            {
                continue;
            }

            int start = token[0] == Joiner ? 1 : 0;
            int end = token.Length > start && token[^1] == Joiner ? token.Length - 1 : token.Length;
            if (text.Length > 0 && !touchNext && start == 0)
            {
                text.Append(' ');
            }

            text.Append(token, start, end - start);
            touchNext = end < token.Length;
        }

        return text.ToString();
    }

    /// <summary>Whether a character belongs to words: a letter, a digit or a combining mark.</summary>
    public static bool IsWordCharacter(Rune character) => Rune.IsLetterOrDigit(character) || Rune.GetUnicodeCategory(character)
        is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    // the end of the word that starts at `start` (the connectors ' ’ - inside it), or `start` when no word starts there
    private static int WordEnd(string text, int start)
    {
        int end = start;
        while (end < text.Length)
        {
            if (IsWordCharacterAt(text, end))
            {
                end += RuneLength(text, end);
            }
            else if (end > start && IsConnector(text[end]) && end + 1 < text.Length && IsWordCharacterAt(text, end + 1))
            {
                end++;
            }
            else
            {
                break;
            }
        }

        return end;
    }

    private static bool IsConnector(char c) => c is '\'' or '\u2019' or '-' or '\u2010';

    private static bool IsWordCharacterAt(string text, int index)
        => Rune.TryGetRuneAt(text, index, out Rune character) && IsWordCharacter(character);

    private static int RuneLength(string text, int index) => Rune.TryGetRuneAt(text, index, out Rune character) ? character.Utf16SequenceLength : 1;
}
