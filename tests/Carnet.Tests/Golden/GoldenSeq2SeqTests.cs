using System.Globalization;
using System.Numerics;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tests.Golden;

/// <summary>
/// Parity of <see cref="Seq2SeqModel{T}"/> with its PyTorch twin (tests/golden/generate_seq2seq.py): every file in
/// golden/seq2seq is rebuilt from its metadata, loaded strictly, and run forward and backward on its batch. The encoder
/// memory, logits, attention weights, loss and every parameter gradient agree within 1e-12 (double) or 1e-5 (float) of
/// each tensor's largest magnitude.
/// </summary>
public sealed class GoldenSeq2SeqTests
{
    public static TheoryData<string, string> Files => GoldenFiles.In("seq2seq");

    [Theory]
    [MemberData(nameof(Files))]
    public void DoubleModelFollowsPyTorch(string source, string file) => Run<double>(GoldenFiles.Read(source, "seq2seq", file), 1e-12);

    [Theory]
    [MemberData(nameof(Files))]
    public void FloatModelFollowsPyTorch(string source, string file) => Run<float>(GoldenFiles.Read(source, "seq2seq", file), 1e-5);

    /// <summary>The options a reference file's metadata describes.</summary>
    internal static (Seq2SeqOptions Options, double Smoothing) OptionsOf(SafeTensorsFile golden)
    {
        var meta = golden.Metadata;
        int Int(string key) => int.Parse(meta[key], CultureInfo.InvariantCulture);
        RecurrentCellKind Cell(string key) => RecurrentCells.Parse(meta[key]) ?? throw new InvalidDataException($"unknown cell '{meta[key]}'");
        var options = new Seq2SeqOptions
        {
            SourceVocabularySize = Int("source_vocab_size"), TargetVocabularySize = Int("target_vocab_size"),
            SourceEmbeddingSize = Int("source_embedding_size"), TargetEmbeddingSize = Int("target_embedding_size"),
            EncoderCell = Cell("encoder_cell"), EncoderHiddenSize = Int("encoder_hidden"), EncoderLayers = Int("encoder_layers"),
            Bidirectional = meta["bidirectional"] == "true",
            DecoderCell = Cell("decoder_cell"), DecoderHiddenSize = Int("decoder_hidden"), DecoderLayers = Int("decoder_layers"),
            Attention = Seq2SeqOptions.AttentionNames.Single(a => a.Name == meta["attention"]).Value,
            InputFeeding = meta["input_feeding"] == "true",
            Bridge = meta["bridge"] == "linear" ? Seq2SeqBridge.Linear : Seq2SeqBridge.None,
            TieWeights = meta["tied"] == "true",
        };
        return (options, double.Parse(meta["label_smoothing"], CultureInfo.InvariantCulture));
    }

    private static void Run<T>(SafeTensorsFile golden, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (options, smoothing) = OptionsOf(golden);
        var model = new Seq2SeqModel<T>(options, new RandomSource(0));
        var parameterNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (prefix, module) in model.Modules)
        {
            StateDictionary.Load(module, golden, prefix);
            parameterNames.UnionWith(module.Parameters.Select(p => prefix + p.Name));
        }

        var unused = golden.Tensors.Select(t => t.Name).Where(n => golden.Contains("grad." + n) && !parameterNames.Contains(n)).ToList();
        Assert.True(unused.Count == 0, $"parameters in the file that the model lacks: {string.Join(", ", unused)}");

        int batchSize = golden["source_lengths"].Shape[0];
        var batch = new Seq2SeqBatch(
            golden["source"].ToInt32Array(), golden["source_lengths"].ToInt32Array(), golden["decoder_input"].ToInt32Array(), golden["targets"].ToInt32Array(), batchSize);
        using var result = model.Forward(batch);
        Expect(golden, "memory", result.Encoding.Memory.Values.Span, tolerance);
        Expect(golden, "logits", result.Logits().Span, tolerance);
        if (options.Attention != AttentionScore.None)
        {
            Expect(golden, "attention", result.AttentionWeights().Span, tolerance);
        }

        int rows = batch.Batch * batch.TargetSteps;
        var logits = new Tensor<T>(result.LogitsTimeMajor, rows, options.TargetVocabularySize);
        var gradient = Tensor<T>.Zeros(rows, options.TargetVocabularySize);
        T loss = Losses.CrossEntropy(logits, batch.TargetsTimeMajor(), gradient, ignoreIndex: 0, labelSmoothing: smoothing);
        Expect(golden, "loss", [loss], tolerance);
        model.ZeroGradients();
        model.Backward(result, gradient.Span);
        foreach (var (prefix, module) in model.Modules)
        {
            foreach (var parameter in module.Parameters)
            {
                Expect(golden, "grad." + prefix + parameter.Name, parameter.Gradient.Span, tolerance);
            }
        }
    }

    private static void Expect<T>(SafeTensorsFile golden, string name, ReadOnlySpan<T> actual, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] expected = golden[name].ToDoubleArray();
        Assert.True(expected.Length == actual.Length, $"{name}: {actual.Length} values, the file has {expected.Length}");
        double scale = Math.Max(expected.Max(Math.Abs), 1e-30);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(double.CreateTruncating(actual[i]) - expected[i]);
            Assert.True(error <= tolerance * scale,
                $"{name}[{i}]: {double.CreateTruncating(actual[i]):R}, PyTorch {expected[i]:R} (error {error:E2}, allowed {tolerance * scale:E2})");
        }
    }
}
