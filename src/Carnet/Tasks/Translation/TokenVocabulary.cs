namespace Carnet.Tasks.Translation;

/// <summary>
/// The tokens of one side of a translation model, each with an id: <see cref="Padding"/> (0, <c>&lt;pad&gt;</c>),
/// <see cref="Unknown"/> (1, <c>&lt;unk&gt;</c>), <see cref="Begin"/> (2, <c>&lt;bos&gt;</c>) and <see cref="End"/>
/// (3, <c>&lt;eos&gt;</c>), then the training tokens, most frequent first, ties in ordinal order.
/// </summary>
public sealed class TokenVocabulary
{
    /// <summary>The id of padding past a sentence's end.</summary>
    public const int Padding = 0;

    /// <summary>The id of a token not in the vocabulary.</summary>
    public const int Unknown = 1;

    /// <summary>The id that starts the decoder's input.</summary>
    public const int Begin = 2;

    /// <summary>The id that ends a sentence.</summary>
    public const int End = 3;

    private readonly string[] tokens; // by id
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);

    /// <summary>Creates the vocabulary from its tokens by id, which start with <see cref="SpecialTokens"/>.</summary>
    /// <exception cref="ArgumentException">The special tokens are not first, or a token is empty or repeats.</exception>
    public TokenVocabulary(IReadOnlyList<string> tokens)
    {
        this.tokens = tokens.ToArray();
        for (int id = 0; id < this.tokens.Length; id++)
        {
            string token = this.tokens[id];
            if (id < SpecialTokens.Count && token != SpecialTokens[id])
            {
                throw new ArgumentException($"token {id} is '{token}'; expected '{SpecialTokens[id]}' (the vocabulary starts with {string.Join(" ", SpecialTokens)})");
            }

            if (token.Length == 0 || !ids.TryAdd(token, id))
            {
                throw new ArgumentException(token.Length == 0 ? $"token {id} is empty" : $"token {id} ('{token}') repeats token {ids[token]}");
            }
        }

        if (this.tokens.Length < SpecialTokens.Count)
        {
            throw new ArgumentException($"the vocabulary has {this.tokens.Length} tokens; expected at least the {SpecialTokens.Count} special ones");
        }
    }

    /// <summary><c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>, <c>&lt;bos&gt;</c>, <c>&lt;eos&gt;</c>: ids 0 to 3.</summary>
    public static IReadOnlyList<string> SpecialTokens { get; } = ["<pad>", "<unk>", "<bos>", "<eos>"];

    /// <summary>V: the number of tokens, special ones included.</summary>
    public int Count => tokens.Length;

    /// <summary>The tokens by id.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    /// <summary>
    /// The vocabulary of the training sentences' tokens: those seen at least <paramref name="minimumCount"/> times, most
    /// frequent first (ties in ordinal order), cut so that the vocabulary with its 4 special tokens has at most
    /// <paramref name="maximumSize"/> tokens when that is given. A token spelt like a special one is that special token.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The maximum size is below 4 or the minimum count below 1.</exception>
    public static TokenVocabulary Build(IEnumerable<IReadOnlyList<string>> sentences, int? maximumSize = null, int minimumCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumSize ?? SpecialTokens.Count, SpecialTokens.Count, nameof(maximumSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumCount, 1);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string token in sentences.SelectMany(s => s))
        {
            counts[token] = counts.GetValueOrDefault(token) + 1;
        }

        var kept = counts.Where(p => p.Value >= minimumCount && !SpecialTokens.Contains(p.Key) && p.Key.Length > 0)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take((maximumSize ?? int.MaxValue) - SpecialTokens.Count)
            .Select(p => p.Key);
        return new TokenVocabulary([.. SpecialTokens, .. kept]);
    }

    /// <summary>The token's id, or <see cref="Unknown"/>.</summary>
    public int IdOf(string token) => ids.GetValueOrDefault(token, Unknown);

    /// <summary>The tokens' ids, <see cref="Unknown"/> for a token not in the vocabulary; no <c>&lt;bos&gt;</c> or <c>&lt;eos&gt;</c> is added.</summary>
    public int[] Encode(IReadOnlyList<string> sentence)
    {
        var encoded = new int[sentence.Count];
        for (int i = 0; i < encoded.Length; i++)
        {
            encoded[i] = IdOf(sentence[i]);
        }

        return encoded;
    }

    /// <summary>
    /// The tokens of the ids up to the first <see cref="End"/>, skipping <see cref="Padding"/> and <see cref="Begin"/>;
    /// <see cref="Unknown"/> is <c>&lt;unk&gt;</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the vocabulary.</exception>
    public string[] Decode(IEnumerable<int> encoded)
    {
        var decoded = new List<string>();
        foreach (int id in encoded)
        {
            if ((uint)id >= (uint)tokens.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(encoded), id, $"Token ids are from 0 to {tokens.Length - 1}.");
            }

            if (id == End)
            {
                break;
            }

            if (id is not Padding and not Begin)
            {
                decoded.Add(tokens[id]);
            }
        }

        return decoded.ToArray();
    }
}
