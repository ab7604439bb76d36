// Dimension legend: B = sequences, T = time steps, C = classes, P = positions scored per sequence, H = state size.
using System.Numerics;

namespace Carnet.Tasks.Experiments;

/// <summary>
/// The arithmetic of the memory experiments: per-sequence errors and correctness, the best constant answer, and the
/// gradient norms by distance from the sequence end. Scalar code; sums in double precision.
/// </summary>
internal static class ExperimentKernels
{
    /// <summary>Value targets: error = (ŷ − y)², correct when |ŷ − y| &lt; tolerance.</summary>
    public static void ValueErrors(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, double tolerance, Span<double> errors, Span<bool> correct)
    {
        // predictions, targets, errors, correct: (B)
        for (int b = 0; b < targets.Length; b++)
        {
            double difference = (double)predictions[b] - targets[b];
            errors[b] = difference * difference;
            correct[b] = Math.Abs(difference) < tolerance;
        }
    }

    /// <summary>The best constant value (the mean): its mean squared error and the fraction of targets it misses by at least the tolerance.</summary>
    public static (double Error, double WrongFraction) ConstantValueBaseline(ReadOnlySpan<float> targets, double tolerance)
    {
        // targets: (B)
        double mean = 0;
        foreach (float y in targets)
        {
            mean += y;
        }

        mean /= targets.Length;
        double squares = 0;
        int wrong = 0;
        foreach (float y in targets)
        {
            squares += (y - mean) * (y - mean);
            wrong += Math.Abs(y - mean) < tolerance ? 0 : 1;
        }

        return (squares / targets.Length, (double)wrong / targets.Length);
    }

    /// <summary>
    /// Class targets at each sequence's end, logits (B, C): error = −ln softmax(ŷ)_y; correct when every probability is
    /// within <paramref name="threshold"/> of its one-hot target (for threshold ≤ 0.5 that is p_y &gt; 1 − threshold).
    /// </summary>
    public static void ClassErrors(ReadOnlySpan<float> logits, ReadOnlySpan<int> classes, int outputs, double threshold, Span<double> errors, Span<bool> correct)
    {
        for (int b = 0; b < classes.Length; b++)
        {
            double logProbability = LogSoftmaxAt(logits.Slice(b * outputs, outputs), classes[b]);
            errors[b] = -logProbability;
            correct[b] = Math.Exp(logProbability) > 1 - threshold;
        }
    }

    /// <summary>
    /// Class targets at every step, logits (B, T, C) and classes (B·T): error = the mean over steps of −ln softmax(ŷ_t)_y;
    /// correct when at every step the most probable class is the target.
    /// </summary>
    public static void SequenceClassErrors(ReadOnlySpan<float> logits, ReadOnlySpan<int> classes, int steps, int outputs, Span<double> errors, Span<bool> correct)
    {
        for (int b = 0; b < errors.Length; b++)
        {
            double sum = 0;
            bool all = true;
            for (int t = 0; t < steps; t++)
            {
                int row = b * steps + t;
                ReadOnlySpan<float> scores = logits.Slice(row * outputs, outputs); // (C)
                sum -= LogSoftmaxAt(scores, classes[row]);
                all &= Argmax(scores) == classes[row];
            }

            errors[b] = sum / steps;
            correct[b] = all;
        }
    }

    /// <summary>
    /// The best constant answer for class targets (B·P): at each of the P positions, the class frequencies over the batch.
    /// Its error is the mean over sequences of the mean −ln frequency of the target; a sequence counts as correct when at
    /// every position its class has frequency above 1 − threshold, or, with threshold 0, is the most frequent class.
    /// </summary>
    public static (double Error, double WrongFraction) ConstantClassBaseline(ReadOnlySpan<int> classes, int positions, int outputs, double threshold)
    {
        int sequences = classes.Length / positions;
        var frequencies = new double[positions * outputs]; // (P, C)
        for (int i = 0; i < classes.Length; i++)
        {
            frequencies[(i % positions) * outputs + classes[i]] += 1.0 / sequences;
        }

        var best = new int[positions]; // (P) the most frequent class at each position
        for (int p = 0; p < positions; p++)
        {
            best[p] = Argmax<double>(frequencies.AsSpan(p * outputs, outputs));
        }

        double error = 0;
        int wrong = 0;
        for (int b = 0; b < sequences; b++)
        {
            bool all = true;
            for (int p = 0; p < positions; p++)
            {
                int y = classes[b * positions + p];
                double frequency = frequencies[p * outputs + y];
                error -= Math.Log(frequency) / positions;
                all &= threshold > 0 ? frequency > 1 - threshold : best[p] == y;
            }

            wrong += all ? 0 : 1;
        }

        return (error / sequences, (double)wrong / sequences);
    }

    /// <summary>
    /// The mean over sequences of ‖dL/dh_t‖₂ at each distance d = length − 1 − t from the sequence's last step, for
    /// d &lt; D (D at most the shortest length): states (B, T, H), lengths (B), norms (D).
    /// </summary>
    public static void MeanNormsByDistance<T>(ReadOnlySpan<T> states, ReadOnlySpan<int> lengths, int steps, int size, Span<double> norms)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        norms.Clear();
        for (int b = 0; b < lengths.Length; b++)
        {
            for (int distance = 0; distance < norms.Length; distance++)
            {
                int t = lengths[b] - 1 - distance;
                ReadOnlySpan<T> state = states.Slice((b * steps + t) * size, size); // (H)
                double squares = 0;
                foreach (T value in state)
                {
                    double v = double.CreateTruncating(value);
                    squares += v * v;
                }

                norms[distance] += Math.Sqrt(squares) / lengths.Length;
            }
        }
    }

    private static double LogSoftmaxAt(ReadOnlySpan<float> scores, int index)
    {
        double maximum = double.NegativeInfinity;
        foreach (float s in scores)
        {
            maximum = Math.Max(maximum, s);
        }

        double sum = 0;
        foreach (float s in scores)
        {
            sum += Math.Exp(s - maximum);
        }

        return scores[index] - maximum - Math.Log(sum);
    }

    private static int Argmax<T>(ReadOnlySpan<T> values) where T : INumber<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
