using Carnet.Cli.Diagnostics;
using Carnet.Models;
using Carnet.Tasks.Tagging;
using Carnet.Tasks.Translation;
using Carnet.Tests.Cli;
using Carnet.Tests.Tagging;
using Carnet.Tests.Translation;

namespace Carnet.Tests.Diagnostics;

/// <summary>
/// Tagger and translation model files through <c>carnet inspect</c> and <c>carnet fuzz</c>, as sequence models go:
/// inspect checks them strictly and says what they are; random mutations are each rejected naming the file, or
/// load as a model that runs.
/// </summary>
public sealed class TaskModelFileTests : IDisposable
{
    private readonly CliRunner cli = new();

    [Theory]
    [InlineData("tagger", 1500, 11, 500)]
    [InlineData("translator", 1000, 13, 300)]
    public void EveryMutationIsRejectedCleanlyOrLoadsAsAWorkingModel(string kind, int mutations, ulong seed, int rejectedAtLeast)
    {
        var report = ModelFileFuzzer.Run(kind == "tagger" ? TaggerFile() : TranslatorFile(), mutations, seed);
        Assert.Empty(report.Failures);
        Assert.Equal(mutations, report.Loaded + report.Rejected);
        Assert.True(report.Rejected > rejectedAtLeast, $"{report.Rejected} rejected");
    }

    [Fact]
    public void InspectSaysWhatATaggerAndATranslationModelAre()
    {
        string tagger = cli.PathOf("tagger.safetensors"), translator = cli.PathOf("translator.safetensors");
        File.WriteAllBytes(tagger, TaggerFile());
        File.WriteAllBytes(translator, TranslatorFile());

        var (code, output, error) = CliRunner.Run("inspect", tagger);
        Assert.Equal((0, ""), (code, error));
        Assert.Contains("format = carnet-tagger", output, StringComparison.Ordinal);
        Assert.Matches(@"ok: a complete, consistent Carnet model: tags words with \d+ tags \(.+\) from \d+ known words, CRF decoding; [\d,]+ parameters", output);

        (code, output, error) = CliRunner.Run("inspect", translator);
        Assert.Equal((0, ""), (code, error));
        Assert.Contains("ok: a complete, consistent Carnet model: translates with vocabularies of ", output, StringComparison.Ordinal);
        Assert.Contains("sentences up to 20 tokens", output, StringComparison.Ordinal);

        // one tensor short: refused by name, as for any model file
        var file = Carnet.IO.SafeTensorsFile.Read(tagger);
        Carnet.IO.SafeTensorsWriter.Write(cli.PathOf("broken.safetensors"), file.Tensors.Skip(1), file.Metadata);
        (code, output, error) = CliRunner.Run("inspect", cli.PathOf("broken.safetensors"));
        Assert.Equal((2, ""), (code, output));
        Assert.StartsWith($"carnet inspect: {cli.PathOf("broken.safetensors")}: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void FuzzRunsOnTaggersAndTranslationModels()
    {
        foreach (var (name, bytes) in new[] { ("tagger.safetensors", TaggerFile()), ("translator.safetensors", TranslatorFile()) })
        {
            string path = cli.PathOf(name);
            File.WriteAllBytes(path, bytes);
            var (code, output, error) = CliRunner.Run("fuzz", "--model", path, "--iterations", "200", "--seed", "3");
            Assert.Equal((0, ""), (code, error));
            Assert.Matches(@"^200 mutated files in [\d.]+ s: \d+ rejected with a clear error, \d+ loaded as consistent models, 0 failures", output);
        }
    }

    public void Dispose() => cli.Dispose();

    private static byte[] TaggerFile() => Tagger.Fit(TaggedCorpus.ParseConll(ToyCorpus.Conll(40, 4), "toy.conll"), null, new TaggerOptions
    {
        WordEmbeddingSize = 3, CharacterEmbeddingSize = 2, CharacterHiddenSize = 2, HiddenSize = 3, Epochs = 1, Seed = 2,
    }).Model.Serialize();

    /// <summary>An untrained translation model over the toy pairs' vocabularies: the file format is what is tested.</summary>
    private byte[] TranslatorFile()
    {
        var pairs = ToyTranslation.Pairs(30, 1);
        var source = SentenceCodec.Learn(pairs.Select(p => p.Source).ToList(), new TokenizerOptions());
        var target = SentenceCodec.Learn(pairs.Select(p => p.Target).ToList(), new TokenizerOptions());
        var options = ToyTranslation.Options(1).Network with
        {
            SourceVocabularySize = source.Vocabulary.Count,
            TargetVocabularySize = target.Vocabulary.Count,
            SourceEmbeddingSize = 4,
            TargetEmbeddingSize = 4,
            EncoderHiddenSize = 3,
            DecoderHiddenSize = 5,
        };
        string path = cli.PathOf("saved-translator.safetensors");
        new Translator(new Seq2SeqModel<float>(options, new RandomSource(4)), source, target, 20).Save(path);
        return File.ReadAllBytes(path);
    }
}
