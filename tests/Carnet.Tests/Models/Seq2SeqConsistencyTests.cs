using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tests.Models;

/// <summary>The same answer through every path: batched and one by one, one thread and two, fast and reference kernels; and the options' metadata.</summary>
public sealed class Seq2SeqConsistencyTests
{
    [Theory]
    [InlineData("lstm_general_feeding_bidirectional_stacked")]
    [InlineData("gru_additive_no_feeding")]
    [InlineData("rnn_encoder_dot_lstm_decoder")]
    public void ABatchGivesEachSentenceTheLogitsItGetsAlone(string name)
    {
        var (options, _, _, _) = Seq2SeqCases.Get(name);
        var model = new Seq2SeqModel<double>(options, new RandomSource(8));
        var batch = Seq2SeqCases.Batch(options, new RandomSource(9));
        using var together = model.Forward(batch);
        var logits = together.Logits(); // (B, T, V)
        int steps = batch.TargetSteps, width = batch.SourceSteps, vocabulary = options.TargetVocabularySize;
        for (int b = 0; b < batch.Batch; b++)
        {
            int length = batch.SourceLengths[b];
            var alone = new Seq2SeqBatch(
                batch.Source.AsSpan(b * width, length).ToArray(), [length], batch.DecoderInput.AsSpan(b * steps, steps).ToArray(),
                batch.Targets.AsSpan(b * steps, steps).ToArray(), 1);
            using var single = model.Forward(alone);
            var expected = single.Logits().Span;
            var actual = logits.Span.Slice(b * steps * vocabulary, steps * vocabulary);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"sentence {b}, logit {i}: {actual[i]} batched, {expected[i]} alone");
            }
        }
    }

    [Fact]
    public void OneAndTwoThreadsGiveIdenticalLogitsAndGradients()
    {
        var (options, _, _, _) = Seq2SeqCases.Get("lstm_general_feeding_bidirectional_stacked");
        options = options with { EncoderHiddenSize = 64, DecoderHiddenSize = 96, SourceEmbeddingSize = 48, TargetEmbeddingSize = 48 };
        var batch = Seq2SeqCases.Batch(options, new RandomSource(4));
        (float[] Logits, float[] Gradients) Run(int threads)
        {
            using var scope = KernelSettings.Use(maximumThreads: threads);
            var model = new Seq2SeqModel<float>(options, new RandomSource(3));
            using var result = model.Forward(batch);
            var gradient = new float[result.LogitsTimeMajor.Length];
            Array.Fill(gradient, 0.01f);
            model.Backward(result, gradient);
            return (result.LogitsTimeMajor.ToArray(), model.Modules.SelectMany(m => m.Module.ParameterGradients.ToArray()).ToArray());
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Logits, two.Logits);
        Assert.Equal(one.Gradients, two.Gradients);
    }

    [Fact]
    public void FastAndReferenceKernelsAgree()
    {
        var (options, smoothing, _, _) = Seq2SeqCases.Get("no_bridge_additive_feeding_smoothing");
        options = options with { EncoderHiddenSize = 33, DecoderHiddenSize = 47, SourceEmbeddingSize = 17, TargetEmbeddingSize = 19, Bidirectional = true };
        var batch = Seq2SeqCases.Batch(options, new RandomSource(4));
        (float[] Logits, float[] Gradients) Run(KernelMode mode)
        {
            using var scope = KernelSettings.Use(mode);
            var model = new Seq2SeqModel<float>(options, new RandomSource(3));
            using var result = model.Forward(batch);
            int rows = batch.Batch * batch.TargetSteps;
            var gradient = Tensor<float>.Zeros(rows, options.TargetVocabularySize);
            Losses.CrossEntropy(new Tensor<float>(result.LogitsTimeMajor, rows, options.TargetVocabularySize), batch.TargetsTimeMajor(), gradient,
                ignoreIndex: 0, labelSmoothing: smoothing);
            model.Backward(result, gradient.Span);
            return (result.LogitsTimeMajor.ToArray(), model.Modules.SelectMany(m => m.Module.ParameterGradients.ToArray()).ToArray());
        }

        var fast = Run(KernelMode.Fast);
        var reference = Run(KernelMode.Reference);
        AssertClose(reference.Logits, fast.Logits, 1e-5);
        AssertClose(reference.Gradients, fast.Gradients, 1e-5);
    }

    [Fact]
    public void OptionsSurviveTheirMetadataAndABadEntryIsNamed()
    {
        var options = new Seq2SeqOptions
        {
            SourceVocabularySize = 31, TargetVocabularySize = 43, SourceEmbeddingSize = 7, TargetEmbeddingSize = 9, EncoderCell = RecurrentCellKind.Gru,
            EncoderHiddenSize = 11, EncoderLayers = 3, Bidirectional = false, DecoderCell = RecurrentCellKind.Rnn, DecoderHiddenSize = 9, DecoderLayers = 2,
            Attention = AttentionScore.Additive, InputFeeding = false, Bridge = Seq2SeqBridge.None, Dropout = 0.25, TieWeights = true,
        };
        Assert.Equal(options, Seq2SeqOptions.FromMetadata(options.ToMetadata(), "m.safetensors"));
        var metadata = options.ToMetadata();
        metadata["seq2seq.attention"] = "luong";
        var error = Assert.Throws<SafeTensorsFormatException>(() => Seq2SeqOptions.FromMetadata(metadata, "m.safetensors"));
        Assert.Contains("seq2seq.attention", error.Message);
        Assert.Contains("none, dot, general, additive", error.Message);
        metadata = options.ToMetadata();
        metadata["seq2seq.target_embedding_size"] = "8";
        error = Assert.Throws<SafeTensorsFormatException>(() => Seq2SeqOptions.FromMetadata(metadata, "m.safetensors"));
        Assert.EndsWith("Tied weights need the target embedding size (8) to equal the decoder's hidden size (9).", error.Message);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1e-30, expected.Max(v => Math.Abs((double)v)));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"[{i}]: reference {expected[i]}, fast {actual[i]}");
        }
    }
}
