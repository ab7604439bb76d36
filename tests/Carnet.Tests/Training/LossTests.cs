using Carnet.Tests.Support;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>Small cases computed by hand, the edge cases PyTorch defines, and the errors for bad arguments.</summary>
public sealed class LossTests
{
    private const double Exact = 1e-15;

    private static Tensor<double> Values(params double[] values) => Tensor<double>.FromValues(values, values.Length);

    /// <summary>A gradient buffer full of a sentinel, to prove the losses overwrite rather than accumulate.</summary>
    private static Tensor<double> Dirty(params int[] shape)
    {
        var tensor = Tensor<double>.Zeros(shape);
        tensor.Span.Fill(7.0);
        return tensor;
    }

    [Fact]
    public void MeanSquaredErrorByHand()
    {
        // differences 1, 0, −2: squares 1, 0, 4
        var prediction = Values(1, 2, 3);
        var target = Values(0, 2, 5);
        var gradient = Dirty(3);
        var unreduced = Tensor<double>.Zeros(3);
        Assert.Equal(5.0 / 3, Losses.MeanSquaredError(prediction, target, gradient, unreducedLosses: unreduced), Exact);
        Close.Assert("gradient", [2.0 / 3, 0, -4.0 / 3], gradient.Span, Exact);
        Close.Assert("unreduced", [1.0, 0, 4], unreduced.Span, Exact);
        Assert.Equal(5.0, Losses.MeanSquaredError(prediction, target, gradient, Reduction.Sum), Exact);
        Close.Assert("gradient", [2.0, 0, -4], gradient.Span, Exact);
    }

    [Fact]
    public void MeanSquaredErrorKeepsItsThreeArgumentFormInFloat()
    {
        var prediction = Tensor<float>.FromValues([1f, 2f, 3f, 4f], 2, 2);
        var target = Tensor<float>.FromValues([0f, 2f, 5f, 4f], 2, 2);
        var gradient = Tensor<float>.Zeros(2, 2);
        float loss = Losses.MeanSquaredError(prediction, target, gradient);
        Assert.Equal(1.25f, loss);
        Assert.Equal([0.5f, 0f, -1f, 0f], gradient.Span.ToArray());
    }

    [Fact]
    public void L1ByHandWithSignOfZeroBeingZero()
    {
        var prediction = Values(1, 2, 3);
        var target = Values(0, 2, 5);
        var gradient = Dirty(3);
        Assert.Equal(1.0, Losses.L1Loss(prediction, target, gradient), Exact);
        Close.Assert("gradient", [1.0 / 3, 0, -1.0 / 3], gradient.Span, Exact);
        Assert.Equal(3.0, Losses.L1Loss(prediction, target, gradient, Reduction.Sum), Exact);
        Close.Assert("gradient", [1.0, 0, -1], gradient.Span, Exact);
    }

    [Fact]
    public void HuberByHandOnBothSidesOfDeltaAndAtIt()
    {
        // δ = 1, differences 0.5 (quadratic), −3 (linear), 1 (= δ: the linear branch, same value and slope)
        var prediction = Values(0.5, -3, 1);
        var target = Values(0, 0, 0);
        var gradient = Dirty(3);
        var unreduced = Tensor<double>.Zeros(3);
        double loss = Losses.HuberLoss(prediction, target, gradient, reduction: Reduction.Sum, unreducedLosses: unreduced);
        Assert.Equal(3.125, loss, Exact);
        Close.Assert("unreduced", [0.125, 2.5, 0.5], unreduced.Span, Exact);
        Close.Assert("gradient", [0.5, -1, 1], gradient.Span, Exact);

        // δ = 2 puts all three inside the band except −3: 0.125, 2·(3 − 1) = 4, 0.5
        Assert.Equal(4.625 / 3, Losses.HuberLoss(prediction, target, gradient, delta: 2.0), Exact);
        Close.Assert("gradient", [0.5 / 3, -2.0 / 3, 1.0 / 3], gradient.Span, Exact);
    }

    [Fact]
    public void CrossEntropyOfUniformLogitsIsLogOfTheClassCount()
    {
        var logits = Tensor<double>.Zeros(1, 4);
        var gradient = Dirty(1, 4);
        Assert.Equal(Math.Log(4), Losses.CrossEntropy(logits, [2], gradient), Exact);
        Close.Assert("gradient", [0.25, 0.25, -0.75, 0.25], gradient.Span, Exact);

        // label smoothing 0.2: the target becomes 0.8·onehot + 0.05; the gradient is p − target
        Assert.Equal(Math.Log(4), Losses.CrossEntropy(logits, [2], gradient, labelSmoothing: 0.2), Exact);
        Close.Assert("gradient", [0.2, 0.2, -0.6, 0.2], gradient.Span, Exact);
    }

