using Carnet.Tests.Support;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>
/// Every loss and option against central finite differences in double precision, every element of the prediction:
/// the analytic gradient a loss writes must be the derivative of the value it returns.
/// </summary>
public sealed class LossFiniteDifferenceTests
{
    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void MeanSquaredError(Reduction reduction) =>
        CheckElementwise(11, (p, y, g) => Losses.MeanSquaredError(p, y, g, reduction));

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void L1Loss(Reduction reduction) =>
        CheckElementwise(12, (p, y, g) => Losses.L1Loss(p, y, g, reduction));

    [Theory]
    [InlineData(0.5, Reduction.Mean)]
    [InlineData(0.5, Reduction.Sum)]
    [InlineData(1.0, Reduction.Mean)]
    [InlineData(2.0, Reduction.Mean)]
    [InlineData(2.0, Reduction.Sum)]
    public void HuberLoss(double delta, Reduction reduction)
    {
        // differences spread over ±3 so that both sides of every delta are exercised
        int inside = CheckElementwise(13, (p, y, g) => Losses.HuberLoss(p, y, g, delta, reduction), spread: 2.0, countInsideBand: delta);
        Assert.InRange(inside, 1, 3 * 4 * 5 - 1);
    }

    [Theory]
    [InlineData(Reduction.Mean, false, false, 0.0)]
    [InlineData(Reduction.Sum, false, false, 0.0)]
    [InlineData(Reduction.Mean, true, false, 0.0)]
    [InlineData(Reduction.Mean, false, true, 0.0)]
    [InlineData(Reduction.Sum, true, true, 0.0)]
    [InlineData(Reduction.Mean, false, false, 0.1)]
    [InlineData(Reduction.Sum, false, false, 0.1)]
    [InlineData(Reduction.Mean, true, false, 0.1)]
    [InlineData(Reduction.Mean, false, true, 0.1)]
    [InlineData(Reduction.Mean, true, true, 0.1)]
    [InlineData(Reduction.Sum, true, true, 0.25)]
    public void CrossEntropy(Reduction reduction, bool weighted, bool withIgnored, double labelSmoothing)
    {
        const int Rows = 6, Classes = 5;
        var random = new RandomSource(21);
        var logits = GradientCheck.Normal(random, Rows, Classes);  // (N, C)
        int[] targets = new int[Rows];                             // (N)
        for (int n = 0; n < Rows; n++)
        {
            targets[n] = random.NextInt(Classes);
        }

        if (withIgnored)
        {
            targets[1] = -100;
            targets[4] = -100;
        }

        Tensor<double>? weights = null;                            // (C)
        if (weighted)
        {
            weights = Tensor<double>.Zeros(Classes);
            random.FillUniform(weights.Span, 0.25, 2.0);
        }

        var gradient = Tensor<double>.Zeros(Rows, Classes);
        Losses.CrossEntropy(logits, targets, gradient, reduction, weights, labelSmoothing: labelSmoothing);
        var scratch = Tensor<double>.Zeros(Rows, Classes);
        GradientCheck.Check("logits", logits, gradient.Span,
            () => Losses.CrossEntropy(logits, targets, scratch, reduction, weights, labelSmoothing: labelSmoothing));
        if (withIgnored)
        {
            Assert.All(gradient.Span.Slice(1 * Classes, Classes).ToArray(), value => Assert.Equal(0.0, value));
        }
    }

    [Theory]
    [InlineData(Reduction.Mean, false, false)]
    [InlineData(Reduction.Sum, false, false)]
    [InlineData(Reduction.Mean, true, false)]
    [InlineData(Reduction.Mean, false, true)]
    [InlineData(Reduction.Sum, false, true)]
    [InlineData(Reduction.Mean, true, true)]
    public void BinaryCrossEntropyWithLogits(Reduction reduction, bool weighted, bool positiveWeighted)
    {
        var random = new RandomSource(31);
        var logits = GradientCheck.Normal(random, 2, 3, 4);        // (2, 3, K = 4)
        var targets = Tensor<double>.Zeros(2, 3, 4);
        random.FillUniform(targets.Span, 0, 1);
        targets.Span[0] = 0;
        targets.Span[1] = 1;
        Tensor<double>? weight = null;                            // (2, 3, 4)
        if (weighted)
        {
            weight = Tensor<double>.Zeros(2, 3, 4);
            random.FillUniform(weight.Span, 0.25, 2.0);
        }

        Tensor<double>? positiveWeight = null;                    // (K)
        if (positiveWeighted)
        {
            positiveWeight = Tensor<double>.Zeros(4);
            random.FillUniform(positiveWeight.Span, 0.2, 3.0);
        }

        var gradient = Tensor<double>.Zeros(2, 3, 4);
        Losses.BinaryCrossEntropyWithLogits(logits, targets, gradient, reduction, weight, positiveWeight);
        var scratch = Tensor<double>.Zeros(2, 3, 4);
        GradientCheck.Check("logits", logits, gradient.Span,
            () => Losses.BinaryCrossEntropyWithLogits(logits, targets, scratch, reduction, weight, positiveWeight));
    }

    /// <summary>
    /// Checks an element-wise loss on a (3, 4, 5) prediction; returns how many differences lie inside ±<paramref name="countInsideBand"/>.
    /// </summary>
    private static int CheckElementwise(
        ulong seed, Func<Tensor<double>, Tensor<double>, Tensor<double>, double> loss, double spread = 1.0, double countInsideBand = 0)
    {
        var random = new RandomSource(seed);
        var prediction = GradientCheck.Normal(random, 3, 4, 5);   // (3, 4, 5)
        var target = GradientCheck.Normal(random, 3, 4, 5);       // (3, 4, 5)
        int inside = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            prediction.Span[i] *= spread;
            inside += Math.Abs(prediction.Span[i] - target.Span[i]) < countInsideBand ? 1 : 0;
        }

        var gradient = Tensor<double>.Zeros(3, 4, 5);
        loss(prediction, target, gradient);
        var scratch = Tensor<double>.Zeros(3, 4, 5);
        GradientCheck.Check("prediction", prediction, gradient.Span, () => loss(prediction, target, scratch));
        return inside;
    }
}
