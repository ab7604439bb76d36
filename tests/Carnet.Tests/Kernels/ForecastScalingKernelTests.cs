using Carnet.Kernels;
using Carnet.Tasks.Forecasting;

namespace Carnet.Tests.Kernels;

/// <summary>The forecasting and scaling kernels against values worked out by hand.</summary>
public sealed class ForecastScalingKernelTests
{
    private const double Exact = 1e-15;

    [Fact]
    public void LinearTrendExplainsAllOfALineAndNothingOfAConstant()
    {
        Assert.Equal(1.0, ForecastKernels.LinearTrendExplainedVariance([1, 3, 5, 7]), Exact);
        Assert.Equal(1.0, ForecastKernels.LinearTrendExplainedVariance([9, 6, 3, 0, -3]), Exact);
        Assert.Equal(0.0, ForecastKernels.LinearTrendExplainedVariance([4, 4, 4, 4]));
        Assert.Equal(0.0, ForecastKernels.LinearTrendExplainedVariance([2.5]));
    }

    [Fact]
    public void LinearTrendExplainedVarianceByHand()
    {
        // t = 0, 1, 2; y = 1, 3, 2: dt = −1, 0, 1; dy = −1, 1, 0; cov 1, var t 2, var y 2: R² = 1 / 4
        Assert.Equal(0.25, ForecastKernels.LinearTrendExplainedVariance([1, 3, 2]));
        // t = 0..3; y = 2, 0, 4, 6: dt = ±1.5, ±0.5; dy = −1, −3, 1, 3; cov 8, var t 5, var y 20: R² = 64 / 100
        Assert.Equal(0.64, ForecastKernels.LinearTrendExplainedVariance([2, 0, 4, 6]));
    }

    [Fact]
    public void LevelSpreadByHand()
    {
        // blocks of 2: (1, 3) mean 2 sd 1; (4, 8) mean 6 sd 2; (7, 15) mean 11 sd 4; the trailing 100 is no whole block.
        // means − 19/3 = −13/3, −1/3, 14/3; sds − 7/3 = −4/3, −1/3, 5/3: r = 123 / √(366 · 42); ratio 11 / 2
        var (correlation, ratio) = ForecastKernels.LevelSpread([1, 3, 4, 8, 7, 15, 100], 2);
        Assert.Equal(123 / Math.Sqrt(366.0 * 42), correlation, 1e-14);
        Assert.Equal(0.99206, correlation, 5);
        Assert.Equal(5.5, ratio);
    }

    [Fact]
    public void LevelSpreadOfASpreadThatShrinksWithTheLevel()
    {
        // blocks (10, 14) mean 12 sd 2; (19, 21) mean 20 sd 1; (30, 30) mean 30 sd 0: perfectly negative
        var (correlation, ratio) = ForecastKernels.LevelSpread([10, 14, 19, 21, 30, 30], 2);
        Assert.True(correlation < -0.99, $"correlation {correlation}");
        Assert.Equal(2.5, ratio);
    }

    [Fact]
    public void LevelSpreadWithAConstantSpreadOrANonPositiveLevel()
    {
        // every block has sd 1: no correlation to speak of
        var (correlation, ratio) = ForecastKernels.LevelSpread([1, 3, 5, 7, 9, 11], 2);
        Assert.Equal(0.0, correlation);
        Assert.Equal(5.0, ratio);
        // the lowest block mean is 0: the ratio is unbounded
        Assert.Equal(double.PositiveInfinity, ForecastKernels.LevelSpread([-1, 1, 2, 6], 2).LevelRatio);
    }

    [Fact]
    public void WindowFillsInputAndTargetAtTheOrigin()
    {
        double[] modelled = [10, 11, 12, 13, 14, 15, 16];
        double[] features = new double[7 * 2]; // (N, K): feature k at step t is 100·(k + 1) + t
        for (int t = 0; t < 7; t++)
        {
            features[2 * t] = 100 + t;
            features[2 * t + 1] = 200 + t;
        }

        var input = new double[3 * 3]; // (W, 1 + K)
        var target = new double[2]; // (H)
        ForecastKernels.Window<double>(modelled, features, 2, origin: 4, window: 3, input, target);
        Assert.Equal([11.0, 101, 201, 12, 102, 202, 13, 103, 203], input);
        Assert.Equal([14.0, 15], target);

        var single = new float[2];
        ForecastKernels.Window<float>(modelled, [], 0, origin: 7, window: 2, single, Span<float>.Empty);
        Assert.Equal([15f, 16f], single);
    }

    [Fact]
    public void WindowAtTheFirstPossibleOriginReadsStepZero()
    {
        var input = new double[2];
        var target = new double[3];
        ForecastKernels.Window<double>([5, 6, 7, 8, 9], [], 0, origin: 2, window: 2, input, target);
        Assert.Equal([5.0, 6], input);
        Assert.Equal([7.0, 8, 9], target);
    }

    [Theory]
    [InlineData(0, new double[0], new[] { 2.5, -0.5, 4.5 })]
    [InlineData(1, new[] { 10.0 }, new[] { 12.5, 12.0, 16.5 })]
    [InlineData(2, new[] { 10.0, 20.0 }, new[] { 12.5, 19.5, 17.0 })]
    public void RestoreWithoutLogarithm(int lag, double[] previous, double[] expected)
    {
        // x = output · 2 + 0.5 = 2.5, −0.5, 4.5; with a lag L each level adds x to the level L steps before it
        // (lag 2: 10 + 2.5, 20 − 0.5, then 12.5 + 4.5 from the forecast itself)
        var destination = new double[3];
        ForecastKernels.Restore([1, -0.5, 2], previous, lag, logarithm: false, 0.5, 2, destination);
        Assert.Equal(expected, destination);
    }