    [Fact]
    public void WeightedCrossEntropyDividesByTheTargetsWeights()
    {
        // row 0: p = (1/4, 3/4), target 1 (w 0.5); row 1: p = (1/2, 1/2), target 0 (w 2); row 2 ignored
        var logits = Tensor<double>.FromValues([0, Math.Log(3), 0, 0, 5, -5], 3, 2);
        var weights = Values(2, 0.5);
        var gradient = Dirty(3, 2);
        var unreduced = Tensor<double>.Zeros(3);
        double loss = Losses.CrossEntropy(logits, [1, 0, -100], gradient, classWeights: weights, unreducedLosses: unreduced);
        Assert.Equal((0.5 * Math.Log(4.0 / 3) + 2 * Math.Log(2)) / 2.5, loss, 1e-14);
        Close.Assert("unreduced", [0.5 * Math.Log(4.0 / 3), 2 * Math.Log(2), 0], unreduced.Span, 1e-15);
        Close.Assert("gradient", [0.05, -0.05, -0.4, 0.4, 0, 0], gradient.Span, 1e-15);
    }

    [Fact]
    public void CrossEntropyWithEveryTargetIgnoredIsNaNForTheMeanAndZeroForTheSum()
    {
        var logits = GradientCheck.Normal(new RandomSource(5), 3, 4);
        var gradient = Dirty(3, 4);
        Assert.True(double.IsNaN(Losses.CrossEntropy(logits, [-100, -100, -100], gradient)));
        Assert.All(gradient.Span.ToArray(), value => Assert.Equal(0.0, value));
        Assert.True(double.IsNaN(Losses.CrossEntropy(logits, [3, 3, 3], gradient, ignoreIndex: 3, labelSmoothing: 0.1)));
        Assert.Equal(0.0, Losses.CrossEntropy(logits, [-100, -100, -100], gradient, Reduction.Sum));
    }

    [Fact]
    public void CrossEntropyIsStableForHugeLogits()
    {
        var logits = Tensor<float>.FromValues([1000f, 0f, -1000f, 2000f], 2, 2);
        var gradient = Tensor<float>.Zeros(2, 2);
        float loss = Losses.CrossEntropy(logits, [1, 1], gradient, Reduction.Sum);
        Assert.Equal(1000f, loss);
        Assert.Equal([1f, -1f, 0f, 0f], gradient.Span.ToArray());
    }

    [Fact]
    public void UnreducedLossesSumToTheSumReduction()
    {
        var random = new RandomSource(9);
        var logits = GradientCheck.Normal(random, 5, 3);
        var weights = Values(0.5, 1.5, 1);
        var gradient = Tensor<double>.Zeros(5, 3);
        var unreduced = Tensor<double>.Zeros(5);
        int[] targets = [0, 2, -100, 1, 1];
        double sum = Losses.CrossEntropy(
            logits, targets, gradient, Reduction.Sum, weights, labelSmoothing: 0.1, unreducedLosses: unreduced);
        Assert.Equal(sum, unreduced.Span.ToArray().Sum(), 1e-14);
        Assert.Equal(0.0, unreduced.Span[2]);
        double mean = Losses.CrossEntropy(logits, targets, gradient, Reduction.Mean, weights, labelSmoothing: 0.1);
        Assert.Equal(sum / (0.5 + 1 + 1.5 + 1.5), mean, 1e-14);
    }

    [Fact]
    public void BinaryCrossEntropyWithLogitsByHand()
    {
        // x = 0, y = 1: log 2, gradient σ(0) − 1; with pos_weight 3 on that class: 3 log 2 and 3·(σ(0) − 1)
        var logits = Tensor<double>.Zeros(1, 2);
        var targets = Tensor<double>.FromValues([1.0, 0.0], 1, 2);
        var gradient = Dirty(1, 2);
        Assert.Equal(Math.Log(2), Losses.BinaryCrossEntropyWithLogits(logits, targets, gradient), Exact);
        Close.Assert("gradient", [-0.25, 0.25], gradient.Span, Exact);
        var positiveWeight = Values(3, 10);
        double loss = Losses.BinaryCrossEntropyWithLogits(logits, targets, gradient, Reduction.Sum, positiveWeight: positiveWeight);
        Assert.Equal(4 * Math.Log(2), loss, Exact);
        Close.Assert("gradient", [-1.5, 0.5], gradient.Span, Exact);
        var weight = Tensor<double>.FromValues([2.0, 0.5], 1, 2);
        loss = Losses.BinaryCrossEntropyWithLogits(logits, targets, gradient, Reduction.Sum, weight, positiveWeight);
        Assert.Equal(6.5 * Math.Log(2), loss, Exact);
        Close.Assert("gradient", [-3, 0.25], gradient.Span, Exact);
    }

