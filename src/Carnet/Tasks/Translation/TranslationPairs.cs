using Carnet.Tasks.Data;

namespace Carnet.Tasks.Translation;

/// <summary>One sentence and its translation, with the file line they came from (1-based) for messages.</summary>
/// <param name="Source">The sentence to translate.</param>
/// <param name="Target">Its translation.</param>
/// <param name="Line">The file line of the pair.</param>
public sealed record SentencePair(string Source, string Target, int Line);

/// <summary>
/// Sentence pairs read from a UTF-8 file with a header row: tab-separated when the header line has a tab, else
/// comma-separated with RFC 4180 quoting (<see cref="CsvTable"/>). The source and target columns are picked by name,
/// by default the first two columns; other columns (an attribution, say) are read and checked but not kept. Every
/// problem is one <see cref="DataFormatException"/> naming the file, line and column.
/// </summary>
public sealed class TranslationPairs
{
    private TranslationPairs(string file, string sourceColumn, string targetColumn, IReadOnlyList<SentencePair> pairs)
    {
        File = file;
        SourceColumn = sourceColumn;
        TargetColumn = targetColumn;
        Pairs = pairs;
    }

    /// <summary>The file path.</summary>
    public string File { get; }

    /// <summary>The name of the source column.</summary>
    public string SourceColumn { get; }

    /// <summary>The name of the target column.</summary>
    public string TargetColumn { get; }

    /// <summary>The pairs in file order.</summary>
    public IReadOnlyList<SentencePair> Pairs { get; }

    /// <summary>Reads the pairs of a file; a null column name means the first (source) or second (target) column.</summary>
    /// <exception cref="DataFormatException">The file is missing, empty, not UTF-8, has no pairs, a short row, an empty cell or no such column.</exception>
    public static TranslationPairs Read(string path, string? sourceColumn = null, string? targetColumn = null)
        => FromTable(CsvTable.ReadDetectingSeparator(path), sourceColumn, targetColumn);

    /// <summary>Parses the text of a file; <paramref name="file"/> names it in messages.</summary>
    /// <exception cref="DataFormatException">The text is empty, has no pairs, a short row, an empty cell or no such column.</exception>
    public static TranslationPairs Parse(string text, string file, string? sourceColumn = null, string? targetColumn = null)
        => FromTable(CsvTable.Parse(text, file, CsvTable.DetectSeparator(text)), sourceColumn, targetColumn);

    /// <summary>The pairs of a table already read.</summary>
    /// <exception cref="DataFormatException">The table has no rows, an empty cell or no such column.</exception>
    public static TranslationPairs FromTable(CsvTable table, string? sourceColumn = null, string? targetColumn = null)
    {
        int source = PickColumn(table, sourceColumn, 0);
        int target = PickColumn(table, targetColumn, 1);
        if (source == target)
        {
            throw new DataFormatException(table.Source, table.HeaderLine, source + 1,
                $"the source and target columns are both '{table.Header[source]}'; expected two different columns");
        }

        if (table.Rows.Count == 0)
        {
            throw new DataFormatException(table.Source, table.HeaderLine + 1, 0, "the file has a header but no sentence pairs; expected one pair per line after it");
        }

        var pairs = new SentencePair[table.Rows.Count];
        for (int r = 0; r < pairs.Length; r++)
        {
            pairs[r] = new SentencePair(Cell(table, r, source), Cell(table, r, target), table.LineNumbers[r]);
        }

        return new TranslationPairs(table.Source, table.Header[source], table.Header[target], pairs);
    }

    /// <summary>
    /// Splits the pairs at random into a training part and a held-out part of about <paramref name="heldOutFraction"/> of
    /// the pairs. Pairs with the same source sentence go to the same part, so a sentence held out is never seen in training
    /// with another translation: groups are shuffled with <paramref name="random"/> and held out in that order until the
    /// held-out part has at least round(fraction · pairs) pairs. Both parts keep file order. The same seed gives the same split.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in [0, 1).</exception>
    /// <exception cref="ArgumentException">The held-out part would take every pair.</exception>
    public (IReadOnlyList<SentencePair> Training, IReadOnlyList<SentencePair> HeldOut) Split(double heldOutFraction, RandomSource random)
    {
        if (!(heldOutFraction >= 0 && heldOutFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "The held-out fraction is a number in [0, 1).");
        }

        var groups = Pairs.Select((pair, index) => (pair, index)).GroupBy(p => p.pair.Source, StringComparer.Ordinal)
            .Select(g => g.Select(p => p.index).ToArray()).ToArray();
        random.Shuffle(groups.AsSpan());
        int wanted = (int)Math.Round(heldOutFraction * Pairs.Count, MidpointRounding.AwayFromZero);
        var heldOut = new bool[Pairs.Count];
        for (int g = 0, taken = 0; g < groups.Length && taken < wanted; g++)
        {
            foreach (int index in groups[g])
            {
                heldOut[index] = true;
            }

            taken += groups[g].Length;
        }

        var training = Pairs.Where((_, i) => !heldOut[i]).ToArray();
        if (training.Length == 0)
        {
            throw new ArgumentException($"Holding out {heldOutFraction} of {Pairs.Count} pairs leaves none for training.", nameof(heldOutFraction));
        }

        return (training, Pairs.Where((_, i) => heldOut[i]).ToArray());
    }

    private static int PickColumn(CsvTable table, string? name, int defaultIndex)
    {
        if (name is not null)
        {
            return table.ColumnIndex(name);
        }

        if (defaultIndex >= table.Header.Count)
        {
            throw new DataFormatException(table.Source, table.HeaderLine, defaultIndex + 1,
                $"the header has {table.Header.Count} column; expected a source and a target column (is the file tab- or comma-separated?)");
        }

        return defaultIndex;
    }

    private static string Cell(CsvTable table, int row, int column)
    {
        string cell = table.Rows[row][column].Trim();
        return cell.Length > 0
            ? cell
            : throw new DataFormatException(table.Source, table.LineNumbers[row], column + 1,
                $"the '{table.Header[column]}' cell is empty; expected a sentence");
    }
}
