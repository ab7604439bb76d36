using Carnet.Models;
using Carnet.Tasks.Translation;
using Carnet.Tests.Support;

namespace Carnet.Tests.Translation;

/// <summary>Training a translator end to end: it learns, the same seed gives the same bytes, and a resumed run ends where an uninterrupted one does.</summary>
public sealed class TranslationTrainerTests
{
    private static readonly List<SentencePair> Training = ToyTranslation.Pairs(480, 1);
    private static readonly List<SentencePair> HeldOut = ToyTranslation.Pairs(60, 2);

    [Fact]
    public void LearnsToReorderAndTranslateWordsThroughAttention()
    {
        var outcome = TranslationTrainer.Fit(Training, HeldOut, ToyTranslation.Options(epochs: 12));
        var greedy = TranslationEvaluation.Evaluate(outcome.Translator, HeldOut, new Seq2SeqSearchOptions { BeamSize = 1 });
        var beam = TranslationEvaluation.Evaluate(outcome.Translator, HeldOut, new Seq2SeqSearchOptions { BeamSize = 4 });
        Assert.True(greedy.ExactMatch >= 0.9, $"greedy exact match {greedy.ExactMatch}, BLEU {greedy.Bleu}, token error rate {greedy.TokenErrorRate}");
        Assert.True(beam.ExactMatch >= 0.9, $"beam exact match {beam.ExactMatch}");
        Assert.True(greedy.Bleu >= 90, $"greedy BLEU {greedy.Bleu}");
        Assert.Equal(12, outcome.History.Count);
        Assert.True(outcome.History[^1].HeldOutLoss < outcome.History[0].HeldOutLoss / 3, string.Join(", ", outcome.History.Select(e => e.HeldOutLoss)));
        Assert.Equal(greedy.Bleu, outcome.History[^1].Bleu!.Value, 1e-9); // the last epoch is the best one and its held-out figures are greedy's
        Assert.Equal(greedy.ExactMatch, outcome.History[^1].ExactMatch);
        Assert.True(outcome.History.Zip(outcome.History.Skip(1)).All(p => p.First.TrainingSeconds < p.Second.TrainingSeconds));
        Assert.True(outcome.TargetTokensPerSecond > 0);
    }

    [Fact]
    public void TheSameSeedGivesTheSameModelBytes()
    {
        using var folder = new TemporaryFolder();
        TranslationTrainer.Fit(Training, HeldOut, ToyTranslation.Options(epochs: 2)).Translator.Save(folder.PathOf("a.safetensors"));
        TranslationTrainer.Fit(Training, HeldOut, ToyTranslation.Options(epochs: 2)).Translator.Save(folder.PathOf("b.safetensors"));
        Assert.Equal(File.ReadAllBytes(folder.PathOf("a.safetensors")), File.ReadAllBytes(folder.PathOf("b.safetensors")));
        using (KernelSettings.Use(maximumThreads: 1))
        {
            TranslationTrainer.Fit(Training, HeldOut, ToyTranslation.Options(epochs: 2)).Translator.Save(folder.PathOf("c.safetensors"));
        }

        Assert.Equal(File.ReadAllBytes(folder.PathOf("a.safetensors")), File.ReadAllBytes(folder.PathOf("c.safetensors")));
    }

    [Fact]
    public void AResumedRunEndsWithTheModelAndHistoryOfAnUninterruptedOne()
    {
        using var folder = new TemporaryFolder();
        var whole = TranslationTrainer.Fit(Training, HeldOut, ToyTranslation.Options(epochs: 4, folder.PathOf("whole.ckpt")));
        whole.Translator.Save(folder.PathOf("whole.safetensors"));
        TranslationTrainer.Fit(Training, HeldOut, ToyTranslation.Options(epochs: 2, folder.PathOf("parts.ckpt")));
        var resumed = TranslationTrainer.Fit(Training, HeldOut, ToyTranslation.Options(epochs: 4, folder.PathOf("parts.ckpt")) with { Resume = true });
        resumed.Translator.Save(folder.PathOf("resumed.safetensors"));
        Assert.Equal(File.ReadAllBytes(folder.PathOf("whole.safetensors")), File.ReadAllBytes(folder.PathOf("resumed.safetensors")));
        Assert.Equal(whole.History.Select(e => e with { TrainingSeconds = 0 }), resumed.History.Select(e => e with { TrainingSeconds = 0 }));
        Assert.Equal(4, resumed.History.Count);
    }

