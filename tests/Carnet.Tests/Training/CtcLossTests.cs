using Carnet.Kernels;
using Carnet.Tests.Support;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>
/// The CTC loss against the sum over every frame-by-frame path (enumerated on small cases), its gradient against
/// central finite differences in double (odd sizes, repeats in the target, a blank other than 0, samples shorter than
/// the batch's frames), PyTorch's reductions and zero_infinity, and greedy and prefix beam-search decoding against
/// the most probable labelling found by enumeration.
/// </summary>
public sealed class CtcLossTests
{
    /// <summary>(T, N, C) log-probabilities: log_softmax of standard normal logits over C.</summary>
    private static Tensor<double> LogProbabilities(RandomSource random, int frames, int batch, int classes)
    {
        var values = GradientCheck.Normal(random, frames, batch, classes);
        var span = values.Span;
        for (int row = 0; row < frames * batch; row++)
        {
            var logits = span.Slice(row * classes, classes);
            double largest = double.NegativeInfinity, sum = 0;
            foreach (double v in logits)
            {
                largest = Math.Max(largest, v);
            }

            foreach (double v in logits)
            {
                sum += Math.Exp(v - largest);
            }

            for (int c = 0; c < classes; c++)
            {
                logits[c] -= largest + Math.Log(sum);
            }
        }

        return values;
    }

    /// <summary>The labelling a path stands for: repeats merged, then blanks removed.</summary>
    private static int[] Collapse(IReadOnlyList<int> path, int blank)
        => [.. path.Where((symbol, t) => symbol != blank && (t == 0 || path[t - 1] != symbol))];

