using System.Text;
using Carnet.IO;
using Carnet.Tasks.Data;
using Carnet.Tasks.Text;

namespace Carnet.Tests.Text;

/// <summary>Characters as Unicode scalar values: ids in code point order, round trips with non-ASCII text, strict UTF-8 reading.</summary>
public sealed class CharacterVocabularyTests
{
    private const string Sample = "Café — naïve 🐳\nwhale é";

    [Fact]
    public void IdsFollowCodePointOrderAndTextRoundTrips()
    {
        var vocabulary = CharacterVocabulary.FromText(Sample);
        Assert.Equal(["\n", " ", "C", "a", "e", "f", "h", "l", "n", "v", "w", "é", "ï", "—", "🐳"], vocabulary.ToStrings());
        int[] ids = vocabulary.Encode(Sample);
        Assert.Equal(22, ids.Length); // the emoji is one character (two UTF-16 code units)
        Assert.Equal([2, 3, 5, 11, 1, 13], ids[..6]);
        Assert.Equal(Sample, vocabulary.Decode(ids));
        Assert.Equal(14, vocabulary.IdOf(new Rune(0x1F433)));
    }

    [Fact]
    public void StoredFormRoundTripsAndIsCheckedWhenRead()
    {
        var vocabulary = CharacterVocabulary.FromText(Sample);
        Assert.Equal(vocabulary.ToStrings(), CharacterVocabulary.FromStrings(vocabulary.ToStrings()).ToStrings());
        Assert.Equal("entry 1 is not exactly one Unicode character", Assert.Throws<ArgumentException>(() => CharacterVocabulary.FromStrings(["a", "bc"])).Message);
        Assert.Equal("entry 1 is out of code point order or repeated", Assert.Throws<ArgumentException>(() => CharacterVocabulary.FromStrings(["b", "a"])).Message);
        Assert.Equal("entry 0 is not exactly one Unicode character", Assert.Throws<ArgumentException>(() => CharacterVocabulary.FromStrings(["\uD83D"])).Message);
    }

    [Fact]
    public void AnUnknownCharacterIsNamedWithItsPositionAndCodePoint()
    {
        var vocabulary = CharacterVocabulary.FromText(Sample);
        Assert.Equal("the prompt's character 3 is 'Ж' (U+0416), which is not in the model's vocabulary of 15 characters",
            Assert.Throws<ArgumentException>(() => vocabulary.Encode("CaЖ", "the prompt's")).Message);
        Assert.Equal("the text character 2 is U+0009, which is not in the model's vocabulary of 15 characters",
            Assert.Throws<ArgumentException>(() => vocabulary.Encode("a\t")).Message);
    }

    [Fact]
    public void TextFilesAreReadAsStrictUtf8WithLineAndColumn()
    {
        using var files = new TemporaryFiles();
        string good = files.Write("good.txt", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Sample)]);
        var data = TextData.Read(good);
        Assert.Equal(Sample, data.Text); // the byte-order mark dropped
        Assert.Equal(22, data.Length);
        Assert.Equal(15, data.Vocabulary.Count);

        // line 2 is "🐳é" then a lone continuation byte: column 3 counts the emoji as one character
        string bad = files.Write("bad.txt", [.. Encoding.UTF8.GetBytes("abc\n🐳é"), 0x80, (byte)'x']);
        Assert.Equal($"{bad}:2:3: not valid UTF-8 text (byte 0x80 at byte offset 10); save the file as UTF-8",
            Assert.Throws<DataFormatException>(() => TextData.Read(bad)).Message);

        string truncated = files.Write("truncated.txt", [(byte)'a', 0xE2, 0x80]); // the first two bytes of "—"
        Assert.Equal($"{truncated}:1:2: not valid UTF-8 text (byte 0xE2 at byte offset 1); save the file as UTF-8",
            Assert.Throws<DataFormatException>(() => TextData.Read(truncated)).Message);

        foreach (byte[] empty in new byte[][] { [], [0xEF, 0xBB, 0xBF] })
        {
            string path = files.Write($"empty{empty.Length}.txt", empty);
            Assert.Equal($"{path}: empty file: there is no text to learn from", Assert.Throws<DataFormatException>(() => TextData.Read(path)).Message);
        }

        Assert.Equal("missing.txt: file not found", Assert.Throws<InputFileException>(() => TextData.Read("missing.txt")).Message);
    }

    [Fact]
    public void TheHeldOutPartIsTheTextsEnd()
    {
        var data = TextData.FromText(string.Concat(Enumerable.Repeat("abcd", 25)), "t.txt"); // 100 characters
        var (training, validation) = data.Split(0.1, 50, 2);
        Assert.Equal(90, training.Length);
        Assert.Equal(data.Ids.Skip(90), validation);
        Assert.Equal([2, 3, 0, 1, 2, 3, 0, 1, 2, 3], validation); // "cdabcdabcd"
        Assert.Empty(data.Split(0, 50, 2).Validation);
        Assert.Equal("t.txt: 100 characters are too few: training needs at least 99, with 10 more held out for validation; " +
            "give a longer text, or a smaller --batch-size, --seq-length or --validation",
            Assert.Throws<ArgumentException>(() => data.Split(0.1, 99, 2)).Message);
    }

    private sealed class TemporaryFiles : IDisposable
    {
        private readonly string folder = Directory.CreateTempSubdirectory("carnet-text-").FullName;

        public string Write(string name, byte[] bytes)
        {
            string path = Path.Combine(folder, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }

        public void Dispose() => Directory.Delete(folder, recursive: true);
    }
}
