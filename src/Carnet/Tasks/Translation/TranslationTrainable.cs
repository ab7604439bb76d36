// Dimension legend: B = batch, T = target steps, V = target vocabulary.
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tasks.Translation;

/// <summary>
/// A <see cref="Seq2SeqModel{T}"/> as the training loop sees it: teacher forcing at a ratio, cross-entropy over target
/// tokens (padding ignored) with label smoothing, the epoch's loss averaged per target token, and a validation
/// criterion chosen by the task.
/// </summary>
public sealed class TranslationTrainable(Seq2SeqModel<float> model, double teacherForcing, double labelSmoothing) : ITrainable<float, Seq2SeqBatch>
{
    /// <summary>The criterion after each epoch (lower is better), or null without validation.</summary>
    public Func<double>? Validation { get; init; }

    /// <summary>What the model's checkpoints must agree with (its configuration), checked on resume.</summary>
    public required Dictionary<string, string> Metadata { get; init; }

    /// <summary>Target tokens the training passes have counted in this process.</summary>
    public long TargetTokens { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<(string Prefix, Module<float> Module)> Modules => model.Modules;

    /// <inheritdoc />
    public TrainingPass<float> Forward(Seq2SeqBatch batch, RecurrentCarry<float>? carried, RandomSource random)
    {
        var result = model.Forward(batch, training: true, random, teacherForcing);
        var (loss, tokens, gradient) = Loss(result, labelSmoothing);
        TargetTokens += tokens;
        return new Pass(model, result, gradient) { Loss = loss, Sum = loss * tokens, Count = tokens, Weight = tokens };
    }

    /// <inheritdoc />
    public double? Validate() => Validation?.Invoke();

    /// <inheritdoc />
    public Dictionary<string, string> CheckpointMetadata() => new(Metadata);

    /// <inheritdoc />
    public void CheckCheckpoint(SafeTensorsFile file)
    {
        foreach (var (key, value) in Metadata)
        {
            if (!file.Metadata.TryGetValue(key, out var stored) || stored != value)
            {
                throw new SafeTensorsFormatException(file.Source,
                    $"the checkpoint was trained with other data or settings ({key} differs); resume with the same data and options, or use a new output folder");
            }
        }
    }

    /// <summary>The mean cross-entropy per target token over <paramref name="data"/>, teacher-forced, without dropout or smoothing.</summary>
    public static double Evaluate(Seq2SeqModel<float> model, EncodedPairs data, int batchSize)
    {
        double total = 0;
        long tokens = 0;
        foreach (var batch in data.InOrder(batchSize))
        {
            using var result = model.Forward(batch);
            var (loss, count, _) = Loss(result, 0);
            total += loss * count;
            tokens += count;
        }

        return total / Math.Max(1, tokens);
    }

    /// <summary>The batch's mean loss over its non-padded targets, their count, and dL/dlogits (T·B, V).</summary>
    private static (double Loss, int Tokens, Tensor<float> Gradient) Loss(Seq2SeqResult<float> result, double smoothing)
    {
        var batch = result.Batch;
        int rows = batch.Batch * batch.TargetSteps;
        var logits = new Tensor<float>(result.LogitsTimeMajor, rows, result.LogitsTimeMajor.Length / rows); // (T·B, V)
        var gradient = Tensor<float>.Zeros(logits.Shape.ToArray());
        var targets = batch.TargetsTimeMajor();
        double loss = Losses.CrossEntropy(logits, targets, gradient, ignoreIndex: TokenVocabulary.Padding, labelSmoothing: smoothing);
        return (loss, targets.Count(t => t != TokenVocabulary.Padding), gradient);
    }

    private sealed class Pass(Seq2SeqModel<float> model, Seq2SeqResult<float> result, Tensor<float> gradient) : TrainingPass<float>
    {
        public override void Backward() => model.Backward(result, gradient.Span);

        protected override void Dispose(bool disposing) => result.Dispose();
    }
}
