namespace Carnet.Tasks.Classification;

/// <summary>
/// Where the sequences are in a CSV table. Long format (an <see cref="Id"/> column): one row per time step, rows of
/// a sequence sharing the id, ordered by <see cref="Time"/> when given. Wide format (no id): one row per sequence,
/// its feature columns read <see cref="FeaturesPerStep"/> at a time as successive steps (trailing empty cells make a
/// shorter sequence), or one text column whose characters (or whitespace-separated words) are the tokens.
/// </summary>
public sealed record SequenceColumns
{
    /// <summary>The sequence id column (long format), or null for wide format.</summary>
    public string? Id { get; init; }

    /// <summary>The column ordering the steps of a sequence (long format), or null for file order.</summary>
    public string? Time { get; init; }

    /// <summary>The label column; null when reading sequences to predict.</summary>
    public string? Label { get; init; }

    /// <summary>The feature columns; null or empty: every column but the id, time and label.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Wide numeric format: consecutive feature columns that form one step (e.g. 8 for 8×8 images read row by row).</summary>
    public int FeaturesPerStep { get; init; } = 1;
}