    [Fact]
    public void ResumingWithOtherDataIsRefused()
    {
        using var folder = new TemporaryFolder();
        TranslationTrainer.Fit(Training, HeldOut, ToyTranslation.Options(epochs: 1, folder.PathOf("run.ckpt")));
        var other = ToyTranslation.Pairs(480, 9).Select(p => p with { Target = p.Target.Replace("KA", "QA", StringComparison.Ordinal) }).ToList();
        var error = Assert.Throws<Carnet.IO.SafeTensorsFormatException>(
            () => TranslationTrainer.Fit(other, HeldOut, ToyTranslation.Options(epochs: 2, folder.PathOf("run.ckpt")) with { Resume = true }));
        Assert.EndsWith("run.ckpt: the checkpoint was trained with other data or settings (source.vocabulary differs); " +
            "resume with the same data and options, or use a new output folder", error.Message);
    }

    [Fact]
    public void ASavedTranslatorLoadsStrictlyAndTranslatesTheSame()
    {
        using var folder = new TemporaryFolder();
        var translator = TranslationTrainer.Fit(Training, HeldOut, ToyTranslation.Options(epochs: 3)).Translator;
        translator.Save(folder.PathOf("model.safetensors"));
        var loaded = Translator.Load(folder.PathOf("model.safetensors"));
        loaded.Save(folder.PathOf("again.safetensors"));
        Assert.Equal(File.ReadAllBytes(folder.PathOf("model.safetensors")), File.ReadAllBytes(folder.PathOf("again.safetensors")));
        var sentences = HeldOut.Select(p => p.Source).ToList();
        var search = new Seq2SeqSearchOptions { BeamSize = 3 };
        Assert.Equal(translator.Translate(sentences, search).Select(t => t.Text), loaded.Translate(sentences, search).Select(t => t.Text));
        Assert.Equal(translator.MaximumSourceLength, loaded.MaximumSourceLength);
        Assert.Equal(12, loaded.MaximumSourceLength); // twice the longest training source, 6 words
    }

    [Fact]
    public void ASentenceLongerThanTheModelWasBuiltForIsRefusedSayingHowLong()
    {
        var translator = TranslationTrainer.Fit(Training, [], ToyTranslation.Options(epochs: 1)).Translator;
        var error = Assert.Throws<ArgumentException>(() => translator.EncodeSource(string.Join(' ', Enumerable.Repeat("ka", 13))));
        Assert.Equal("the sentence has 13 tokens; this model was built for at most 12 (twice its longest training sentence)", error.Message);
        Assert.Equal("the sentence is empty", Assert.Throws<ArgumentException>(() => translator.EncodeSource("  ")).Message);
    }

    [Fact]
    public void UnknownOutputsBecomeTheSourceTokensTheyAttendedToMost()
    {
        var translator = TranslationTrainer.Fit(Training, [], ToyTranslation.Options(epochs: 1)).Translator;
        var bias = translator.Model.Modules.Single(m => m.Prefix == "generator.").Module.GetParameter("bias").Value.Span;
        bias[TokenVocabulary.Unknown] = 100; // the decoder now writes <unk> until the length limit
        var search = new Seq2SeqSearchOptions { BeamSize = 2, MaximumLengthRatio = 1, MaximumLengthOffset = 0 };
        var plain = translator.Translate(["ka lo mi su"], search)[0];
        Assert.Equal(["<unk>", "<unk>", "<unk>", "<unk>"], plain.Tokens);
        var replaced = translator.Translate(["ka lo mi su"], search, replaceUnknown: true)[0];
        for (int i = 0; i < 4; i++)
        {
            var row = replaced.Attention.AsSpan(i * 4, 4).ToArray();
            Assert.Equal(replaced.SourceTokens[Array.IndexOf(row, row.Max())], replaced.Tokens[i]);
        }

        Assert.Equal(string.Join(' ', replaced.Tokens), replaced.Text);
    }
}
