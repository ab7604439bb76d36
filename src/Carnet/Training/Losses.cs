using System.Globalization;
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Training;

/// <summary>
/// Loss functions with PyTorch 1.13's definitions and reductions. Each returns the reduced loss and WRITES (does not
/// accumulate) d loss / d prediction into <c>gradient</c>, which has the prediction's shape. Each optionally writes the
/// unreduced losses (PyTorch's <c>reduction='none'</c>) into <c>unreducedLosses</c>, for metrics.
/// </summary>
public static class Losses
{
    /// <summary>
    /// <c>torch.nn.functional.mse_loss</c>: (prediction − target)², averaged or summed; gradient 2 (prediction − target),
    /// divided by the element count for <see cref="Reduction.Mean"/>.
    /// </summary>
    /// <param name="prediction">Any shape.</param>
    /// <param name="target">The prediction's shape.</param>
    /// <param name="gradient">The prediction's shape; receives d loss / d prediction.</param>
    /// <param name="reduction">Mean (the default) or sum over the elements.</param>
    /// <param name="unreducedLosses">Optional, the prediction's shape; receives each element's squared error.</param>
    /// <returns>The reduced loss.</returns>
    public static T MeanSquaredError<T>(
        Tensor<T> prediction, Tensor<T> target, Tensor<T> gradient, Reduction reduction = Reduction.Mean,
        Tensor<T>? unreducedLosses = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool mean = CheckElementwise(prediction, target, nameof(target), gradient, reduction, unreducedLosses);
        return LossKernels.MeanSquaredError<T>(prediction.Span, target.Span, mean, gradient.Span, SpanOf(unreducedLosses));
    }

    /// <summary>
    /// <c>torch.nn.functional.l1_loss</c>: |prediction − target|, averaged or summed; gradient sign(prediction − target),
    /// 0 where they are equal (as PyTorch), divided by the element count for <see cref="Reduction.Mean"/>.
    /// </summary>
    /// <param name="prediction">Any shape.</param>
    /// <param name="target">The prediction's shape.</param>
    /// <param name="gradient">The prediction's shape; receives d loss / d prediction.</param>
    /// <param name="reduction">Mean (the default) or sum over the elements.</param>
    /// <param name="unreducedLosses">Optional, the prediction's shape; receives each element's absolute error.</param>
    /// <returns>The reduced loss.</returns>
    public static T L1Loss<T>(
        Tensor<T> prediction, Tensor<T> target, Tensor<T> gradient, Reduction reduction = Reduction.Mean,
        Tensor<T>? unreducedLosses = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool mean = CheckElementwise(prediction, target, nameof(target), gradient, reduction, unreducedLosses);
        return LossKernels.L1<T>(prediction.Span, target.Span, mean, gradient.Span, SpanOf(unreducedLosses));
    }

    /// <summary>
    /// <c>torch.nn.functional.huber_loss</c>: with d = prediction − target, ½d² where |d| &lt; δ and δ(|d| − ½δ)
    /// elsewhere, averaged or summed; gradient d inside the band and δ·sign(d) outside it.
    /// </summary>
    /// <param name="prediction">Any shape.</param>
    /// <param name="target">The prediction's shape.</param>
    /// <param name="gradient">The prediction's shape; receives d loss / d prediction.</param>
    /// <param name="delta">δ &gt; 0, where the loss turns from quadratic to linear (PyTorch's default 1).</param>
    /// <param name="reduction">Mean (the default) or sum over the elements.</param>
    /// <param name="unreducedLosses">Optional, the prediction's shape; receives each element's loss.</param>
    /// <returns>The reduced loss.</returns>
    public static T HuberLoss<T>(
        Tensor<T> prediction, Tensor<T> target, Tensor<T> gradient, double delta = 1.0, Reduction reduction = Reduction.Mean,
        Tensor<T>? unreducedLosses = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(delta > 0) || double.IsInfinity(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The Huber delta must be positive and finite.");
        }

        bool mean = CheckElementwise(prediction, target, nameof(target), gradient, reduction, unreducedLosses);
        return LossKernels.Huber(prediction.Span, target.Span, T.CreateTruncating(delta), mean, gradient.Span, SpanOf(unreducedLosses));
    }

