using System.Text;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Translation;

namespace Carnet.Tests.Translation;

/// <summary>
/// A toy language pair that needs attention to learn: the target says the source's words in reverse order, each in the
/// target's own spelling ("ka lo mi" → "MI! LO! KA!"), 2 to 6 words from a lexicon of 10.
/// </summary>
internal static class ToyTranslation
{
    private static readonly string[] Words = ["ka", "lo", "mi", "su", "te", "ra", "no", "vi", "pe", "du"];

    public static List<SentencePair> Pairs(int count, ulong seed)
    {
        var random = new RandomSource(seed);
        var pairs = new List<SentencePair>();
        for (int i = 0; i < count; i++)
        {
            var words = Enumerable.Range(0, 2 + random.NextInt(5)).Select(_ => Words[random.NextInt(Words.Length)]).ToArray();
            string source = string.Join(' ', words);
            string target = string.Join(' ', words.Reverse().Select(w => w.ToUpperInvariant() + "!"));
            pairs.Add(new SentencePair(source, target, i + 2));
        }

        return pairs;
    }

    public static string Tsv(IEnumerable<SentencePair> pairs)
    {
        var text = new StringBuilder("source\ttarget\n");
        foreach (var pair in pairs)
        {
            text.Append(pair.Source).Append('\t').Append(pair.Target).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A small network and schedule that learns the toy pairs in a few seconds.</summary>
    public static TranslationTrainingOptions Options(int epochs, string? checkpoint = null) => new()
    {
        Network = new Seq2SeqOptions
        {
            SourceEmbeddingSize = 16, TargetEmbeddingSize = 16, EncoderHiddenSize = 24, DecoderHiddenSize = 32, Attention = AttentionScore.General,
            Dropout = 0.1,
        },
        Epochs = epochs, BatchSize = 16, LearningRate = 0.01, Patience = null, Selection = TranslationSelection.Loss, Seed = 5,
        CheckpointPath = checkpoint,
    };
}
