// Dimension legend: S = samples, C = classes.
using System.Globalization;
using Carnet.Kernels;

namespace Carnet.Tasks.Evaluation;

/// <summary>
/// The scores of single-label class predictions: accuracy, per-class precision, recall, F1 and support, their macro and
/// weighted F1 averages, and the confusion matrix. Definitions follow scikit-learn's <c>classification_report</c> with
/// <c>labels = range(classCount)</c> and <c>zero_division = 0</c>: a precision or recall whose denominator is 0 is 0, and
/// so is the F1 of a class that is neither present nor predicted.
/// </summary>
public sealed class ClassificationMetrics
{
    private ClassificationMetrics(
        double accuracy, double macroF1, double weightedF1, double[] precision, double[] recall, double[] f1, int[] support,
        int[][] confusionMatrix)
    {
        Accuracy = accuracy;
        MacroF1 = macroF1;
        WeightedF1 = weightedF1;
        Precision = precision;
        Recall = recall;
        F1 = f1;
        Support = support;
        ConfusionMatrix = confusionMatrix;
    }

    /// <summary>The number of classes C.</summary>
    public int ClassCount => Support.Length;

    /// <summary>The fraction of samples whose prediction equals the actual class.</summary>
    public double Accuracy { get; }

    /// <summary>
    /// The unweighted mean of <see cref="F1"/> over all C classes, including classes absent from both the actual and the
    /// predicted labels (which contribute 0), as scikit-learn's <c>f1_score(average='macro')</c> with explicit
    /// <c>labels = range(C)</c>. It differs from scikit-learn's default, which averages over the classes that occur in
    /// either label list, only when some class occurs in neither.
    /// </summary>
    public double MacroF1 { get; }

    /// <summary>The mean of <see cref="F1"/> weighted by <see cref="Support"/> (scikit-learn's <c>average='weighted'</c>).</summary>
    public double WeightedF1 { get; }

    /// <summary>(C) per class, true positives / predicted as the class; 0 when the class is never predicted.</summary>
    public double[] Precision { get; }

    /// <summary>(C) per class, true positives / actually in the class; 0 when the class never occurs.</summary>
    public double[] Recall { get; }

    /// <summary>(C) per class, 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall; 0 when TP = 0.</summary>
    public double[] F1 { get; }

    /// <summary>(C) per class, the number of samples actually in the class.</summary>
    public int[] Support { get; }

    /// <summary>(C)(C) counts: row = actual class, column = predicted class.</summary>
    public int[][] ConfusionMatrix { get; }

    /// <summary>Scores <paramref name="predicted"/> against <paramref name="actual"/>.</summary>
    /// <param name="actual">(S ≥ 1) the true class of each sample, in [0, C).</param>
    /// <param name="predicted">(S) the predicted class of each sample, in [0, C).</param>
    /// <param name="classCount">C ≥ 1, the number of classes.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentException">The lengths differ, there are no samples, or a label is outside [0, C).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 1.</exception>
    public static ClassificationMetrics Compute(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"actual has {actual.Length} labels but predicted has {predicted.Length}."), nameof(predicted));
        }

        if (actual.IsEmpty)
        {
            throw new ArgumentException("There are no predictions to score: actual is empty.", nameof(actual));
        }

        CheckRange(actual, classCount, nameof(actual));
        CheckRange(predicted, classCount, nameof(predicted));
        var counts = new int[classCount * classCount]; // (C, C)
        MetricsKernels.ConfusionMatrix(actual, predicted, classCount, counts);
        var precision = new double[classCount];
        var recall = new double[classCount];
        var f1 = new double[classCount];
        var support = new int[classCount];
        var (accuracy, macroF1, weightedF1) = MetricsKernels.ClassScores(counts, classCount, precision, recall, f1, support);
        var matrix = new int[classCount][];
        for (int row = 0; row < classCount; row++)
        {
            matrix[row] = counts.AsSpan(row * classCount, classCount).ToArray();
        }

        return new ClassificationMetrics(accuracy, macroF1, weightedF1, precision, recall, f1, support, matrix);
    }

    private static void CheckRange(ReadOnlySpan<int> labels, int classCount, string name)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{name}[{i}] is {labels[i]}, outside the class range [0, {classCount})."), name);
            }
        }
    }
}