    /// <summary>
    /// <c>torch.nn.functional.cross_entropy</c> over rows of logits and class ids, with PyTorch's class weights, ignore
    /// index and label smoothing. With log p = log_softmax(row) (computed with the row maximum subtracted), a row whose
    /// target y is not <paramref name="ignoreIndex"/> loses (1 − ε)·(−w_y·log p_y) + (ε/C)·(−Σ_c w_c·log p_c), where
    /// ε is <paramref name="labelSmoothing"/> and w = 1 without weights; an ignored row loses 0 and gets a zero gradient.
    /// <see cref="Reduction.Mean"/> divides the total by the sum of w_y over the non-ignored rows (their count
    /// without weights) — both the hard and the smoothed term, as PyTorch 1.13 does — so when every target is ignored
    /// the mean is NaN (as in PyTorch) and the gradient is zero.
    /// </summary>
    /// <param name="logits">(N, C): callers flatten (B, T, C) to (B·T, C).</param>
    /// <param name="targets">(N) class ids in [0, C), or <paramref name="ignoreIndex"/>.</param>
    /// <param name="gradient">(N, C); receives d loss / d logits.</param>
    /// <param name="reduction">Mean (the default) or sum over the rows.</param>
    /// <param name="classWeights">Optional (C): a rescaling weight per class.</param>
    /// <param name="ignoreIndex">Targets equal to this do not count (PyTorch's default −100).</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the target becomes (1 − ε)·onehot(y) + ε/C.</param>
    /// <param name="unreducedLosses">Optional (N): receives each row's loss (0 for ignored rows), before the mean's division.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A target is outside [0, C) and is not the ignore index, or a shape is wrong.</exception>
    public static T CrossEntropy<T>(
        Tensor<T> logits, ReadOnlySpan<int> targets, Tensor<T> gradient, Reduction reduction = Reduction.Mean,
        Tensor<T>? classWeights = null, int ignoreIndex = -100, double labelSmoothing = 0.0, Tensor<T>? unreducedLosses = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logits.Rank != 2)
        {
            throw new ArgumentException(
                $"logits has shape {Tensor<T>.ShapeToString(logits.Shape.ToArray())}, expected (N, C); flatten (B, T, C) to (B·T, C).",
                nameof(logits));
        }

        int rows = logits.Shape[0];
        int classes = logits.Shape[1];
        if (targets.Length != rows)
        {
            throw new ArgumentException($"targets has {targets.Length} class ids for {rows} rows of logits.", nameof(targets));
        }

