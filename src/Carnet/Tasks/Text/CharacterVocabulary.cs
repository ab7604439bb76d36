using System.Globalization;
using System.Text;

namespace Carnet.Tasks.Text;

/// <summary>
/// The characters a character-level language model reads and writes, each with an id. A character is one Unicode
/// scalar value (a <see cref="Rune"/>: "é" precomposed is one, "e" + a combining accent is two, an emoji is one, a
/// flag or a family emoji is several), which is what Python's <c>list(text)</c> gives, so a PyTorch model trained
/// on the same file has the same vocabulary. Ids follow code point order, so the vocabulary of a text does not
/// depend on where its characters first appear.
/// </summary>
public sealed class CharacterVocabulary
{
    private readonly Rune[] characters; // (V): by id
    private readonly Dictionary<Rune, int> ids;

    /// <summary>Creates a vocabulary from distinct characters, which get ids in code point order.</summary>
    /// <exception cref="ArgumentException">There are no characters, or one appears twice.</exception>
    public CharacterVocabulary(IEnumerable<Rune> characters)
    {
        this.characters = characters.Order().ToArray();
        if (this.characters.Length == 0)
        {
            throw new ArgumentException("A vocabulary needs at least one character.", nameof(characters));
        }

        ids = new Dictionary<Rune, int>(this.characters.Length);
        for (int id = 0; id < this.characters.Length; id++)
        {
            if (!ids.TryAdd(this.characters[id], id))
            {
                throw new ArgumentException($"The character {Describe(this.characters[id])} appears twice.", nameof(characters));
            }
        }
    }

    /// <summary>V, the number of characters.</summary>
    public int Count => characters.Length;

    /// <summary>The characters by id, in code point order.</summary>
    public IReadOnlyList<Rune> Characters => characters;

    /// <summary>The vocabulary of every character in <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The text is empty.</exception>
    public static CharacterVocabulary FromText(string text) => new(text.EnumerateRunes().Distinct());

    /// <summary>Whether the character has an id.</summary>
    public bool Contains(Rune character) => ids.ContainsKey(character);

    /// <summary>The character's id.</summary>
    /// <exception cref="ArgumentException">The character is not in the vocabulary.</exception>
    public int IdOf(Rune character) => ids.TryGetValue(character, out int id)
        ? id
        : throw new ArgumentException($"the character {Describe(character)} is not in the model's vocabulary of {Count} characters");

    /// <summary>The character with the given id.</summary>
    public Rune this[int id] => characters[id];

    /// <summary>
    /// The ids of the text's characters, in order. An unknown character is an <see cref="ArgumentException"/> naming
    /// it and its position: "<paramref name="what"/> character N is ...".
    /// </summary>
    public int[] Encode(string text, string what = "the text")
    {
        var encoded = new List<int>(text.Length);
        foreach (Rune character in text.EnumerateRunes())
        {
            if (!ids.TryGetValue(character, out int id))
            {
                throw new ArgumentException(
                    $"{what} character {encoded.Count + 1} is {Describe(character)}, which is not in the model's vocabulary of {Count} characters");
            }

            encoded.Add(id);
        }

        return encoded.ToArray();
    }

    /// <summary>The text the ids spell.</summary>
    public string Decode(ReadOnlySpan<int> encoded)
    {
        var text = new StringBuilder(encoded.Length);
        foreach (int id in encoded)
        {
            text.Append(characters[id].ToString());
        }

        return text.ToString();
    }

    /// <summary>The characters as strings (one scalar value each), by id: the form a model file stores as a JSON array.</summary>
    public string[] ToStrings() => characters.Select(c => c.ToString()).ToArray();

    /// <summary>The vocabulary stored by <see cref="ToStrings"/>.</summary>
    /// <exception cref="ArgumentException">An entry is not exactly one scalar value, entries repeat, or they are not in code point order.</exception>
    public static CharacterVocabulary FromStrings(IReadOnlyList<string> entries)
    {
        var characters = new Rune[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            if (Rune.DecodeFromUtf16(entries[i], out characters[i], out int used) != System.Buffers.OperationStatus.Done || used != entries[i].Length)
            {
                throw new ArgumentException($"entry {i} is not exactly one Unicode character");
            }

            if (i > 0 && characters[i] <= characters[i - 1])
            {
                throw new ArgumentException($"entry {i} is out of code point order or repeated");
            }
        }

        return new CharacterVocabulary(characters);
    }

    /// <summary>A character as messages show it: the character in quotes, or its escape for a control or invisible one, and its code point.</summary>
    public static string Describe(Rune character)
    {
        string code = "U+" + character.Value.ToString("X4", CultureInfo.InvariantCulture);
        var category = Rune.GetUnicodeCategory(character);
        bool invisible = category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;
        return invisible ? code : $"'{character}' ({code})";
    }
}
