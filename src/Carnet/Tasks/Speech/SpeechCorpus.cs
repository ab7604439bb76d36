using Carnet.Tasks.Data;

namespace Carnet.Tasks.Speech;

/// <summary>One recording with its transcript and speaker.</summary>
/// <param name="Path">The WAV file.</param>
/// <param name="Text">What is said: a word label, or a sequence of symbols for CTC.</param>
/// <param name="Speaker">Who says it ("" when unknown).</param>
/// <param name="Line">The manifest line it comes from, or 0 for a file found in a folder.</param>
public sealed record SpeechUtterance(string Path, string Text, string Speaker, int Line = 0);

/// <summary>
/// Recordings with their transcripts: a folder of WAV files labelled by the file name's first field and with the
/// speaker in its second (<c>7_jackson_32.wav</c>: "7", spoken by "jackson", as in the Free Spoken Digit Dataset), or
/// a CSV manifest with the columns <c>audio,text</c> and optionally <c>speaker</c>, paths relative to the manifest.
/// </summary>
public sealed class SpeechCorpus
{
    private SpeechCorpus(string source, IReadOnlyList<SpeechUtterance> utterances) => (Source, Utterances) = (source, utterances);

    /// <summary>The folder or manifest read.</summary>
    public string Source { get; }

    /// <summary>The recordings, in file-name order for a folder and in line order for a manifest.</summary>
    public IReadOnlyList<SpeechUtterance> Utterances { get; }

    /// <summary>
    /// Reads a folder of WAV files or a CSV manifest; a missing folder, file or column is a <see cref="DataFormatException"/>
    /// or a <see cref="IO.InputFileException"/>.
    /// </summary>
    public static SpeechCorpus Load(string source)
    {
        if (Directory.Exists(source))
        {
            var files = Directory.GetFiles(source, "*.wav").Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
            {
                throw new IO.InputFileException(source, "the folder holds no .wav files");
            }

            return new SpeechCorpus(source, [.. files.Select(FromFileName)]);
        }

        var table = CsvTable.Read(source);
        int audio = table.ColumnIndex("audio"), text = table.ColumnIndex("text");
        int speaker = table.Header.Contains("speaker") ? table.ColumnIndex("speaker") : -1;
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(source))!;
        var utterances = new List<SpeechUtterance>();
        for (int r = 0; r < table.Rows.Count; r++)
        {
            var row = table.Rows[r];
            string path = System.IO.Path.Combine(folder, row[audio]);
            if (!File.Exists(path))
            {
                throw new DataFormatException(source, table.LineNumbers[r], audio + 1, $"the audio file '{row[audio]}' does not exist");
            }

            if (row[text].Trim().Length == 0)
            {
                throw new DataFormatException(source, table.LineNumbers[r], text + 1, "an empty transcript");
            }

            utterances.Add(new SpeechUtterance(path, row[text].Trim(), speaker >= 0 ? row[speaker] : "", table.LineNumbers[r]));
        }

        return utterances.Count > 0 ? new SpeechCorpus(source, utterances) : throw new DataFormatException(source, table.HeaderLine, 0, "no recordings after the header");
    }

    /// <summary>A corpus of the given recordings.</summary>
    public static SpeechCorpus Of(string source, IReadOnlyList<SpeechUtterance> utterances) => new(source, utterances);

    private static SpeechUtterance FromFileName(string path)
    {
        string[] fields = System.IO.Path.GetFileNameWithoutExtension(path).Split('_');
        return new SpeechUtterance(path, fields[0], fields.Length > 1 ? fields[1] : "");
    }

    /// <summary>The recordings of the given speakers, and those of everyone else.</summary>
    public (SpeechCorpus Chosen, SpeechCorpus Others) SplitBySpeakers(IReadOnlyCollection<string> speakers)
    {
        foreach (string name in speakers.Where(name => !Utterances.Any(u => u.Speaker == name)))
        {
            string known = string.Join(", ", Utterances.Select(u => u.Speaker).Distinct().Order());
            throw new ArgumentException($"{Source}: no recordings of speaker '{name}'; the speakers are {known}.");
        }

        var chosen = Utterances.Where(u => speakers.Contains(u.Speaker)).ToList();
        var others = Utterances.Where(u => !speakers.Contains(u.Speaker)).ToList();
        return (new SpeechCorpus(Source, chosen), new SpeechCorpus(Source, others));
    }
}