    [Fact]
    public void BinaryCrossEntropyWithLogitsIsStableForHugeLogits()
    {
        var logits = Tensor<float>.FromValues([1000f, -1000f, 1000f, -1000f], 4);
        var targets = Tensor<float>.FromValues([0f, 0f, 1f, 1f], 4);
        var gradient = Tensor<float>.Zeros(4);
        var unreduced = Tensor<float>.Zeros(4);
        Losses.BinaryCrossEntropyWithLogits(logits, targets, gradient, Reduction.Sum, unreducedLosses: unreduced);
        Assert.Equal([1000f, 0f, 0f, 1000f], unreduced.Span.ToArray());
        Assert.Equal([1f, 0f, 0f, -1f], gradient.Span.ToArray());
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(5, 1)]
    [InlineData(-1, 0)]
    public void CrossEntropyNamesTheBadTargetAndItsPosition(int bad, int position)
    {
        var logits = Tensor<double>.Zeros(4, 5);
        int[] targets = [0, 1, 4, -100];
        targets[position] = bad;
        var error = Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(logits, targets, Tensor<double>.Zeros(4, 5)));
        Assert.Equal("targets", error.ParamName);
        Assert.StartsWith($"targets[{position}] is {bad}, outside the class range [0, 5) and not the ignore index -100.", error.Message);
    }

    [Fact]
    public void CrossEntropyAcceptsACustomIgnoreIndexInsideTheClassRange()
    {
        var logits = GradientCheck.Normal(new RandomSource(3), 2, 3);
        var gradient = Tensor<double>.Zeros(2, 3);
        var error = Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(logits, [-100, 0], gradient, ignoreIndex: 1));
        Assert.Contains("targets[0] is -100", error.Message);
        double loss = Losses.CrossEntropy(logits, [1, 0], gradient, ignoreIndex: 1);
        var secondRow = Tensor<double>.FromValues(logits.Span[3..], 1, 3);
        double alone = Losses.CrossEntropy(secondRow, [0], Tensor<double>.Zeros(1, 3));
        Assert.Equal(alone, loss, Exact);
        Assert.All(gradient.Span[..3].ToArray(), value => Assert.Equal(0.0, value));
    }

    [Fact]
    public void BadShapesAndOptionsAreRejected()
    {
        var x = Tensor<double>.Zeros(2, 3);
        var gradient = Tensor<double>.Zeros(2, 3);
        Rejects("target", () => Losses.MeanSquaredError(x, Tensor<double>.Zeros(3, 2), gradient));
        Rejects("gradient", () => Losses.L1Loss(x, x, Tensor<double>.Zeros(6)));
        Rejects("unreducedLosses", () => Losses.MeanSquaredError(x, x, gradient, unreducedLosses: Tensor<double>.Zeros(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.HuberLoss(x, x, gradient, delta: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.MeanSquaredError(x, x, gradient, (Reduction)7));

        Rejects("logits", () => Losses.CrossEntropy(Tensor<double>.Zeros(1, 2, 3), [0, 0], Tensor<double>.Zeros(1, 2, 3)));
        Rejects("targets", () => Losses.CrossEntropy(x, [0, 1, 2], gradient));
        Rejects("classWeights", () => Losses.CrossEntropy(x, [0, 1], gradient, classWeights: Tensor<double>.Zeros(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, [0, 1], gradient, labelSmoothing: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(x, [0, 1], gradient, labelSmoothing: -0.1));

        Rejects("targets", () => Losses.BinaryCrossEntropyWithLogits(x, Tensor<double>.Zeros(6), gradient));
        Rejects("weight", () => Losses.BinaryCrossEntropyWithLogits(x, x, gradient, weight: Tensor<double>.Zeros(3)));
        Rejects("positiveWeight", () => Losses.BinaryCrossEntropyWithLogits(x, x, gradient, positiveWeight: Tensor<double>.Zeros(2)));
    }

    private static void Rejects(string parameter, Func<double> call) =>
        Assert.Equal(parameter, Assert.Throws<ArgumentException>(() => call()).ParamName);
}
