using System.Globalization;
using Carnet.Layers;
using Carnet.Training;

namespace Carnet.Tasks.Text;

/// <summary>The settings of <see cref="CharacterTrainer"/>: the network, truncated back-propagation, the optimisation, the samples.</summary>
public sealed record TextTrainingOptions
{
    /// <summary>The recurrent cell.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>E, the size of each character's embedding.</summary>
    public int EmbeddingSize { get; init; } = 64;

    /// <summary>H, units per layer.</summary>
    public int HiddenSize { get; init; } = 256;

    /// <summary>Stacked layers.</summary>
    public int NumLayers { get; init; } = 2;

    /// <summary>Dropout on the outputs of every layer but the last (PyTorch's <c>nn.LSTM(dropout=…)</c>; no effect with one layer).</summary>
    public double Dropout { get; init; }

    /// <summary>T, the steps back-propagation runs through before it is truncated (the state is still carried on).</summary>
    public int SequenceLength { get; init; } = 64;

    /// <summary>B, the parallel streams the training text is cut into; each optimizer step reads T characters of each.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.002;

    /// <summary>The global 2-norm the gradients are clipped to before each step (exploding gradients through long streams); null does not clip.</summary>
    public double? ClipGradientNorm { get; init; } = 5.0;

    /// <summary>Most passes over the training text.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>The share of the text, at its end, held out to measure bits per character; 0 holds out nothing.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Seed of the initial weights, the dropout masks and the samples: the same seed gives the same model.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>When set, training stops at the first optimizer step that ends past it; that epoch is measured and the best model kept.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Where a checkpoint is kept at each epoch's end, or null.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// When set, this process is one rank of a data-parallel run (<see cref="TrainingLoopOptions.Distributed"/>): the
    /// batch size stays the global batch, and rank 0 alone writes the checkpoint.
    /// </summary>
    public Carnet.Training.Distributed.Communicator? Distributed { get; init; }

    /// <summary>Whether to continue from the checkpoint at <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }

    /// <summary>Characters generated after each epoch to show what the model writes (0 for none).</summary>
    public int SampleLength { get; init; } = 200;

    /// <summary>How those samples are drawn.</summary>
    public SamplingOptions Sampling { get; init; } = new() { Temperature = 0.8 };

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A size, count or rate is out of range.</exception>
    public void Validate()
    {
        static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new ArgumentException(message);
            }
        }

        string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
        Require(EmbeddingSize >= 1 && HiddenSize >= 1 && NumLayers >= 1,
            $"the embedding size ({EmbeddingSize}), hidden size ({HiddenSize}) and layer count ({NumLayers}) must be at least 1");
        Require(SequenceLength >= 1 && BatchSize >= 1, $"the sequence length ({SequenceLength}) and batch size ({BatchSize}) must be at least 1");
        Require(Epochs >= 1, $"the epoch count ({Epochs}) must be at least 1");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), $"the learning rate ({Text(LearningRate)}) must be positive");
        Require(ClipGradientNorm is null || ClipGradientNorm > 0, $"the gradient clipping norm ({Text(ClipGradientNorm ?? 0)}) must be positive");
        Require(Dropout is >= 0 and < 1, $"the dropout ({Text(Dropout)}) must be at least 0 and below 1");
        Require(TimeLimit is null || TimeLimit > TimeSpan.Zero, "the time limit must be positive");
        Require(SampleLength >= 0, $"the sample length ({SampleLength}) must not be negative");
        Sampling.Validate();
    }
}

/// <summary>What <see cref="CharacterTrainer"/> reports: after each optimizer step, and at each epoch's end with the held-out bits per character and a sample.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">The most epochs.</param>
/// <param name="Batch">Optimizer steps done in this epoch.</param>
/// <param name="Batches">Optimizer steps in a whole epoch.</param>
/// <param name="TrainingBitsPerCharacter">The mean training loss of the epoch so far, in bits per character.</param>
/// <param name="ValidationBitsPerCharacter">At an epoch's end, the held-out bits per character; otherwise null.</param>
/// <param name="Sample">At an epoch's end, the generated sample (when asked for); otherwise null.</param>
/// <param name="EpochEnd">Whether this is the report of an epoch's end.</param>
/// <param name="Elapsed">Time since training started (or resumed).</param>
public sealed record TextTrainingProgress(
    int Epoch, int Epochs, int Batch, int Batches, double TrainingBitsPerCharacter, double? ValidationBitsPerCharacter, string? Sample, bool EpochEnd, TimeSpan Elapsed);

/// <summary>One finished epoch of a character model.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainingBitsPerCharacter">Mean training loss over its steps, in bits per character (with dropout, as trained).</param>
/// <param name="ValidationBitsPerCharacter">Held-out bits per character at its end, or null without validation.</param>
/// <param name="Batches">Optimizer steps it ran (fewer than a whole epoch's when the time limit cut it short).</param>
/// <param name="Seconds">Wall time from the start of training (summed over resumed runs) to the end of its evaluation.</param>
/// <param name="Sample">Text generated at its end.</param>
public sealed record TextEpoch(int Epoch, double TrainingBitsPerCharacter, double? ValidationBitsPerCharacter, int Batches, double Seconds, string Sample);

/// <summary>What <see cref="CharacterTrainer.Fit"/> produced.</summary>
/// <param name="Model">The model, with the weights of the best held-out epoch (the last epoch's without validation).</param>
/// <param name="Epochs">Every epoch, resumed ones included.</param>
/// <param name="BestEpoch">The epoch of the lowest held-out bits per character, or null without validation.</param>
/// <param name="TrainingCharacters">Characters in the training part.</param>
/// <param name="ValidationCharacters">Characters held out at the end of the text.</param>
/// <param name="BatchesPerEpoch">Optimizer steps in a whole epoch.</param>
/// <param name="StoppedByTimeLimit">Whether the time limit ended training.</param>
/// <param name="Options">The settings.</param>
public sealed record TextTrainingOutcome(
    CharacterModel Model, IReadOnlyList<TextEpoch> Epochs, int? BestEpoch, int TrainingCharacters, int ValidationCharacters, int BatchesPerEpoch,
    bool StoppedByTimeLimit, TextTrainingOptions Options)
{
    /// <summary>The lowest held-out bits per character, or null without validation.</summary>
    public double? BestValidationBitsPerCharacter => BestEpoch is { } best ? Epochs[best - 1].ValidationBitsPerCharacter : null;
}
