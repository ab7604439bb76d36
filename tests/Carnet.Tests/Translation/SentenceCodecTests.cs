using Carnet.IO;
using Carnet.Tasks.Translation;

namespace Carnet.Tests.Translation;

/// <summary>A side's tokenizer and vocabulary: sentences to ids and back, stored in a model file's metadata and read back strictly.</summary>
public sealed class SentenceCodecTests
{
    private static readonly string[] French = ["Va !", "Salut !", "Cours !", "Courez !", "Qui ?", "Ça alors !"];

    [Fact]
    public void EncodesAndDecodesSentences()
    {
        var codec = SentenceCodec.Learn(French, new TokenizerOptions());
        // "!" five times, then the rest once each in ordinal order ("?" is U+003F, "Ç" U+00C7 comes after "a")
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "!", "?", "Courez", "Cours", "Qui", "Salut", "Va", "alors", "Ça"], codec.Vocabulary.Tokens);
        Assert.Equal([10, 4], codec.Encode("Va !"));
        Assert.Equal([8, 1, 5], codec.Encode("Qui  est-ce ?"));
        Assert.Equal("Salut !", codec.Decode([9, 4, 3, 10]));
        Assert.Equal("Ça alors <unk>", codec.Decode([12, 11, 1]));
    }

    [Fact]
    public void LearnsByteMergesOnTheTrainingSentences()
    {
        var codec = SentenceCodec.Learn(French, new TokenizerOptions { Kind = "bpe", BytePairVocabularySize = 40 });
        var merges = ((BytePairTokenizer)codec.Tokenizer).Merges.Select(m => m.ToString()).ToArray();
        // pairs seen twice: C o, o u, u r (Cours, Courez) and a l (Salut, alors); ties go to the ordinally smaller left symbol
        Assert.Equal(["C o", "Co u", "Cou r", "a l"], merges);
        Assert.Equal("Courez !", codec.Decode(codec.Encode("Courez !")));
    }

    [Theory]
    [InlineData("words", false)]
    [InlineData("characters", true)]
    [InlineData("bpe", false)]
    public void RoundTripsThroughAModelFile(string kind, bool lowercase)
    {
        var codec = SentenceCodec.Learn(French, new TokenizerOptions { Kind = kind, Lowercase = lowercase, BytePairVocabularySize = 30 });
        var metadata = new Dictionary<string, string> { ["format"] = "carnet-translation" };
        codec.WriteMetadata(metadata, "target.");
        var file = SafeTensorsFile.Parse(SafeTensorsWriter.Serialize([], metadata), "m.safetensors");
        var read = SentenceCodec.ReadMetadata(file.Metadata, "m.safetensors", "target.");
        Assert.Equal((kind, lowercase), (read.Tokenizer.Kind, read.Tokenizer.Lowercase));
        Assert.Equal(codec.Vocabulary.Tokens, read.Vocabulary.Tokens);
        Assert.Equal((codec.Tokenizer as BytePairTokenizer)?.Merges, (read.Tokenizer as BytePairTokenizer)?.Merges);
        Assert.Equal(codec.Encode("Courez, Qui ?"), read.Encode("Courez, Qui ?"));
        var again = new Dictionary<string, string> { ["format"] = "carnet-translation" };
        read.WriteMetadata(again, "target.");
        Assert.Equal(metadata, again);
    }

    [Fact]
    public void WritesTheDocumentedEntries()
    {
        var codec = new SentenceCodec(new BytePairTokenizer([new("C", "o"), new("!", "</w>")]), new TokenVocabulary(["<pad>", "<unk>", "<bos>", "<eos>", "é"]));
        var metadata = new Dictionary<string, string>();
        codec.WriteMetadata(metadata, "source.");
        Assert.Equal(new Dictionary<string, string>
        {
            ["source.tokenizer"] = "bpe",
            ["source.lowercase"] = "false",
            ["source.bpe_merges"] = "[\"C o\",\"! \\u003C/w\\u003E\"]",
            ["source.vocabulary"] = "[\"\\u003Cpad\\u003E\",\"\\u003Cunk\\u003E\",\"\\u003Cbos\\u003E\",\"\\u003Ceos\\u003E\",\"\\u00E9\"]",
        }, metadata);
    }

    [Theory]
    [InlineData("tokenizer", null, "m.safetensors: metadata has no 'source.tokenizer'; a Carnet translation model needs it")]
    [InlineData("tokenizer", "sentencepiece", "m.safetensors: metadata 'source.tokenizer' is 'sentencepiece'; expected one of words, characters, bpe")]
    [InlineData("lowercase", "yes", "m.safetensors: metadata 'source.lowercase' is 'yes'; expected 'true' or 'false'")]
    [InlineData("bpe_merges", null, "m.safetensors: metadata has no 'source.bpe_merges'; a Carnet translation model needs it")]
    [InlineData("bpe_merges", "a b", "m.safetensors: metadata 'source.bpe_merges' is 'a b'; expected a JSON array of strings")]
    [InlineData("bpe_merges", "[\"a b c\"]",
        "m.safetensors: metadata 'source.bpe_merges' entry 0 ('a b c') is not two symbols separated by one space, the first without the end-of-word mark")]
    [InlineData("bpe_merges", "[\"a</w> b\"]",
        "m.safetensors: metadata 'source.bpe_merges' entry 0 ('a</w> b') is not two symbols separated by one space, the first without the end-of-word mark")]
    [InlineData("bpe_merges", "[\"a b\",\"a b\"]", "m.safetensors: metadata 'source.bpe_merges' entry 1 ('a b') repeats an earlier merge")]
    [InlineData("vocabulary", null, "m.safetensors: metadata has no 'source.vocabulary'; a Carnet translation model needs it")]
    [InlineData("vocabulary", "[\"<pad>\",\"<unk>\",\"<eos>\",\"<bos>\"]",
        "m.safetensors: metadata 'source.vocabulary': token 2 is '<eos>'; expected '<bos>' (the vocabulary starts with <pad> <unk> <bos> <eos>)")]
    [InlineData("vocabulary", "[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\",\"a\",\"a\"]", "m.safetensors: metadata 'source.vocabulary': token 5 ('a') repeats token 4")]
    public void MalformedEntriesAreNamedByFileAndKey(string key, string? value, string message)
    {
        var metadata = new Dictionary<string, string>
        {
            ["source.tokenizer"] = "bpe",
            ["source.lowercase"] = "false",
            ["source.bpe_merges"] = "[\"a b\"]",
            ["source.vocabulary"] = "[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\",\"ab</w>\"]",
        };
        if (value is null)
        {
            metadata.Remove("source." + key);
        }
        else
        {
            metadata["source." + key] = value;
        }

        var error = Assert.Throws<SafeTensorsFormatException>(() => SentenceCodec.ReadMetadata(metadata, "m.safetensors", "source."));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void MergesBelongOnlyToTheBytePairTokenizer()
    {
        var metadata = new Dictionary<string, string>
        {
            ["target.tokenizer"] = "words",
            ["target.lowercase"] = "false",
            ["target.bpe_merges"] = "[]",
            ["target.vocabulary"] = "[\"<pad>\",\"<unk>\",\"<bos>\",\"<eos>\"]",
        };
        var error = Assert.Throws<SafeTensorsFormatException>(() => SentenceCodec.ReadMetadata(metadata, "m.safetensors", "target."));
        Assert.Equal("m.safetensors: metadata has 'target.bpe_merges' but 'target.tokenizer' is 'words'; merges belong to the bpe tokenizer", error.Message);
    }

    [Fact]
    public void UnknownKindsAreRefusedWhenLearning()
    {
        var error = Assert.Throws<ArgumentException>(() => SentenceCodec.Learn(French, new TokenizerOptions { Kind = "bytes" }));
        Assert.Equal("no tokenizer 'bytes'; expected words, characters or bpe", error.Message);
    }
}
