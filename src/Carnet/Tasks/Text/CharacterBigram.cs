// Dimension legend: V = vocabulary size, N = characters.
namespace Carnet.Tasks.Text;

/// <summary>
/// The baseline a character model must beat: the probability of each character given the one before it, counted on
/// a training text with add-one (Laplace) smoothing, so that every pair has some probability.
/// </summary>
public sealed class CharacterBigram
{
    private readonly double[] logProbabilities; // (V, V): row = previous character, column = next, natural log

    private CharacterBigram(double[] logProbabilities, int vocabularySize)
    {
        this.logProbabilities = logProbabilities;
        VocabularySize = vocabularySize;
    }

    /// <summary>V.</summary>
    public int VocabularySize { get; }

    /// <summary>Counts the pairs of <paramref name="ids"/> (N), ids below <paramref name="vocabularySize"/>.</summary>
    /// <exception cref="ArgumentException">The vocabulary is empty or an id is outside it.</exception>
    public static CharacterBigram Fit(IReadOnlyList<int> ids, int vocabularySize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        var counts = new double[vocabularySize * vocabularySize]; // (V, V)
        for (int t = 1; t < ids.Count; t++)
        {
            counts[(Check(ids[t - 1], vocabularySize) * vocabularySize) + Check(ids[t], vocabularySize)]++;
        }

        for (int previous = 0; previous < vocabularySize; previous++)
        {
            var row = counts.AsSpan(previous * vocabularySize, vocabularySize);
            double total = 0;
            foreach (double count in row)
            {
                total += count + 1;
            }

            for (int next = 0; next < vocabularySize; next++)
            {
                row[next] = Math.Log((row[next] + 1) / total);
            }
        }

        return new CharacterBigram(counts, vocabularySize);
    }

    /// <summary>The mean of −log2 P(c_t | c_{t−1}) over every character of <paramref name="ids"/> (N ≥ 2) after the first.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 ids, or an id is outside the vocabulary.</exception>
    public double BitsPerCharacter(IReadOnlyList<int> ids)
    {
        if (ids.Count < 2)
        {
            throw new ArgumentException($"{ids.Count} characters hold no pair to score; at least 2 are needed.", nameof(ids));
        }

        double total = 0;
        for (int t = 1; t < ids.Count; t++)
        {
            total -= logProbabilities[(Check(ids[t - 1], VocabularySize) * VocabularySize) + Check(ids[t], VocabularySize)];
        }

        return total / (ids.Count - 1) / Math.Log(2);
    }

    private static int Check(int id, int vocabularySize)
        => (uint)id < (uint)vocabularySize ? id : throw new ArgumentException($"the id {id} is outside a vocabulary of {vocabularySize}");
}
