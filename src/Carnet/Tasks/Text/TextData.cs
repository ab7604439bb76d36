using System.Globalization;
using Carnet.Tasks.Data;

namespace Carnet.Tasks.Text;

/// <summary>
/// A text to learn from, read strictly as UTF-8 (a byte-order mark is dropped; invalid bytes are an error naming the
/// file, line and column), as characters (Unicode scalar values; see <see cref="CharacterVocabulary"/>). Line breaks
/// are characters like any other and are kept as they are (CRLF is two characters).
/// </summary>
public sealed class TextData
{
    private TextData(string source, string text, CharacterVocabulary vocabulary, int[] ids)
    {
        Source = source;
        Text = text;
        Vocabulary = vocabulary;
        Ids = ids;
    }

    /// <summary>The file path, or the name given to <see cref="FromText"/>.</summary>
    public string Source { get; }

    /// <summary>The whole text.</summary>
    public string Text { get; }

    /// <summary>Every character of the text.</summary>
    public CharacterVocabulary Vocabulary { get; }

    /// <summary>The text's character ids (N).</summary>
    public IReadOnlyList<int> Ids { get; }

    /// <summary>N, the number of characters.</summary>
    public int Length => Ids.Count;

    /// <summary>Reads a UTF-8 file.</summary>
    /// <exception cref="DataFormatException">The file is missing, not UTF-8, or empty.</exception>
    public static TextData Read(string path) => FromText(Utf8File.Read(path), path);

    /// <summary>Wraps a text; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="DataFormatException">The text is empty.</exception>
    public static TextData FromText(string text, string source)
    {
        if (text.Length == 0)
        {
            throw new DataFormatException(source, 0, 0, "empty file: there is no text to learn from");
        }

        var vocabulary = CharacterVocabulary.FromText(text);
        return new TextData(source, text, vocabulary, vocabulary.Encode(text));
    }

    /// <summary>
    /// Splits the text: the last <paramref name="validationFraction"/> of its characters (rounded) are held out, the
    /// rest before them is for training. Either part must hold at least <paramref name="minimumTraining"/> and
    /// <paramref name="minimumValidation"/> characters.
    /// </summary>
    /// <exception cref="ArgumentException">The fraction is outside [0, 1) or a part would be too short.</exception>
    public (int[] Training, int[] Validation) Split(double validationFraction, int minimumTraining, int minimumValidation)
    {
        if (validationFraction is < 0 or >= 1 || double.IsNaN(validationFraction))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the validation fraction is {validationFraction}; it must be at least 0 and below 1"));
        }

        int held = validationFraction == 0 ? 0 : Math.Max(minimumValidation, (int)Math.Round(Length * validationFraction));
        if (Length - held < minimumTraining)
        {
            string heldOut = held > 0 ? $", with {held} more held out for validation" : "";
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Source}: {Length} characters are too few: training needs at least {minimumTraining}{heldOut}; " +
                    $"give a longer text, or a smaller --batch-size, --seq-length or --validation"));
        }

        int[] all = [.. Ids];
        return (all[..(Length - held)], all[(Length - held)..]);
    }
}
