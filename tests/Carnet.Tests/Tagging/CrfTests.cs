// Dimension legend: T = time steps, B = batch, K = tags.
using Carnet.Layers;
using Carnet.Tests.Support;

namespace Carnet.Tests.Tagging;

/// <summary>The CRF's forward algorithm, Viterbi and gradient against enumeration of every path, finite differences and a hand-worked case.</summary>
public sealed class CrfTests
{
    /// <summary>Every path's score of sequence b, by enumeration: (K^L) scores, path p's tags read as the base-K digits of p.</summary>
    private static double[] AllPathScores(Crf<double> crf, Tensor<double> emissions, int b, int length)
    {
        int tags = crf.TagCount, batch = emissions.Shape[1];
        int count = (int)Math.Pow(tags, length);
        var scores = new double[count];
        for (int p = 0; p < count; p++)
        {
            int[] path = Path(p, tags, length);
            double score = crf.StartTransitions.Value[path[0]] + crf.EndTransitions.Value[path[^1]];
            for (int t = 0; t < length; t++)
            {
                score += emissions.Span[(t * batch + b) * tags + path[t]];
                if (t > 0)
                {
                    score += crf.Transitions.Value[path[t - 1], path[t]];
                }
            }

            scores[p] = score;
        }

        return scores;
    }

    private static int[] Path(int index, int tags, int length)
    {
        var path = new int[length];
        for (int t = length - 1; t >= 0; t--)
        {
            path[t] = index % tags;
            index /= tags;
        }

        return path;
    }

    private static double LogSumExp(double[] values)
    {
        double max = values.Max();
        return max + Math.Log(values.Sum(v => Math.Exp(v - max)));
    }

    private static (Crf<double> Crf, Tensor<double> Emissions, int[] Lengths, int[] Gold) Case(ulong seed, int steps, int[] lengths, int tags = 3, double spread = 1)
    {
        var random = new RandomSource(seed);
        var crf = new Crf<double>(tags, random);
        random.FillGaussian(crf.ParameterValues.Span, 0, 1);
        var emissions = GradientCheck.Normal(random, steps, lengths.Length, tags);
        for (int i = 0; i < emissions.Length; i++)
        {
            emissions.Span[i] *= spread;
        }

        var gold = new int[steps * lengths.Length]; // (T, B)
        for (int i = 0; i < gold.Length; i++)
        {
            gold[i] = random.NextInt(tags);
        }

        return (crf, emissions, lengths, gold);
    }

    [Theory]
    [InlineData(1UL, 4, new[] { 4, 1, 3, 2 })]
    [InlineData(2UL, 3, new[] { 2, 3 })]
    [InlineData(3UL, 1, new[] { 1 })]
    public void LogPartitionViterbiAndGoldScoreMatchEnumerationOfEveryPath(ulong seed, int steps, int[] lengths)
    {
        var (crf, emissions, _, gold) = Case(seed, steps, lengths);
        var result = crf.Forward(emissions, lengths, gold);
        int[] decoded = crf.Decode(emissions, lengths);
        for (int b = 0; b < lengths.Length; b++)
        {
            double[] scores = AllPathScores(crf, emissions, b, lengths[b]);
            Assert.Equal(LogSumExp(scores), result.LogPartition[b], 12);
            int best = Array.IndexOf(scores, scores.Max());
            int[] bestPath = Path(best, crf.TagCount, lengths[b]);
            Assert.Equal(bestPath, Enumerable.Range(0, lengths[b]).Select(t => decoded[t * lengths.Length + b]));
            Assert.All(Enumerable.Range(lengths[b], steps - lengths[b]), t => Assert.Equal(-1, decoded[t * lengths.Length + b]));
            int goldIndex = Enumerable.Range(0, lengths[b]).Aggregate(0, (index, t) => index * crf.TagCount + gold[t * lengths.Length + b]);
            Assert.Equal(scores[goldIndex], result.GoldScore[b], 12);
        }
    }