    [Fact]
    public void RestoreWithLogarithm()
    {
        var destination = new double[3];
        ForecastKernels.Restore([1, -0.5, 2], [], 0, logarithm: true, 0.5, 2, destination);
        Assert.Equal([Math.Exp(2.5), Math.Exp(-0.5), Math.Exp(4.5)], destination);

        // logged levels 1 + 2.5 = 3.5, 3.5 − 0.5 = 3, 3 + 4.5 = 7.5
        ForecastKernels.Restore([1, -0.5, 2], [1], 1, logarithm: true, 0.5, 2, destination);
        Assert.Equal([Math.Exp(3.5), Math.Exp(3), Math.Exp(7.5)], destination);
    }

    [Fact]
    public void HorizonErrorIsTheMeanErrorOfTheNaiveAndSeasonalNaiveForecasts()
    {
        // values 1, 3, 2, 4, 3, 5 (period 2 plus a trend); horizon 2
        double[] values = [1, 3, 2, 4, 3, 5];
        // naive, origins 1..4: |3−1|,|2−1|; |2−3|,|4−3|; |4−2|,|3−2|; |3−4|,|5−4| → 10 / 8
        Assert.Equal(10.0 / 8, ForecastKernels.HorizonError(values, 2, 1), 14);
        // seasonal naive (m = 2), origins 2..4: |2−1|,|4−3|; |4−3|,|3−2|... each is 1 → 1
        Assert.Equal(1.0, ForecastKernels.HorizonError(values, 2, 2), 14);
    }

    [Fact]
    public void LaggedDifferenceLeavesTheFirstLagEntries()
    {
        var destination = new double[] { -1, -1, -1, -1, -1 };
        ForecastKernels.LaggedDifference([1, 2, 4, 7, 11], 2, destination);
        Assert.Equal([-1.0, -1, 3, 5, 7], destination);
    }

    [Fact]
    public void ColumnMomentsReadOnlyTheFirstRows()
    {
        // (3, 2) and a fourth row that must be ignored; column 0: 1, 2, 6 (mean 3, var 14/3); column 1: 10, 20, 30 (mean 20, var 200/3)
        double[] values = [1, 10, 2, 20, 6, 30, 999, -999];
        var means = new double[2];
        var deviations = new double[2];
        ScalingKernels.ColumnMoments(values, 2, 3, means, deviations);
        Assert.Equal(3.0, means[0], 1e-14);
        Assert.Equal(20.0, means[1], 1e-14);
        Assert.Equal(Math.Sqrt(14.0 / 3), deviations[0], 1e-14);
        Assert.Equal(Math.Sqrt(200.0 / 3), deviations[1], 1e-14);
    }

    [Fact]
    public void MaskedColumnMomentsIgnoreThePadding()
    {
        // (N = 2, T = 3, C = 2): sequence 0 has 3 steps (1, −1), (2, −2), (3, −3); sequence 1 one step (6, −6) and two padded
        // steps of 1000. Column 0 over 1, 2, 3, 6: mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5; column 1 is its negative.
        double[] values = [1, -1, 2, -2, 3, -3, 6, -6, 1000, 1000, 1000, 1000];
        var means = new double[2];
        var deviations = new double[2];
        ScalingKernels.MaskedColumnMoments(values, [3, 1], 3, 2, means, deviations);
        Assert.Equal([3.0, -3.0], means);
        Assert.Equal([Math.Sqrt(3.5), Math.Sqrt(3.5)], deviations);
    }

    [Fact]
    public void StandardizeScalesEachColumn()
    {
        var destination = new double[6];
        ScalingKernels.Standardize([1, 10, 2, 20, -3, 0], [1, 10], [2, 5], destination);
        Assert.Equal([0.0, 0, 0.5, 2, -2, -2], destination);

        double[] inPlace = [4, 8];
        ScalingKernels.Standardize(inPlace, [2], [4], inPlace);
        Assert.Equal([0.5, 1.5], inPlace);
    }

    [Fact]
    public void SoftmaxMatchesHandValuesAndRowsSumToOne()
    {
        // row 0: e^0, e^ln2, e^ln3 ∝ 1, 2, 3; row 1: equal scores
        double[] scores = [0, Math.Log(2), Math.Log(3), 5, 5, 5];
        var probabilities = new double[6];
        ScalingKernels.Softmax(scores, 3, probabilities);
        Assert.Equal(1.0 / 6, probabilities[0], Exact);
        Assert.Equal(2.0 / 6, probabilities[1], Exact);
        Assert.Equal(3.0 / 6, probabilities[2], Exact);
        Assert.Equal([1.0 / 3, 1.0 / 3, 1.0 / 3], probabilities[3..]);
        Assert.Equal(1.0, probabilities[..3].Sum(), Exact);
    }

    [Fact]
    public void SoftmaxIsStableForLargeScores()
    {
        // exp(1000) overflows; with the row maximum subtracted the rows are (1, e^−1) / (1 + e^−1) and (1, e^−1000 = 0)
        var probabilities = new double[4];
        ScalingKernels.Softmax([1000, 999, 1000, 0], 2, probabilities);
        Assert.Equal(1 / (1 + Math.Exp(-1)), probabilities[0], Exact);
        Assert.Equal(Math.Exp(-1) / (1 + Math.Exp(-1)), probabilities[1], Exact);
        Assert.Equal([1.0, 0.0], probabilities[2..]);
        Assert.All(probabilities, p => Assert.True(double.IsFinite(p)));
    }

    [Fact]
    public void ArgmaxRowsTakesTheFirstOnTies()
    {
        var best = new int[3];
        ScalingKernels.ArgmaxRows([1, 3, 3, 5, 5, 5, -1, -2, -0.5], 3, best);
        Assert.Equal([1, 0, 2], best);
    }
}
