using System.Text;

namespace Carnet.Tests.Tagging;

/// <summary>
/// A deterministic toy language with BIO entity tags where a tag depends on the word and its neighbours: "Jordan" is a
/// person (B-PER) before "said" or a surname, a place (B-LOC) after "in" or "to"; a surname after a first name is I-PER;
/// "City" after a place is I-LOC; everything else is O. A third of the names and places are made-up capitalised words,
/// mostly seen once, so the unknown word and the character features have something to learn from.
/// </summary>
internal static class ToyCorpus
{
    private static readonly string[] FirstNames = ["Alice", "Bob", "Carol", "Dave", "Jordan"];
    private static readonly string[] Surnames = ["Smith", "Jones", "Brown"];
    private static readonly string[] Places = ["Paris", "Oslo", "Lima", "Jordan"];
    private static readonly string[] Verbs = ["said", "wrote", "sang"];
    private static readonly string[] Fillers = ["it", "was", "very", "good", "rain", "today", "nice"];

    /// <summary>One sentence as (token, tag) pairs.</summary>
    public static List<(string Token, string Tag)> Sentence(RandomSource random)
    {
        var words = new List<(string, string)>();
        words.Add((random.NextInt(3) == 0 ? MadeUp(random) : FirstNames[random.NextInt(FirstNames.Length)], "B-PER"));
        if (random.NextInt(2) == 0)
        {
            words.Add((Surnames[random.NextInt(Surnames.Length)], "I-PER"));
        }

        words.Add((Verbs[random.NextInt(Verbs.Length)], "O"));
        for (int i = random.NextInt(3); i >= 0; i--)
        {
            words.Add((Fillers[random.NextInt(Fillers.Length)], "O"));
        }

        words.Add((random.NextInt(2) == 0 ? "in" : "to", "O"));
        words.Add((random.NextInt(3) == 0 ? MadeUp(random) : Places[random.NextInt(Places.Length)], "B-LOC"));
        if (random.NextInt(3) == 0)
        {
            words.Add(("City", "I-LOC"));
        }

        words.Add((".", "O"));
        return words;
    }

    /// <summary>A capital letter and three to six lower-case ones.</summary>
    private static string MadeUp(RandomSource random)
    {
        var word = new StringBuilder().Append((char)('A' + random.NextInt(26)));
        for (int i = 3 + random.NextInt(4); i > 0; i--)
        {
            word.Append((char)('a' + random.NextInt(26)));
        }

        return word.ToString();
    }

    /// <summary>CoNLL text of <paramref name="count"/> sentences (token TAB tag, blank lines between).</summary>
    public static string Conll(int count, ulong seed)
    {
        var random = new RandomSource(seed);
        var text = new StringBuilder();
        for (int s = 0; s < count; s++)
        {
            foreach (var (token, tag) in Sentence(random))
            {
                text.Append(token).Append(s % 2 == 0 ? '\t' : ' ').Append(tag).Append('\n');
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