    [Fact]
    public void LargeEmissionsInSinglePrecisionStayFiniteAndAccurate()
    {
        int[] lengths = [4, 3];
        var (reference, emissions, _, gold) = Case(5, 4, lengths, spread: 40);
        var crf = new Crf<float>(3);
        for (int i = 0; i < crf.ParameterValues.Length; i++)
        {
            crf.ParameterValues.Span[i] = (float)reference.ParameterValues.Span[i];
        }

        var result = crf.Forward(Tensor<float>.FromDoubles(emissions.Span, 4, 2, 3), lengths, gold);
        for (int b = 0; b < lengths.Length; b++)
        {
            double exact = LogSumExp(AllPathScores(reference, emissions, b, lengths[b]));
            Assert.True(Math.Abs(result.LogPartition[b] - exact) < 1e-4 * Math.Abs(exact), $"{result.LogPartition[b]} vs {exact}");
        }
    }

    [Fact]
    public void HandWorkedTwoStepExample()
    {
        // K = 2: start (1, 0), end (0, 1), transitions [[0, 2], [1, 0]] (from, to), emissions (0, 1) then (1, 0).
        // Path scores: (0,0) 1+0+0+1+0 = 2, (0,1) 1+0+2+0+1 = 4, (1,0) 0+1+1+1+0 = 3, (1,1) 0+1+0+0+1 = 2.
        var crf = new Crf<double>(2);
        double[] values = [1, 0, 0, 1, 0, 2, 1, 0];
        values.CopyTo(crf.ParameterValues.Span);
        var emissions = Tensor<double>.FromValues([0, 1, 1, 0], 2, 1, 2);
        var result = crf.Forward(emissions, [2], [1, 0]);
        double z = 2 * Math.Exp(2) + Math.Exp(3) + Math.Exp(4);
        Assert.Equal(Math.Log(z), result.LogPartition[0], 14);
        Assert.Equal(4.4938117, result.LogPartition[0], 6);
        Assert.Equal(3.0, result.GoldScore[0], 14);
        Assert.Equal(Math.Log(z) - 3, result.NegativeLogLikelihood, 14);
        Assert.Equal([0, 1], crf.Decode(emissions, [2]));

        // d NLL / d start[0] = P(y_0 = 0) − [gold y_0 = 0] = (e² + e⁴)/Z − 0; d/d transitions[1, 0] = P(1, 0) − 1 = e³/Z − 1
        var dEmissions = crf.Backward(result, 1.0);
        Assert.Equal((Math.Exp(2) + Math.Exp(4)) / z, crf.StartTransitions.Gradient[0], 14);
        Assert.Equal(Math.Exp(3) / z - 1, crf.Transitions.Gradient[1, 0], 14);
        Assert.Equal(Math.Exp(4) / z, crf.Transitions.Gradient[0, 1], 14);
        Assert.Equal((Math.Exp(2) + Math.Exp(3)) / z - 1, dEmissions[1, 0, 0], 14); // P(y_1 = 0) − [gold y_1 = 0]
    }

    [Theory]
    [InlineData(11UL, 5, new[] { 5, 2, 4 }, 3)]
    [InlineData(12UL, 3, new[] { 1, 3 }, 5)]
    public void GradientOfTheNegativeLogLikelihoodMatchesFiniteDifferences(ulong seed, int steps, int[] lengths, int tags)
    {
        var (crf, emissions, _, gold) = Case(seed, steps, lengths, tags);
        const double scale = 0.7;
        double Loss() => scale * crf.Forward(emissions, lengths, gold).NegativeLogLikelihood;
        crf.ZeroGradients();
        var dEmissions = crf.Backward(crf.Forward(emissions, lengths, gold), scale);
        int checkedCount = GradientCheck.Check("emissions", emissions, dEmissions.Span, Loss);
        foreach (var parameter in crf.Parameters)
        {
            checkedCount += GradientCheck.Check(parameter.Name, parameter.Value, parameter.Gradient.Span.ToArray(), Loss);
        }

        Assert.Equal(steps * lengths.Length * tags + 2 * tags + tags * tags, checkedCount);
        int shorter = Array.FindIndex(lengths, l => l < steps);
        Assert.All(Enumerable.Range(0, tags), k => Assert.Equal(0.0, dEmissions[steps - 1, shorter, k])); // a padded step has no gradient
    }
}
