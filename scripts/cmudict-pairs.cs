#:property Nullable=enable
#:property TreatWarningsAsErrors=true
// Spelling → pronunciation pairs from the CMU Pronouncing Dictionary, split by word into train/valid/test TSV files
// for the sequence-to-sequence task (data/cmudict/README.md).
// Usage: dotnet run scripts/cmudict-pairs.cs -- DICT OUTDIR [--train 30000] [--valid 1000] [--test 3000] [--seed 1]
// DICT is the dictionary file (one "word PH ON EMES" a line, as pocketsphinx-en-us installs it at
// /usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict). Alternate pronunciations "word(2)" are dropped (the first
// is kept), as are words with a character other than a-z and the apostrophe; words are lowercased. The words are
// shuffled with a seeded SplitMix64 generator (Fisher–Yates; the index is the 64-bit draw modulo i + 1, whose bias is
// below 1e-14 here) and cut into train, valid and test in that order, so no word is in two parts; each file keeps the
// shuffled order. Files: header "spelling\tpronunciation", the spelling's characters separated by single spaces,
// the phonemes as the dictionary writes them separated by single spaces; UTF-8, "\n" line ends.
using System.Globalization;
using System.Text;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: dotnet run scripts/cmudict-pairs.cs -- DICT OUTDIR [--train 30000] [--valid 1000] [--test 3000] [--seed 1]");
    return 2;
}

string dictionary = args[0];
string output = args[1];
var sizes = new Dictionary<string, int> { ["--train"] = 30000, ["--valid"] = 1000, ["--test"] = 3000, ["--seed"] = 1 };
for (int i = 2; i < args.Length; i += 2)
{
    if (!sizes.ContainsKey(args[i]) || i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value))
    {
        Console.Error.WriteLine($"unknown option or missing number: {args[i]}");
        return 2;
    }

    sizes[args[i]] = value;
}

var entries = ReadEntries(dictionary, out int lines, out int alternates, out int rejected);
int wanted = sizes["--train"] + sizes["--valid"] + sizes["--test"];
Console.WriteLine($"{dictionary}: {lines} lines, {alternates} alternate pronunciations and {rejected} words with other characters dropped, {entries.Count} words kept");
if (entries.Count < wanted)
{
    Console.Error.WriteLine($"only {entries.Count} words, {wanted} wanted");
    return 1;
}

Shuffle(entries, new SplitMix64((ulong)sizes["--seed"]));
Directory.CreateDirectory(output);
int start = 0;
foreach (var (name, count) in new[] { ("train", sizes["--train"]), ("valid", sizes["--valid"]), ("test", sizes["--test"]) })
{
    string path = Path.Combine(output, name + ".tsv");
    var text = new StringBuilder("spelling\tpronunciation\n");
    foreach (var (word, phonemes) in entries.GetRange(start, count))
    {
        text.Append(string.Join(' ', word.Select(c => c.ToString()))).Append('\t').Append(phonemes).Append('\n');
    }

    File.WriteAllText(path, text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    Console.WriteLine($"{path}: {count} pairs, {new FileInfo(path).Length} bytes");
    start += count;
}

return 0;

// The dictionary's words with their first pronunciation, in file order.
static List<(string Word, string Phonemes)> ReadEntries(string path, out int lines, out int alternates, out int rejected)
{
    var entries = new List<(string Word, string Phonemes)>();
    var seen = new HashSet<string>(StringComparer.Ordinal);
    lines = alternates = rejected = 0;
    foreach (string line in File.ReadLines(path))
    {
        lines++;
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2)
        {
            continue;
        }

        string word = fields[0].ToLowerInvariant();
        if (word.EndsWith(')') && word.Contains('('))
        {
            alternates++;
            continue;
        }

        if (!word.All(c => c is (>= 'a' and <= 'z') or '\''))
        {
            rejected++;
            continue;
        }

        if (seen.Add(word))
        {
            entries.Add((word, string.Join(' ', fields.Skip(1))));
        }
    }

    return entries;
}

// Fisher–Yates from the last element down.
static void Shuffle<T>(List<T> items, SplitMix64 random)
{
    for (int i = items.Count - 1; i > 0; i--)
    {
        int j = (int)(random.Next() % (ulong)(i + 1));
        (items[i], items[j]) = (items[j], items[i]);
    }
}

// SplitMix64 (Steele, Lea and Flood 2014): state += 0x9E3779B97F4A7C15, then the output mix.
internal sealed class SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong Next()
    {
        state += 0x9E3779B97F4A7C15UL;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
