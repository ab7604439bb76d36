using Carnet.Models;
using Carnet.Tasks.Translation;
using Carnet.Tests.Support;

namespace Carnet.Tests.Translation;

/// <summary>The library example of docs/TRANSLATION.md, on the shipped Tatoeba pairs, with one short epoch instead of five minutes.</summary>
public sealed class TranslationExampleTests
{
    [Fact]
    public void TheDocumentedCallsTrainSaveLoadAndTranslate()
    {
        using var folder = new TemporaryFolder();
        var pairs = TranslationPairs.Read(Path.Combine(AppContext.BaseDirectory, "data", "eng_fra_tatoeba_5000.tsv"));
        Assert.Equal(5000, pairs.Pairs.Count);
        var (training, heldOut) = pairs.Split(0.1, new RandomSource(42));
        var options = new TranslationTrainingOptions
        {
            Epochs = 1, Network = new Seq2SeqOptions { SourceEmbeddingSize = 16, TargetEmbeddingSize = 16, EncoderHiddenSize = 16, DecoderHiddenSize = 32 },
        };
        var outcome = TranslationTrainer.Fit(training.Take(400).ToList(), heldOut.Take(40).ToList(), options);
        outcome.Translator.Save(folder.PathOf("fra.safetensors"));

        var translator = Translator.Load(folder.PathOf("fra.safetensors"));
        var result = translator.Translate(["I am cold."], new Seq2SeqSearchOptions { BeamSize = 5 })[0];
        Assert.Equal(["I", "am", "cold", "￭."], result.SourceTokens);
        Assert.Equal(result.Tokens.Length * result.SourceTokens.Length, result.Attention.Length);
        for (int row = 0; row < result.Tokens.Length; row++)
        {
            Assert.Equal(1.0, result.Attention.AsSpan(row * 4, 4).ToArray().Sum(), 1e-5); // each token's weights over the source sum to one
        }
    }
}
