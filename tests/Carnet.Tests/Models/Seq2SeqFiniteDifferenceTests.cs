using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Models;

/// <summary>
/// Finite differences in double precision for every parameter of the sequence-to-sequence model (B = 3, S = 5, T = 4,
/// odd sizes), over each attention score, cell, bridge, input feeding, tying, label smoothing, dropout and teacher forcing.
/// </summary>
public sealed class Seq2SeqFiniteDifferenceTests
{
    public static TheoryData<string> Cases => new(Seq2SeqCases.Names);

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryParameterGradientMatchesFiniteDifferences(string name)
    {
        var (options, smoothing, dropout, teacherForcing) = Seq2SeqCases.Get(name);
        options = options with { Dropout = dropout };
        var model = new Seq2SeqModel<double>(options, new RandomSource(3));
        var batch = Seq2SeqCases.Batch(options, new RandomSource(4));
        double Loss(bool backward)
        {
            using var result = model.Forward(batch, training: true, new RandomSource(5), teacherForcing);
            var logits = new Tensor<double>(result.LogitsTimeMajor, batch.Batch * batch.TargetSteps, options.TargetVocabularySize);
            var gradient = Tensor<double>.Zeros(logits.Shape.ToArray());
            double loss = Losses.CrossEntropy(logits, batch.TargetsTimeMajor(), gradient, ignoreIndex: 0, labelSmoothing: smoothing);
            if (backward)
            {
                model.Backward(result, gradient.Span);
            }

            return loss;
        }

        model.ZeroGradients();
        Loss(backward: true);
        int checkedCount = 0;
        foreach (var (prefix, module) in model.Modules)
        {
            foreach (var parameter in module.Parameters)
            {
                checkedCount += Check(prefix + parameter.Name, parameter.Value, parameter.Gradient.Span.ToArray(), () => Loss(backward: false));
            }
        }

        Assert.True(checkedCount > 500, $"only {checkedCount} elements checked");
    }
}

/// <summary>Small odd-sized configurations shared by the sequence-to-sequence tests.</summary>
internal static class Seq2SeqCases
{
    private static readonly Seq2SeqOptions Base = new()
    {
        SourceVocabularySize = 11, TargetVocabularySize = 13, SourceEmbeddingSize = 6, TargetEmbeddingSize = 5, EncoderHiddenSize = 5,
        DecoderHiddenSize = 7, Bidirectional = false, Attention = AttentionScore.General,
    };

    private static readonly Dictionary<string, (Seq2SeqOptions Options, double Smoothing, double Dropout, double TeacherForcing)> All = new()
    {
        ["lstm_general_feeding_bidirectional_stacked"] = (Base with { Bidirectional = true, EncoderLayers = 2, DecoderLayers = 2 }, 0, 0, 1),
        ["gru_additive_no_feeding"] = (Base with
        {
            EncoderCell = RecurrentCellKind.Gru,
            DecoderCell = RecurrentCellKind.Gru,
            Attention = AttentionScore.Additive,
            InputFeeding = false
        }, 0, 0, 1),
        ["rnn_encoder_dot_lstm_decoder"] = (Base with { EncoderCell = RecurrentCellKind.Rnn, EncoderHiddenSize = 7, Attention = AttentionScore.Dot }, 0, 0, 1),
        ["no_attention_linear_bridge"] = (Base with { DecoderCell = RecurrentCellKind.Gru, Attention = AttentionScore.None, InputFeeding = false }, 0, 0, 1),
        ["no_bridge_additive_feeding_smoothing"] = (Base with { Bridge = Seq2SeqBridge.None, Attention = AttentionScore.Additive }, 0.1, 0, 1),
        ["tied_smoothing"] = (Base with { TargetEmbeddingSize = 7, TieWeights = true }, 0.1, 0, 1),
        ["bidirectional_gru_one_layer_into_two"] = (Base with { EncoderCell = RecurrentCellKind.Gru, Bidirectional = true, DecoderLayers = 2 }, 0, 0, 1),
        ["dropout_teacher_forcing_half"] = (Base with { Bidirectional = true, EncoderLayers = 2, DecoderLayers = 2 }, 0.1, 0.3, 0.5),
    };

    public static IEnumerable<string> Names => All.Keys;

    public static (Seq2SeqOptions Options, double Smoothing, double Dropout, double TeacherForcing) Get(string name) => All[name];

    /// <summary>B = 3 sources of S = 5 steps with lengths 5, 2, 4; T = 4 target steps, the second sequence padded after two.</summary>
    public static Seq2SeqBatch Batch(Seq2SeqOptions options, RandomSource random)
    {
        int[] lengths = [5, 2, 4];
        var source = new int[3 * 5];
        var decoderInput = new int[3 * 4];
        var targets = new int[3 * 4];
        int[] targetLengths = [4, 2, 3];
        for (int b = 0; b < 3; b++)
        {
            for (int s = 0; s < lengths[b]; s++)
            {
                source[b * 5 + s] = 4 + random.NextInt(options.SourceVocabularySize - 4);
            }

            for (int t = 0; t < targetLengths[b]; t++)
            {
                targets[b * 4 + t] = t == targetLengths[b] - 1 ? 3 : 4 + random.NextInt(options.TargetVocabularySize - 4);
                decoderInput[b * 4 + t] = t == 0 ? 2 : targets[b * 4 + t - 1];
            }
        }

        return new Seq2SeqBatch(source, lengths, decoderInput, targets, 3);
    }
}