        gradient.EnsureShape(nameof(gradient), rows, classes);
        classWeights?.EnsureShape(nameof(classWeights), classes);
        unreducedLosses?.EnsureShape(nameof(unreducedLosses), rows);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be between 0 and 1.");
        }

        for (int n = 0; n < targets.Length; n++)
        {
            if (targets[n] != ignoreIndex && (uint)targets[n] >= (uint)classes)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"targets[{n}] is {targets[n]}, outside the class range [0, {classes}) and not the ignore index {ignoreIndex}."),
                    nameof(targets));
            }
        }

        return LossKernels.CrossEntropy(
            logits.Span, targets, SpanOf(classWeights), ignoreIndex, T.CreateTruncating(labelSmoothing),
            IsMean(reduction), rows, classes, gradient.Span, SpanOf(unreducedLosses));
    }

    /// <summary>
    /// <c>torch.nn.functional.binary_cross_entropy_with_logits</c>: for a logit x and a target y in [0, 1],
    /// w·[(1 − y)·x + l·log(1 + e^(−x))] with l = 1 + (pw − 1)·y, computed in the stable form
    /// (without pw: max(x, 0) − x·y + log(1 + e^(−|x|))); gradient w·[l·σ(x) − pw·y], divided by the element count
    /// for <see cref="Reduction.Mean"/>. Targets are not range-checked (soft labels are allowed, as in PyTorch).
    /// </summary>
    /// <param name="logits">Any shape; its last dimension K is the class axis that <paramref name="positiveWeight"/> follows.</param>
    /// <param name="targets">The logits' shape.</param>
    /// <param name="gradient">The logits' shape; receives d loss / d logits.</param>
    /// <param name="reduction">Mean (the default) or sum over the elements.</param>
    /// <param name="weight">Optional, the logits' shape: a weight per element.</param>
    /// <param name="positiveWeight">Optional (K): PyTorch's <c>pos_weight</c>, the weight of positive targets per class of
    /// the last dimension, broadcast over the others.</param>
    /// <param name="unreducedLosses">Optional, the logits' shape; receives each element's loss.</param>
    /// <returns>The reduced loss.</returns>
    public static T BinaryCrossEntropyWithLogits<T>(
        Tensor<T> logits, Tensor<T> targets, Tensor<T> gradient, Reduction reduction = Reduction.Mean,
        Tensor<T>? weight = null, Tensor<T>? positiveWeight = null, Tensor<T>? unreducedLosses = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool mean = CheckElementwise(logits, targets, nameof(targets), gradient, reduction, unreducedLosses);
        weight?.EnsureShape(nameof(weight), logits.Shape.ToArray());
        if (positiveWeight is not null)
        {
            if (logits.Rank == 0)
            {
                throw new ArgumentException("positiveWeight needs logits with a last dimension.", nameof(positiveWeight));
            }

            positiveWeight.EnsureShape(nameof(positiveWeight), logits.Shape[^1]);
        }

        return LossKernels.BinaryCrossEntropyWithLogits<T>(
            logits.Span, targets.Span, SpanOf(weight), SpanOf(positiveWeight), mean, gradient.Span, SpanOf(unreducedLosses));
    }

    /// <summary>
    /// <c>torch.nn.functional.ctc_loss</c> (Connectionist Temporal Classification): each sample n loses
    /// −log p(target_n | its first inputLengths[n] frames), summed over every alignment of the target with blanks and
    /// repeats. <see cref="Reduction.Mean"/> divides each loss by its target length (at least 1), then averages over the
    /// batch; <see cref="Reduction.Sum"/> adds them. An impossible target (too few frames) loses +∞, or 0 with a zero
    /// gradient under <see cref="CtcLossOptions.ZeroInfinity"/>. The gradient is the exact derivative with respect to the
    /// log-probabilities, zero on frames past a sample's length; PyTorch's autograd reports it plus exp(log y)·(the
    /// sample's weight) on the sample's frames, a term that the backward pass of <c>log_softmax</c> cancels, so the
    /// gradients with respect to the logits before log_softmax are the same.
    /// </summary>
    /// <param name="logProbabilities">(T, N, C) log-probabilities (log_softmax over C).</param>
    /// <param name="targets">The targets of every sample one after the other (PyTorch's 1-D form), symbols in [0, C) without the blank.</param>
    /// <param name="inputLengths">(N) frames of each sample, at most T.</param>
    /// <param name="targetLengths">(N) symbols of each sample's target; they add up to the length of <paramref name="targets"/>.</param>
    /// <param name="gradient">(T, N, C); receives d loss / d logProbabilities.</param>
    /// <param name="options">The blank, the reduction and zero_infinity (default: blank 0, mean, false, as PyTorch).</param>
    /// <param name="unreducedLosses">Optional (N): each sample's −log p (PyTorch's <c>reduction='none'</c>).</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">A shape, length or symbol is out of range.</exception>
    public static T CtcLoss<T>(
        Tensor<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths,
        Tensor<T> gradient, CtcLossOptions? options = null, Tensor<T>? unreducedLosses = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (blank, reduction, zeroInfinity) = options ?? new CtcLossOptions();
        int[] shape = logProbabilities.Rank == 3 ? logProbabilities.Shape.ToArray()
            : throw new ArgumentException($"logProbabilities has shape {Tensor<T>.ShapeToString(logProbabilities.Shape.ToArray())}, expected (T, N, C).", nameof(logProbabilities));
        var (frames, batch, classes) = (shape[0], shape[1], shape[2]);
        gradient.EnsureShape(nameof(gradient), shape);
        unreducedLosses?.EnsureShape(nameof(unreducedLosses), batch);
        CheckCtcTargets(targets, inputLengths, targetLengths, frames, batch, classes, blank);
        bool mean = IsMean(reduction);
        gradient.Span.Clear();
        double total = 0;
        for (int n = 0, offset = 0; n < batch; offset += targetLengths[n], n++)
        {
            double weight = mean ? 1.0 / (Math.Max(targetLengths[n], 1) * (double)batch) : 1.0;
            var frameRows = logProbabilities.Span[(n * classes)..];
            var gradientRows = gradient.Span[(n * classes)..];
            double loss = CtcKernels.Loss<T>(frameRows, batch * classes, inputLengths[n], classes, targets.Slice(offset, targetLengths[n]), blank, gradientRows, weight);
            if (zeroInfinity && double.IsPositiveInfinity(loss))
            {
                loss = 0;
                for (int t = 0; t < inputLengths[n]; t++)
                {
                    gradientRows.Slice(t * batch * classes, classes).Clear();
                }
            }

            if (unreducedLosses is not null)
            {
                unreducedLosses.Span[n] = T.CreateTruncating(loss);
            }

            total += loss * weight;
        }

        return T.CreateTruncating(total);
    }

    private static void CheckCtcTargets(
        ReadOnlySpan<int> targets, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths, int frames, int batch, int classes, int blank)
    {
        if (inputLengths.Length != batch || targetLengths.Length != batch)
        {
            throw new ArgumentException($"{inputLengths.Length} input lengths and {targetLengths.Length} target lengths for {batch} samples.", nameof(inputLengths));
        }

        if ((uint)blank >= (uint)classes)
        {
            throw new ArgumentOutOfRangeException(nameof(blank), blank, $"The blank must be one of the {classes} symbols.");
        }

        long sum = 0;
        for (int n = 0; n < batch; n++)
        {
            if ((uint)inputLengths[n] > (uint)frames || targetLengths[n] < 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"sample {n}: input length {inputLengths[n]} (at most {frames}) and target length {targetLengths[n]} (at least 0)."), nameof(inputLengths));
            }

            sum += targetLengths[n];
        }

        if (sum != targets.Length)
        {
            throw new ArgumentException($"The target lengths add up to {sum}; targets holds {targets.Length}.", nameof(targets));
        }

        for (int i = 0; i < targets.Length; i++)
        {
            if ((uint)targets[i] >= (uint)classes || targets[i] == blank)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"targets[{i}] is {targets[i]}: a symbol in [0, {classes}) other than the blank {blank}."), nameof(targets));
            }
        }
    }

    /// <summary>Checks the shapes of an element-wise loss and returns whether the reduction is the mean.</summary>
    private static bool CheckElementwise<T>(
        Tensor<T> prediction, Tensor<T> target, string targetName, Tensor<T> gradient, Reduction reduction, Tensor<T>? unreducedLosses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] shape = prediction.Shape.ToArray();
        target.EnsureShape(targetName, shape);
        gradient.EnsureShape(nameof(gradient), shape);
        unreducedLosses?.EnsureShape(nameof(unreducedLosses), shape);
        return IsMean(reduction);
    }

    private static bool IsMean(Reduction reduction) => reduction switch
    {
        Reduction.Mean => true,
        Reduction.Sum => false,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction."),
    };

    private static Span<T> SpanOf<T>(Tensor<T>? tensor)
        where T : unmanaged, IFloatingPointIeee754<T>
        => tensor is null ? Span<T>.Empty : tensor.Span;
}

/// <summary>The settings of <see cref="Losses.CtcLoss"/>, with PyTorch's defaults.</summary>
/// <param name="Blank">The blank symbol's index.</param>
/// <param name="Reduction">Mean (each sample's loss over its target length, then over the batch) or sum.</param>
/// <param name="ZeroInfinity">Whether an impossible target loses 0 (with a zero gradient) instead of +∞.</param>
public sealed record CtcLossOptions(int Blank = 0, Reduction Reduction = Reduction.Mean, bool ZeroInfinity = false);
