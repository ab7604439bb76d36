using System.Text;

namespace Carnet.Tasks.Translation;

/// <summary>
/// Cuts text into characters (Unicode scalar values, as <see cref="Rune"/> counts them), a space being the visible
/// token <see cref="Space"/> (U+2581, as in SentencePiece), so <see cref="Detokenize"/> gives the normalised text back.
/// Text that holds U+2581 itself comes back with a space there.
/// </summary>
public sealed class CharacterTokenizer : ITokenizer
{
    /// <summary>The kind name a model file records.</summary>
    public const string KindName = "characters";

    /// <summary>The token that stands for a space.</summary>
    public const string Space = "\u2581";

    /// <summary>Creates the tokenizer.</summary>
    public CharacterTokenizer(bool lowercase = false) => Lowercase = lowercase;

    /// <inheritdoc/>
    public string Kind => KindName;

    /// <inheritdoc/>
    public bool Lowercase { get; }

    /// <inheritdoc/>
    public string[] Tokenize(string text)
        => TokenText.Normalize(text, Lowercase).EnumerateRunes().Select(r => r.Value == ' ' ? Space : r.ToString()).ToArray();

    /// <summary>The characters joined, <see cref="Space"/> read as a space, white space then normalised (a decoder may emit two spaces in a row).</summary>
    public string Detokenize(IReadOnlyList<string> tokens) => TokenText.Normalize(string.Concat(tokens).Replace(Space, " "), lowercase: false);
}
