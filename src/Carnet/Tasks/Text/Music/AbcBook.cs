using System.Globalization;
using Carnet.Tasks.Data;

namespace Carnet.Tasks.Text.Music;

/// <summary>
/// Reads ABC files into <see cref="AbcTune"/>s. A tune starts at its <c>X:</c> line; its header runs to the
/// <c>K:</c> line, which ends it; its body runs to the next blank line, <c>X:</c> line or the file's end. Lines
/// starting with <c>%</c> and the text after a <c>%</c> are comments. Text outside tunes is ignored.
/// </summary>
public static class AbcBook
{
    // file-name stems that name a dance form, for tunes without R: (the Nottingham files are grouped so: jigs.abc, reelsa-c.abc, hpps.abc…)
    private static readonly (string Prefix, string Rhythm)[] FileRhythms =
    [
        ("jig", "jig"), ("reel", "reel"), ("hornpipe", "hornpipe"), ("hpp", "hornpipe"), ("slip", "slip jig"), ("waltz", "waltz"), ("polka", "polka"),
        ("march", "march"), ("morris", "morris"),
    ];

    /// <summary>
    /// Reads a file, or every <c>*.abc</c> file of a folder in name order, each read strictly as UTF-8 through the
    /// bounded input path. A tune without <c>R:</c> takes the rhythm its file's name gives (see <see cref="RhythmOfFileName"/>).
    /// </summary>
    /// <exception cref="DataFormatException">A file is not UTF-8, holds no tune, or a tune has no <c>K:</c> field.</exception>
    /// <exception cref="IOException">The path cannot be read.</exception>
    public static IReadOnlyList<AbcTune> Read(string path)
    {
        string[] files = Directory.Exists(path) ? [.. Directory.GetFiles(path, "*.abc").Order(StringComparer.Ordinal)] : [path];
        if (files.Length == 0)
        {
            throw new DataFormatException(path, 0, 0, "the folder holds no .abc file");
        }

        return [.. files.SelectMany(f => Parse(Utf8File.Read(f), f, RhythmOfFileName(f)))];
    }

    /// <summary>
    /// The rhythm a file's name gives: its name (lower case) starting with jig, reel, hornpipe or hpp, slip, waltz,
    /// polka, march or morris gives jig, reel, hornpipe, slip jig, waltz, polka, march or morris; otherwise null.
    /// </summary>
    public static string? RhythmOfFileName(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        return FileRhythms.FirstOrDefault(r => name.StartsWith(r.Prefix, StringComparison.Ordinal)).Rhythm;
    }

    /// <summary>The tunes of an ABC text; <paramref name="source"/> names it in messages; tunes without <c>R:</c> get <paramref name="defaultRhythm"/>.</summary>
    /// <exception cref="DataFormatException">The text holds no tune, a tune number is not a number, or a tune has no <c>K:</c> field.</exception>
    public static IReadOnlyList<AbcTune> Parse(string text, string source, string? defaultRhythm = null)
    {
        string[] lines = text.Split('\n');
        var tunes = new List<AbcTune>();
        int i = 0;
        while (i < lines.Length)
        {
            if (IsField(Clean(lines[i]), 'X'))
            {
                tunes.Add(ReadTune(lines, ref i, source, defaultRhythm));
            }
            else
            {
                i++;
            }
        }

        return tunes.Count > 0 ? tunes : throw new DataFormatException(source, 0, 0, "no tune: expected an 'X:' line starting each tune");
    }

    private static AbcTune ReadTune(string[] lines, ref int i, string source, string? defaultRhythm)
    {
        int start = i;
        string numberText = Value(Clean(lines[i]));
        if (!int.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            throw new DataFormatException(source, start + 1, 0, $"'X:{numberText}' is not a tune number; X: takes a whole number");
        }

        var header = new Dictionary<char, string>();
        for (i++; i < lines.Length; i++)
        {
            string line = Clean(lines[i]);
            if (line.Length == 0 && !lines[i].TrimStart().StartsWith('%'))
            {
                break; // a blank line ends a tune, here before its key
            }

            if (line.Length >= 2 && line[1] == ':' && char.IsAsciiLetter(line[0]))
            {
                if (line[0] == 'X')
                {
                    break;
                }

                header.TryAdd(line[0], Value(line));
                if (line[0] == 'K')
                {
                    i++;
                    return WithBody(lines, ref i, source, start, number, header, defaultRhythm);
                }
            }
            else if (line.Length > 0)
            {
                break; // music before the key
            }
        }

        throw new DataFormatException(source, start + 1, 0, $"tune X:{number} has no 'K:' field; the key ends a tune's header, before its music");
    }

    private static AbcTune WithBody(string[] lines, ref int i, string source, int start, int number, Dictionary<char, string> header, string? defaultRhythm)
    {
        int bodyLine = i + 1;
        var body = new List<string>();
        for (; i < lines.Length; i++)
        {
            string line = Clean(lines[i]);
            bool comment = lines[i].TrimStart().StartsWith('%');
            if ((line.Length == 0 && !comment) || IsField(line, 'X'))
            {
                break;
            }

            bool field = line.Length >= 2 && line[1] == ':' && char.IsAsciiLetter(line[0]);
            if (line.Length > 0 && (!field || line[0] is 'M' or 'L' or 'K' or 'P'))
            {
                body.Add(line);
            }
        }

        string meter = header.GetValueOrDefault('M', "none");
        return new AbcTune
        {
            Source = source,
            Line = start + 1,
            Number = number,
            Title = header.GetValueOrDefault('T'),
            Rhythm = header.TryGetValue('R', out var rhythm) && rhythm.Length > 0 ? rhythm.ToLowerInvariant() : defaultRhythm,
            Meter = meter,
            UnitLength = header.TryGetValue('L', out var unit) ? unit : AbcFields.DefaultUnitLength(meter),
            Key = header['K'],
            Body = string.Join('\n', body),
            BodyLine = bodyLine,
        };
    }

    private static bool IsField(string line, char name) => line.Length >= 2 && line[0] == name && line[1] == ':';

    private static string Value(string line) => line[2..].Trim();

    /// <summary>The line without its comment (from <c>%</c>), carriage return and trailing spaces.</summary>
    private static string Clean(string line)
    {
        int comment = line.IndexOf('%', StringComparison.Ordinal);
        return (comment >= 0 ? line[..comment] : line).TrimEnd();
    }
}