    /// <summary>Every labelling with its probability, summed over all C^T paths of one sample (row n of the batch).</summary>
    private static Dictionary<string, double> Labellings(Tensor<double> logProbabilities, int n, int frames, int blank)
    {
        int batch = logProbabilities.Shape[1], classes = logProbabilities.Shape[2];
        var result = new Dictionary<string, double>();
        int paths = (int)Math.Pow(classes, frames);
        for (int code = 0; code < paths; code++)
        {
            var path = new int[frames];
            double logP = 0;
            for (int t = 0, rest = code; t < frames; t++, rest /= classes)
            {
                path[t] = rest % classes;
                logP += logProbabilities.Span[(((t * batch) + n) * classes) + path[t]];
            }

            string key = string.Join(",", Collapse(path, blank));
            result[key] = result.GetValueOrDefault(key) + Math.Exp(logP);
        }

        return result;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void TheLossIsMinusTheLogOfEveryPathsProbability(int blank)
    {
        var random = new RandomSource(11);
        const int frames = 6, classes = 3;
        var logProbabilities = LogProbabilities(random, frames, 4, classes);
        int[][] targets = blank == 0 ? [[1, 2], [1, 1], [], [2, 1, 2]] : [[0, 1], [1, 1], [], [0, 1, 0]];
        int[] inputLengths = [6, 5, 3, 6];
        var unreduced = Tensor<double>.Zeros(4);
        var gradient = Tensor<double>.Zeros(frames, 4, classes);
        Losses.CtcLoss(
            logProbabilities, [.. targets.SelectMany(t => t)], inputLengths, [.. targets.Select(t => t.Length)], gradient, new(blank, Reduction.Sum), unreduced);
        for (int n = 0; n < 4; n++)
        {
            double p = Labellings(logProbabilities, n, inputLengths[n], blank).GetValueOrDefault(string.Join(",", targets[n]));
            Assert.Equal(-Math.Log(p), unreduced.Span[n], 12);
        }
    }

    [Theory]
    [InlineData(0, Reduction.Mean)]
    [InlineData(0, Reduction.Sum)]
    [InlineData(4, Reduction.Mean)]
    public void TheGradientMatchesFiniteDifferences(int blank, Reduction reduction)
    {
        var random = new RandomSource(23);
        const int frames = 9, batch = 3, classes = 5;
        var logProbabilities = LogProbabilities(random, frames, batch, classes);
        int[] targets = blank == 0 ? [1, 1, 3, 4, 2, 2, 2] : [0, 0, 3, 1, 2, 2, 2];
        int[] inputLengths = [9, 7, 8], targetLengths = [3, 1, 3]; // the third repeats one symbol three times: 5 frames at least
        var gradient = Tensor<double>.Zeros(frames, batch, classes);
        Losses.CtcLoss(logProbabilities, targets, inputLengths, targetLengths, gradient, new(blank, reduction));
        double Loss() => Losses.CtcLoss(logProbabilities, targets, inputLengths, targetLengths, Tensor<double>.Zeros(frames, batch, classes), new(blank, reduction));
        Assert.Equal(frames * batch * classes, GradientCheck.Check("log y", logProbabilities, gradient.Span, Loss));
        for (int t = 7; t < frames; t++)
        {
            Assert.All(gradient.Span.Slice(((t * batch) + 1) * classes, classes).ToArray(), g => Assert.Equal(0, g)); // past sample 1's frames
        }
    }

    [Fact]
    public void TheMeanDividesByTargetLengthsThenByTheBatch()
    {
        var random = new RandomSource(5);
        var logProbabilities = LogProbabilities(random, 5, 2, 4);
        int[] targets = [1, 2, 3], inputLengths = [5, 5], targetLengths = [2, 1];
        var unreduced = Tensor<double>.Zeros(2);
        var gradient = Tensor<double>.Zeros(5, 2, 4);
        double sum = Losses.CtcLoss(logProbabilities, targets, inputLengths, targetLengths, gradient, new(Reduction: Reduction.Sum), unreduced);
        double mean = Losses.CtcLoss(logProbabilities, targets, inputLengths, targetLengths, gradient);
        Assert.Equal(unreduced.Span[0] + unreduced.Span[1], sum, 14);
        Assert.Equal(((unreduced.Span[0] / 2) + unreduced.Span[1]) / 2, mean, 14);
    }

    [Fact]
    public void AnImpossibleTargetLosesInfinityOrZeroWithZeroInfinity()
    {
        var random = new RandomSource(9);
        var logProbabilities = LogProbabilities(random, 3, 2, 4);
        int[] targets = [1, 1, 2, 3], inputLengths = [2, 3], targetLengths = [2, 2]; // sample 0 needs 3 frames for "1 1"
        var gradient = Tensor<double>.Zeros(3, 2, 4);
        var unreduced = Tensor<double>.Zeros(2);
        double loss = Losses.CtcLoss(logProbabilities, targets, inputLengths, targetLengths, gradient, unreducedLosses: unreduced);
        Assert.True(double.IsPositiveInfinity(loss));
        Assert.True(double.IsNaN(gradient.Span[0]), "the gradient of an infinite loss is NaN, as PyTorch's");

        double zeroed = Losses.CtcLoss(logProbabilities, targets, inputLengths, targetLengths, gradient, new(ZeroInfinity: true), unreduced);
        Assert.Equal(0, unreduced.Span[0]);
        Assert.Equal(unreduced.Span[1] / 2 / 2, zeroed, 14);
        for (int t = 0; t < 3; t++)
        {
            Assert.All(gradient.Span.Slice(t * 8, 4).ToArray(), g => Assert.Equal(0, g));
            Assert.Contains(gradient.Span.Slice((t * 8) + 4, 4).ToArray(), g => g != 0);
        }
    }

    [Fact]
    public void BadArgumentsAreRefusedNamingTheValue()
    {
        var logProbabilities = Tensor<double>.Zeros(4, 1, 3);
        var gradient = Tensor<double>.Zeros(4, 1, 3);
        Assert.Contains("targets[1] is 0", Assert.Throws<ArgumentException>(() => Losses.CtcLoss(logProbabilities, [1, 0], [4], [2], gradient)).Message);
        Assert.Contains("targets[0] is 3", Assert.Throws<ArgumentException>(() => Losses.CtcLoss(logProbabilities, [3], [4], [1], gradient)).Message);
        Assert.Contains("input length 5", Assert.Throws<ArgumentException>(() => Losses.CtcLoss(logProbabilities, [1], [5], [1], gradient)).Message);
        Assert.Contains("add up to 2", Assert.Throws<ArgumentException>(() => Losses.CtcLoss(logProbabilities, [1], [4], [2], gradient)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CtcLoss(logProbabilities, [1], [4], [1], gradient, new(Blank: 3)));
    }

    [Fact]
    public void GreedyDecodingMergesRepeatsAndDropsBlanks()
    {
        // frames' best symbols: 1 1 0 1 2 2 0 0 → 1 1 2
        int[] best = [1, 1, 0, 1, 2, 2, 0, 0];
        var logProbabilities = new double[best.Length * 3];
        for (int t = 0; t < best.Length; t++)
        {
            for (int c = 0; c < 3; c++)
            {
                logProbabilities[(t * 3) + c] = Math.Log(c == best[t] ? 0.6 : 0.2);
            }
        }

        Assert.Equal([1, 1, 2], CtcKernels.GreedyDecode<double>(logProbabilities, 3, best.Length, 3, blank: 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void PrefixBeamSearchFindsTheMostProbableLabelling(int seed)
    {
        var random = new RandomSource((ulong)seed);
        const int frames = 7, classes = 3;
        var logProbabilities = LogProbabilities(random, frames, 1, classes);
        for (int t = 0; t < frames * classes; t++)
        {
            logProbabilities.Span[t] *= 0.4; // flatter frames: the best labelling is often not the best path's
        }

        var labellings = Labellings(logProbabilities, 0, frames, blank: 0);
        string best = labellings.OrderByDescending(entry => entry.Value).First().Key;
        // a beam of 256 holds more than every prefix of 7 frames over 2 symbols (255): no pruning, so the search is exact
        var decoded = CtcKernels.PrefixBeamSearch<double>(logProbabilities.Span, classes, frames, classes, blank: 0, beamWidth: 256);
        Assert.Equal(best, string.Join(",", decoded));
    }
}
