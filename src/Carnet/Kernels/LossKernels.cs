// Dimension legend: N = elements of a prediction (element-wise losses) or rows of logits (cross-entropy),
// C = classes, K = the last dimension of a binary prediction (pos_weight's length).
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>
/// Loss functions and their gradients with PyTorch 1.13's definitions. Scalar reference code. Each kernel WRITES
/// d loss / d prediction into <c>gradient</c> and, when <c>losses</c> is not empty, the unreduced losses
/// (PyTorch's <c>reduction='none'</c>); <c>mean</c> selects mean over sum reduction. Reductions are accumulated in
/// double precision.
/// </summary>
internal static class LossKernels
{
    /// <summary>Squared error (p − y)²; gradient 2 (p − y), divided by N for the mean. Returns the loss.</summary>
    public static T MeanSquaredError<T>(
        ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, bool mean,
        Span<T> gradient, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = T.CreateTruncating(2);
        T factor = mean ? two / T.CreateTruncating(prediction.Length) : two;
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            T difference = prediction[i] - target[i];
            T loss = difference * difference;
            sum += double.CreateTruncating(loss);
            StoreLoss(losses, i, loss);
            gradient[i] = factor * difference;
        }

        return Reduce<T>(sum, prediction.Length, mean);
    }

    /// <summary>Absolute error |p − y|; gradient sign(p − y) (0 where p = y, as PyTorch), divided by N for the mean.</summary>
    public static T L1<T>(
        ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, bool mean,
        Span<T> gradient, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = ElementScale<T>(prediction.Length, mean);
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            T difference = prediction[i] - target[i];
            T loss = T.Abs(difference);
            sum += double.CreateTruncating(loss);
            StoreLoss(losses, i, loss);
            gradient[i] = difference > T.Zero ? scale : difference < T.Zero ? -scale : T.Zero;
        }

        return Reduce<T>(sum, prediction.Length, mean);
    }

    /// <summary>
    /// Huber loss with d = p − y: ½d² where |d| &lt; δ, else δ(|d| − ½δ); gradient d where |d| &lt; δ, else δ·sign(d),
    /// divided by N for the mean.
    /// </summary>
    public static T Huber<T>(
        ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, T delta, bool mean,
        Span<T> gradient, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = ElementScale<T>(prediction.Length, mean);
        T half = T.CreateTruncating(0.5);
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            T difference = prediction[i] - target[i];
            T magnitude = T.Abs(difference);
            bool quadratic = magnitude < delta;
            T loss = quadratic ? half * difference * difference : delta * (magnitude - half * delta);
            sum += double.CreateTruncating(loss);
            StoreLoss(losses, i, loss);
            // quadratic inside the band, linear with slope ±δ outside it
            T slope = quadratic ? difference : difference > T.Zero ? delta : -delta;
            gradient[i] = scale * slope;
        }

        return Reduce<T>(sum, prediction.Length, mean);
    }

    /// <summary>
    /// Cross-entropy of rows of logits against class ids, as <c>torch.nn.functional.cross_entropy</c> with
    /// <c>weight</c>, <c>ignore_index</c> and <c>label_smoothing</c> (ε). With log p = log_softmax(x), a row whose
    /// target y is not the ignore index loses
    /// ℓ = −(1 − ε)·w_y·log p_y − (ε/C)·Σ_c w_c·log p_c   (w = 1 without class weights),
    /// an ignored row loses 0. The mean divides Σℓ by D = Σ over non-ignored rows of w_y (their count without weights),
    /// so it is NaN when every row is ignored; the gradient of each row is
    /// [(1 − ε)·w_y·(p − onehot(y)) + (ε/C)·(W·p − w)] / D with W = Σ_c w_c, and 0 for ignored rows.
    /// Targets must already be valid (in [0, C) or the ignore index).
    /// </summary>
    public static T CrossEntropy<T>(
        ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing,
        bool mean, int rows, int classes,
        Span<T> gradient, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // logits, gradient: (N, C); targets, losses: (N); classWeights: (C) or empty for all ones
        bool weighted = !classWeights.IsEmpty;
        bool smoothing = labelSmoothing != T.Zero;
        T oneMinusSmoothing = T.One - labelSmoothing;
        T smoothingPerClass = labelSmoothing / T.CreateTruncating(classes);
        T weightTotal = T.CreateTruncating(classes);
        if (weighted)
        {
            weightTotal = T.Zero;
            for (int c = 0; c < classes; c++)
            {
                weightTotal += classWeights[c];
            }
        }

        double denominator = 0;
        for (int n = 0; n < rows; n++)
        {
            if (targets[n] != ignoreIndex)
            {
                denominator += weighted ? double.CreateTruncating(classWeights[targets[n]]) : 1.0;
            }
        }

        T scale = mean ? T.CreateTruncating(1.0 / denominator) : T.One;
        double sum = 0;
        for (int n = 0; n < rows; n++)
        {
            ReadOnlySpan<T> x = logits.Slice(n * classes, classes);  // (C)
            Span<T> dx = gradient.Slice(n * classes, classes);       // (C)
            int target = targets[n];
            if (target == ignoreIndex)
            {
                dx.Clear();
                StoreLoss(losses, n, T.Zero);
                continue;
            }

            // log-softmax with the row maximum subtracted: log p_c = (x_c − max) − log Σ e^(x_j − max)
            T maximum = x[0];
            for (int c = 1; c < classes; c++)
            {
                maximum = T.Max(maximum, x[c]);
            }

            T exponentSum = T.Zero;
            for (int c = 0; c < classes; c++)
            {
                exponentSum += T.Exp(x[c] - maximum);
            }

            T logNormalizer = T.Log(exponentSum);
            T targetWeight = weighted ? classWeights[target] : T.One;
            T loss = -oneMinusSmoothing * targetWeight * (x[target] - maximum - logNormalizer);
            if (smoothing)
            {
                T weightedLogSum = T.Zero;
                for (int c = 0; c < classes; c++)
                {
                    weightedLogSum += (weighted ? classWeights[c] : T.One) * (x[c] - maximum - logNormalizer);
                }

                loss -= smoothingPerClass * weightedLogSum;
            }

            sum += double.CreateTruncating(loss);
            StoreLoss(losses, n, loss);

            // d/dx_c of −log p_k is p_c − [c = k]: the hard target's term, then the smoothed (weighted) uniform term
            for (int c = 0; c < classes; c++)
            {
                T probability = T.Exp(x[c] - maximum - logNormalizer);
                T hard = oneMinusSmoothing * targetWeight * (c == target ? probability - T.One : probability);
                T soft = smoothing ? smoothingPerClass * (weightTotal * probability - (weighted ? classWeights[c] : T.One)) : T.Zero;
                dx[c] = scale * (hard + soft);
            }
        }

        return T.CreateTruncating(mean ? sum / denominator : sum);
    }

    /// <summary>
    /// Binary cross-entropy on logits, as <c>torch.nn.functional.binary_cross_entropy_with_logits</c>: with
    /// l = 1 + (pw_k − 1)·y (1 without a positive weight), each element loses
    /// w·[(1 − y)·x + l·softplus(−x)], softplus(−x) = max(−x, 0) + log(1 + e^(−|x|)), which without pw is the stable
    /// max(x, 0) − x·y + log(1 + e^(−|x|)); its gradient is w·[l·σ(x) − pw_k·y], divided by N for the mean.
    /// </summary>
    public static T BinaryCrossEntropyWithLogits<T>(
        ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> weight, ReadOnlySpan<T> positiveWeight, bool mean,
        Span<T> gradient, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // logits, targets, gradient, losses: (N); weight: (N) or empty; positiveWeight: (K) or empty, k = i mod K
        T scale = ElementScale<T>(logits.Length, mean);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            T x = logits[i];
            T y = targets[i];
            T positive = positiveWeight.IsEmpty ? T.One : positiveWeight[i % positiveWeight.Length];
            T logWeight = T.One + (positive - T.One) * y;
            T softplusOfNegative = T.Max(-x, T.Zero) + T.LogP1(T.Exp(-T.Abs(x)));
            T elementWeight = weight.IsEmpty ? T.One : weight[i];
            T loss = elementWeight * ((T.One - y) * x + logWeight * softplusOfNegative);
            sum += double.CreateTruncating(loss);
            StoreLoss(losses, i, loss);
            gradient[i] = scale * elementWeight * (logWeight * StableSigmoid(x) - positive * y);
        }

        return Reduce<T>(sum, logits.Length, mean);
    }

    /// <summary>σ(x) without overflow: 1 / (1 + e^(−x)) for x ≥ 0, e^x / (1 + e^x) below.</summary>
    private static T StableSigmoid<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x >= T.Zero)
        {
            return T.One / (T.One + T.Exp(-x));
        }

        T exponential = T.Exp(x);
        return exponential / (T.One + exponential);
    }

    private static T ElementScale<T>(int count, bool mean)
        where T : unmanaged, IFloatingPointIeee754<T>
        => mean ? T.One / T.CreateTruncating(count) : T.One;

    private static T Reduce<T>(double sum, int count, bool mean)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.CreateTruncating(mean ? sum / count : sum);

    private static void StoreLoss<T>(Span<T> losses, int index, T loss)
    {
        if (!losses.IsEmpty)
        {
            losses[index] = loss;
        }
    }
}
