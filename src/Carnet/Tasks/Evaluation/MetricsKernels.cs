// Dimension legend: H = forecast points, N = training series length, m = season, S = samples, C = classes.
namespace Carnet.Tasks.Evaluation;

/// <summary>
/// Arithmetic of the evaluation metrics: forecast errors, the MASE scale, confusion counts, per-class scores and the
/// per-class sizes of a stratified split. Scalar reference code; sums are accumulated in double precision.
/// </summary>
internal static class MetricsKernels
{
    /// <summary>
    /// Over H ≥ 1 pairs: MAE = Σ|y − ŷ| / H, RMSE = √(Σ(y − ŷ)² / H) and sMAPE = 100 / H · Σ 2|y − ŷ| / (|y| + |ŷ|),
    /// a term whose denominator is 0 (y = ŷ = 0) counting as 0.
    /// </summary>
    public static (double Mae, double Rmse, double Smape) ForecastErrors(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        // actual, predicted: (H)
        double absolute = 0, squares = 0, symmetric = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - predicted[i]);
            double magnitude = Math.Abs(actual[i]) + Math.Abs(predicted[i]);
            absolute += error;
            squares += error * error;
            symmetric += magnitude == 0 ? 0 : 2 * error / magnitude;
        }

        int count = actual.Length;
        return (absolute / count, Math.Sqrt(squares / count), 100.0 * symmetric / count);
    }

    /// <summary>Σ_{t=m}^{N−1} |y_t − y_{t−m}| / (N − m): the in-sample MAE of the seasonal naive forecast (N &gt; m).</summary>
    public static double SeasonalNaiveScale(ReadOnlySpan<double> series, int season)
    {
        // series: (N)
        double sum = 0;
        for (int t = season; t < series.Length; t++)
        {
            sum += Math.Abs(series[t] - series[t - season]);
        }

        return sum / (series.Length - season);
    }

    /// <summary>counts (C, C)[a·C + p] = the number of samples of actual class a predicted as p. Labels must be in [0, C).</summary>
    public static void ConfusionMatrix(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classes, Span<int> counts)
    {
        // actual, predicted: (S); counts: (C, C), rows actual, columns predicted
        counts.Clear();
        for (int i = 0; i < actual.Length; i++)
        {
            counts[actual[i] * classes + predicted[i]]++;
        }
    }

    /// <summary>
    /// From a confusion matrix (C, C), per class c: support = row sum, precision = TP / column sum, recall = TP / row sum,
    /// F1 = 2TP / (2TP + FP + FN), each 0 when its denominator is 0 (scikit-learn's <c>zero_division=0</c>). Returns the
    /// accuracy (trace / total), the unweighted mean of F1 over all C classes and the support-weighted mean of F1.
    /// </summary>
    public static (double Accuracy, double MacroF1, double WeightedF1) ClassScores(
        ReadOnlySpan<int> counts, int classes, Span<double> precision, Span<double> recall, Span<double> f1, Span<int> support)
    {
        // counts: (C, C); precision, recall, f1, support: (C)
        long total = 0, correct = 0;
        double f1Sum = 0, weightedSum = 0;
        for (int c = 0; c < classes; c++)
        {
            long row = 0, column = 0;
            for (int j = 0; j < classes; j++)
            {
                row += counts[c * classes + j];
                column += counts[j * classes + c];
            }

            long truePositive = counts[c * classes + c];
            precision[c] = column == 0 ? 0 : (double)truePositive / column;
            recall[c] = row == 0 ? 0 : (double)truePositive / row;
            long denominator = row + column; // 2TP + FP + FN
            f1[c] = denominator == 0 ? 0 : 2.0 * truePositive / denominator;
            support[c] = (int)row;
            total += row;
            correct += truePositive;
            f1Sum += f1[c];
            weightedSum += row * f1[c];
        }

        return ((double)correct / total, f1Sum / classes, weightedSum / total);
    }

    /// <summary>
    /// Per class c of n = sizes[c] members: test = round(n·testFraction) and validation = round(n·validationFraction)
    /// (halves away from zero); a class of n ≥ 3 gets at least one member in each part whose fraction is positive; then
    /// training keeps at least one member: test is capped first (leaving room for validation's minimum), then validation.
    /// </summary>
    public static void StratifiedCounts(
        ReadOnlySpan<int> sizes, double validationFraction, double testFraction, Span<int> validation, Span<int> test)
    {
        // sizes, validation, test: (C)
        for (int c = 0; c < sizes.Length; c++)
        {
            int n = sizes[c];
            int testCount = (int)Math.Round(n * testFraction, MidpointRounding.AwayFromZero);
            int validationCount = (int)Math.Round(n * validationFraction, MidpointRounding.AwayFromZero);
            int validationMinimum = n >= 3 && validationFraction > 0 ? 1 : 0;
            if (n >= 3 && testFraction > 0)
            {
                testCount = Math.Max(testCount, 1);
            }

            validationCount = Math.Max(validationCount, validationMinimum);
            testCount = Math.Min(testCount, n - 1 - validationMinimum);
            validation[c] = Math.Min(validationCount, n - 1 - testCount);
            test[c] = testCount;
        }
    }
}
