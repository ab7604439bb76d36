using Carnet.Tasks.Evaluation;

namespace Carnet.Tests.Evaluation;

/// <summary>Classification scores by hand, with scikit-learn's zero-division and label conventions.</summary>
public sealed class ClassificationMetricsTests
{
    private const double Exact = 1e-15;

    [Fact]
    public void ScikitLearnDocumentationExample()
    {
        // the f1_score example of scikit-learn's documentation: F1 per class [0.8, 0, 0], macro = weighted = 0.2666…
        // class 0: predicted 3 times (2 right), present twice: precision 2/3, recall 1, F1 4 / (4 + 1 + 0)
        var metrics = ClassificationMetrics.Compute([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], 3);
        Assert.Equal(3, metrics.ClassCount);
        Assert.Equal(2.0 / 6, metrics.Accuracy, Exact);
        Assert.Equal([2.0 / 3, 0, 0], metrics.Precision);
        Assert.Equal([1.0, 0, 0], metrics.Recall);
        Assert.Equal([0.8, 0, 0], metrics.F1);
        Assert.Equal([2, 2, 2], metrics.Support);
        Assert.Equal(0.8 / 3, metrics.MacroF1, Exact);
        Assert.Equal(0.8 / 3, metrics.WeightedF1, Exact);
        Assert.Equal([[2, 0, 0], [1, 0, 1], [0, 2, 0]], metrics.ConfusionMatrix);
    }

    [Fact]
    public void ClassNeverPredictedAndClassAbsentCountAsZero()
    {
        // class 0: TP 1, predicted 2, actual 2 → P 1/2, R 1/2, F1 2 / (2 + 1 + 1) = 1/2
        // class 1: TP 2, predicted 4, actual 3 → P 1/2, R 2/3, F1 4 / (4 + 2 + 1) = 4/7
        // class 2: never predicted, actual 1 → P 0 (0/0), R 0, F1 0; class 3: neither actual nor predicted → all 0
        // macro over all four classes = (1/2 + 4/7) / 4 = 15/56 (scikit-learn's default, over the three classes seen,
        // would be 5/14); weighted = (2·1/2 + 3·4/7) / 6 = 19/42
        var metrics = ClassificationMetrics.Compute([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 1], 4);
        Assert.Equal(0.5, metrics.Accuracy, Exact);
        Assert.Equal([0.5, 0.5, 0, 0], metrics.Precision);
        Assert.Equal([0.5, 2.0 / 3, 0, 0], metrics.Recall);
        Assert.Equal(0.5, metrics.F1[0], Exact);
        Assert.Equal(4.0 / 7, metrics.F1[1], Exact);
        Assert.Equal([0.0, 0], metrics.F1[2..]);
        Assert.Equal([2, 3, 1, 0], metrics.Support);
        Assert.Equal(15.0 / 56, metrics.MacroF1, Exact);
        Assert.Equal(19.0 / 42, metrics.WeightedF1, Exact);
        Assert.Equal([[1, 1, 0, 0], [1, 2, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]], metrics.ConfusionMatrix);
    }

    [Fact]
    public void PerfectPredictionsScoreOne()
    {
        var metrics = ClassificationMetrics.Compute([1, 0, 1, 1], [1, 0, 1, 1], 2);
        Assert.Equal(1.0, metrics.Accuracy);
        Assert.Equal([1.0, 1], metrics.F1);
        Assert.Equal(1.0, metrics.MacroF1);
        Assert.Equal(1.0, metrics.WeightedF1);
        Assert.Equal([[1, 0], [0, 3]], metrics.ConfusionMatrix);
    }

    [Fact]
    public void AllWrongBinaryPredictions()
    {
        // every 0 predicted 1 and the reverse: no true positives anywhere
        var metrics = ClassificationMetrics.Compute([0, 0, 1], [1, 1, 0], 2);
        Assert.Equal(0.0, metrics.Accuracy);
        Assert.Equal([0.0, 0], metrics.Precision);
        Assert.Equal(0.0, metrics.MacroF1);
        Assert.Equal([[0, 2], [1, 0]], metrics.ConfusionMatrix);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>("predicted", () => ClassificationMetrics.Compute([0, 1], [0], 2));
        Assert.Throws<ArgumentException>("actual", () => ClassificationMetrics.Compute([], [], 2));
        Assert.Throws<ArgumentOutOfRangeException>("classCount", () => ClassificationMetrics.Compute([0], [0], 0));
        var outside = Assert.Throws<ArgumentException>("predicted", () => ClassificationMetrics.Compute([0, 1], [0, 2], 2));
        Assert.Contains("predicted[1] is 2, outside the class range [0, 2)", outside.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("actual", () => ClassificationMetrics.Compute([-1, 1], [0, 1], 2));
    }
}
