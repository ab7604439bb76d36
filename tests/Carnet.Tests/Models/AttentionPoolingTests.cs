using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tests.Support;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Models;

/// <summary>
/// Attention pooling: every gradient by finite differences, padded steps ignored exactly, and the weights and the
/// pooled vector against plain softmax arithmetic.
/// </summary>
public sealed class AttentionPoolingTests
{
    private const int Batch = 3, Steps = 5;
    private static readonly int[] Lengths = [5, 2, 4];

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, 5, false)]
    [InlineData(RecurrentCellKind.Gru, 5, false)]
    [InlineData(RecurrentCellKind.Lstm, 3, true)]
    public void GradientsOfEveryParameterAndInputMatchFiniteDifferences(RecurrentCellKind cell, int hidden, bool bidirectional)
    {
        // Each of the 15 positions reads its own embedding row, so embedding.weight's gradient is the input gradient.
        var random = new RandomSource(41);
        var model = new SequenceModel<double>(new SequenceModelOptions
        {
            Cell = cell, Recurrent = new RecurrentOptions { InputSize = 3, HiddenSize = hidden, Bidirectional = bidirectional },
            VocabularySize = Batch * Steps, Pooling = Pooling.Attention, OutputSize = 2,
        }, random);
        var batch = SequenceBatch<double>.FromTokens(Enumerable.Range(0, Batch * Steps).ToArray(), Batch, Steps, Lengths);
        var first = model.Forward(batch);
        var weight = Normal(random, Batch, 2);
        double Loss() => Dot(model.Forward(batch).Prediction, weight);
        model.Backward(first, weight);
        long count = 0;
        foreach (var (prefix, module) in model.Modules)
        {
            foreach (var parameter in module.Parameters)
            {
                count += Check(prefix + parameter.Name, parameter.Value, parameter.Gradient.Span.ToArray(), Loss);
            }
        }

        Assert.Equal(["embedding.", "rnn.", "attention.", "head."], model.Modules.Select(m => m.Prefix));
        Assert.Equal(ModelFile.ParameterCount(model.Options), count);
        var dInput = model.Embedding!.GetParameter("weight").Gradient; // (B·T, I): one row per position
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < Steps; t++)
            {
                double size = dInput.Span.Slice((b * Steps + t) * 3, 3).ToArray().Sum(Math.Abs);
                Assert.True(t < Lengths[b] ? size > 0 : size == 0, $"input gradient at ({b}, {t}) has size {size}");
            }
        }
    }

    [Fact]
    public void KernelGradientsThroughThePooledOutputMatchFiniteDifferences()
    {
        const int width = 7;
        var random = new RandomSource(43);
        var sequence = Normal(random, Batch, Steps, width); // h (B, T, F)
        var scorer = new Linear<double>(width, 1, random: random);
        var dPooled = Normal(random, Batch, width); // (B, F)
        Tensor<double> Pool(Tensor<double> weights)
        {
            var pooled = Tensor<double>.Zeros(Batch, width); // (B, F)
            PoolingKernels.AttentionForward<double>(sequence.Span, scorer.Forward(sequence).Span, Lengths, Batch, Steps, width, weights.Span, pooled.Span);
            return pooled;
        }

        double Loss() => Dot(Pool(Tensor<double>.Zeros(Batch, Steps)), dPooled);
        var alpha = Tensor<double>.Zeros(Batch, Steps); // (B, T)
        Pool(alpha);
        var dScores = Tensor<double>.Zeros(Batch, Steps, 1); // (B, T, 1)
        var dSequence = Tensor<double>.Zeros(Batch, Steps, width); // (B, T, F)
        PoolingKernels.AttentionBackward<double>(sequence.Span, alpha.Span, dPooled.Span, Lengths, Batch, Steps, width, dScores.Span, dSequence.Span);
        var dThroughScores = scorer.Backward(sequence, dScores).Span;
        for (int i = 0; i < dSequence.Length; i++)
        {
            dSequence.Span[i] += dThroughScores[i];
        }

        Check("h", sequence, dSequence.Span, Loss);
        Check("attention.weight", scorer.Weight.Value, scorer.Weight.Gradient.Span.ToArray(), Loss);
        Check("attention.bias", scorer.Bias!.Value, scorer.Bias.Gradient.Span.ToArray(), Loss);
        for (int b = 0; b < Batch; b++)
        {
            for (int t = Lengths[b]; t < Steps; t++)
            {
                Assert.Equal(0.0, dScores[b, t, 0]);
                Assert.All(dSequence.Span.Slice((b * Steps + t) * width, width).ToArray(), d => Assert.Equal(0.0, d));
            }
        }
    }

    [Fact]
    public void PaddedStepsGetWeightZeroAndTheirValuesChangeNothing()
    {
        var model = NumericModel(RecurrentCellKind.Gru, bidirectional: true, seed: 5);
        var input = Normal(new RandomSource(6), Batch, Steps, 2);
        var result = model.Forward(input, Lengths);
        var changed = input.Clone();
        var noise = new RandomSource(7);
        for (int b = 0; b < Batch; b++)
        {
            for (int t = Lengths[b]; t < Steps; t++)
            {
                changed[b, t, 0] = 100 * noise.NextGaussian();
                changed[b, t, 1] = -50 * noise.NextGaussian();
            }
        }

        var other = model.Forward(changed, Lengths);
        Assert.Equal(result.Prediction.ToDoubles(), other.Prediction.ToDoubles());
        Assert.Equal(result.AttentionWeights!.ToDoubles(), other.AttentionWeights!.ToDoubles());
        Assert.NotEqual(result.Prediction.ToDoubles(), model.Forward(changed).Prediction.ToDoubles());
        for (int b = 0; b < Batch; b++)
        {
            double sum = 0;
            for (int t = 0; t < Steps; t++)
            {
                double alpha = result.AttentionWeights[b, t];
                Assert.True(t < Lengths[b] ? alpha > 0 : alpha == 0, $"weight ({b}, {t}) is {alpha}");
                sum += alpha;
            }

            Assert.Equal(1.0, sum, 14);
        }
    }

    [Fact]
    public void ASequenceAloneEqualsItselfInsideAPaddedBatch()
    {
        var model = NumericModel(RecurrentCellKind.Lstm, bidirectional: true, seed: 8);
        var input = Normal(new RandomSource(9), Batch, Steps, 2);
        var padded = model.Forward(input, Lengths);
        for (int b = 0; b < Batch; b++)
        {
            int length = Lengths[b];
            var alone = model.Forward(Tensor<double>.FromValues(input.Span.Slice(b * Steps * 2, length * 2), 1, length, 2));
            Close.Assert($"prediction {b}", padded.Prediction.Span.Slice(b * 2, 2), alone.Prediction.Span, 1e-13);
            Close.Assert($"weights {b}", padded.AttentionWeights!.Span.Slice(b * Steps, length), alone.AttentionWeights!.Span, 1e-13);
        }
    }

    [Fact]
    public void PooledVectorIsTheSoftmaxWeightedSumOfTheSteps()
    {
        var model = NumericModel(RecurrentCellKind.Lstm, bidirectional: false, seed: 10);
        double[] w = [0.7, -1.3, 2.1, 0.4, -0.9];
        const double bias = 0.25;
        w.CopyTo(model.Attention!.Weight.Value.Span);
        model.Attention.Bias!.Value.Span[0] = bias;
        var result = model.Forward(Normal(new RandomSource(11), Batch, Steps, 2), Lengths);
        var h = result.Recurrent.Output; // (B, T, F)
        var headWeight = model.Head.Weight.Value;
        var headBias = model.Head.Bias!.Value;
        for (int b = 0; b < Batch; b++)
        {
            int length = Lengths[b];
            double[] scores = Enumerable.Range(0, length).Select(t => bias + Enumerable.Range(0, 5).Sum(j => w[j] * h[b, t, j])).ToArray();
            double[] exponentials = scores.Select(s => Math.Exp(s - scores.Max())).ToArray();
            double[] alpha = exponentials.Select(e => e / exponentials.Sum()).ToArray();
            double[] pooled = Enumerable.Range(0, 5).Select(j => Enumerable.Range(0, length).Sum(t => alpha[t] * h[b, t, j])).ToArray();
            double[] prediction = Enumerable.Range(0, 2).Select(o => headBias[o] + Enumerable.Range(0, 5).Sum(j => headWeight[o, j] * pooled[j])).ToArray();
            Close.Assert($"weights {b}", alpha, result.AttentionWeights!.Span.Slice(b * Steps, length), 1e-15);
            Close.Assert($"prediction {b}", prediction, result.Prediction.Span.Slice(b * 2, 2), 1e-14);
        }
    }

    [Fact]
    public void ScoresThatOverflowSinglePrecisionGiveTheStableSoftmaxAndPaddingIsNeverRead()
    {
        // exp(101) overflows float; the padded step holds NaN in both h and its score, and must not be read.
        float[] sequence = [2, 1, 4, -1, -3, 3, float.NaN, float.NaN]; // (1, 4, 2)
        float[] scores = [100, 101, 99, float.NaN]; // (1, 4)
        float[] weights = new float[4], pooled = new float[2];
        PoolingKernels.AttentionForward<float>(sequence, scores, [3], 1, 4, 2, weights, pooled);
        double total = Math.Exp(-1) + 1 + Math.Exp(-2);
        double[] alpha = [Math.Exp(-1) / total, 1 / total, Math.Exp(-2) / total, 0];
        double[] expected = [2 * alpha[0] + 4 * alpha[1] - 3 * alpha[2], alpha[0] - alpha[1] + 3 * alpha[2]];
        Close.Assert("weights", alpha, weights.Select(v => (double)v).ToArray(), 1e-7);
        Close.Assert("pooled", expected, pooled.Select(v => (double)v).ToArray(), 1e-6);
        Assert.Equal(0f, weights[3]);
    }

    private static SequenceModel<double> NumericModel(RecurrentCellKind cell, bool bidirectional, ulong seed)
        => new(cell, new RecurrentOptions { InputSize = 2, HiddenSize = bidirectional ? 3 : 5, Bidirectional = bidirectional }, 2, Pooling.Attention,
            new RandomSource(seed));
}
