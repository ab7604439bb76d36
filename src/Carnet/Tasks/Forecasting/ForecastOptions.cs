using Carnet.Layers;

namespace Carnet.Tasks.Forecasting;

/// <summary>The settings of <see cref="Forecaster"/>; what is left null is chosen from the data.</summary>
public sealed record ForecastOptions
{
    /// <summary>Steps forecast at once (direct multi-step); null: one season (at most 48 steps), or 12 without seasonality.</summary>
    public int? Horizon { get; init; }

    /// <summary>Past steps the network reads; null: two seasons or two horizons, whichever is longer (at most 336), shortened for short series.</summary>
    public int? Window { get; init; }

    /// <summary>The season length of the seasonal-naive baseline and the MASE scale; null: detected from the autocorrelation.</summary>
    public int? Season { get; init; }

    /// <summary>Horizons at the end of the series held out for testing; null: about a tenth of the series (1 to 10 horizons).</summary>
    public int? TestHorizons { get; init; }

    /// <summary>Horizons before the test part used for validation (early stopping); null: as many as the test part.</summary>
    public int? ValidationHorizons { get; init; }

    /// <summary>Forced logarithm on or off; null decides from the data (positive values whose spread grows with their level).</summary>
    public bool? Logarithm { get; init; }

    /// <summary>
    /// Forced differencing; null decides from the data: seasonal when a window of two seasons would be longer than
    /// <see cref="MaximumAutomaticWindow"/> and the seasonal-naive forecast beats the naive one over the horizon on the
    /// training part (the window is then two horizons), else first differences when a linear trend explains half the variance, else none.
    /// </summary>
    public Differencing? Difference { get; init; }

    /// <summary>The recurrent cell.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>Units per layer.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Stacked layers.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Dropout between stacked layers.</summary>
    public double Dropout { get; init; }

    /// <summary>Most passes over the training windows.</summary>
    public int Epochs { get; init; } = 300;

    /// <summary>Windows per optimizer step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.003;

    /// <summary>Epochs without a better validation loss before training stops (the best weights are kept).</summary>
    public int Patience { get; init; } = 40;

    /// <summary>Seed of initial weights and shuffles: the same seed gives the same model, bit for bit.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Where a checkpoint is kept at each epoch's end, or null.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// When set, this process is one rank of a data-parallel run (<see cref="Carnet.Training.TrainingLoopOptions.Distributed"/>): the
    /// batch size stays the global batch, and rank 0 alone writes the checkpoint.
    /// </summary>
    public Carnet.Training.Distributed.Communicator? Distributed { get; init; }

    /// <summary>Whether to continue from the checkpoint at <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }

    /// <summary>The longest window chosen automatically.</summary>
    public const int MaximumAutomaticWindow = 336;
}

/// <summary>What the network models: the levels, their step-to-step change, or their change from one season to the next.</summary>
public enum Differencing
{
    /// <summary>The levels (after the optional logarithm).</summary>
    None,

    /// <summary>level[t] − level[t − 1].</summary>
    First,

    /// <summary>level[t] − level[t − season].</summary>
    Seasonal,
}

/// <summary>The settings a forecasting run resolved from its options and its data.</summary>
/// <param name="Horizon">Steps forecast at once.</param>
/// <param name="Window">Past steps read.</param>
/// <param name="Season">Season length (1: none).</param>
/// <param name="TestHorizons">Horizons held out at the end for testing.</param>
/// <param name="ValidationHorizons">Horizons before them for validation.</param>
/// <param name="TrainingEnd">Index where the validation part starts: training targets lie before it.</param>
/// <param name="TestStart">Index where the test part starts.</param>
/// <param name="SeasonDetected">Whether the season was detected rather than given.</param>
/// <param name="DifferenceLag">The differencing lag when forced or chosen seasonal by the plan; null lets the transform choose first differences or none.</param>
public sealed record ForecastPlan(int Horizon, int Window, int Season, int TestHorizons, int ValidationHorizons, int TrainingEnd, int TestStart, bool SeasonDetected,
    int? DifferenceLag);
