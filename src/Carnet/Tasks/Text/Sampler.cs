// Dimension legend: V = vocabulary size.
using System.Globalization;
using Carnet.Kernels;

namespace Carnet.Tasks.Text;

/// <summary>How the next character is drawn from the model's scores.</summary>
public sealed record SamplingOptions
{
    /// <summary>
    /// Divides the scores before the softmax: below 1 sharpens the distribution (more likely, more repetitive text),
    /// above 1 flattens it; 0 always takes the most likely character.
    /// </summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the K most likely characters (0 keeps all).</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling: keep only the smallest set of most likely characters whose probability reaches P (1 keeps all).</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">The temperature is negative or not finite, K is negative, or P is outside (0, 1].</exception>
    public void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the temperature is {Temperature}; it must be a finite number, at least 0"));
        }

        if (TopK < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"top-k is {TopK}; it must be at least 0 (0 keeps every character)"));
        }

        if (!(TopP > 0 && TopP <= 1))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"top-p is {TopP}; it must be above 0 and at most 1 (1 keeps every character)"));
        }
    }
}

/// <summary>
/// Draws token ids from scores (logits) with a temperature, top-k and top-p filtering, from a seeded
/// <see cref="RandomSource"/>: every draw takes exactly one random number, so the same seed and the same scores give
/// the same ids. Holds its scratch buffers, so a draw allocates nothing.
/// </summary>
public sealed class Sampler
{
    private readonly SamplingOptions options;
    private readonly RandomSource random;
    private readonly double[] probabilities, keys; // (V), (V)
    private readonly int[] order; // (V)

    /// <summary>Creates a sampler for scores over <paramref name="vocabularySize"/> tokens.</summary>
    public Sampler(int vocabularySize, SamplingOptions options, RandomSource random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        options.Validate();
        this.options = options;
        this.random = random;
        probabilities = new double[vocabularySize];
        keys = new double[vocabularySize];
        order = new int[vocabularySize];
    }

    /// <summary>The filtered distribution of the last draw (V).</summary>
    public ReadOnlySpan<double> LastDistribution => probabilities;

    /// <summary>Draws one id from the scores (V).</summary>
    public int Next(ReadOnlySpan<float> logits)
    {
        if (logits.Length != probabilities.Length)
        {
            throw new ArgumentException($"{logits.Length} scores for a vocabulary of {probabilities.Length}.", nameof(logits));
        }

        SamplingKernels.Distribution(logits, options.Temperature, options.TopK, options.TopP, probabilities, keys, order);
        return SamplingKernels.Draw(probabilities, random.NextDouble());
    }

    /// <summary>The distribution a draw from <paramref name="logits"/> (V) is taken from, after temperature, top-k and top-p (V).</summary>
    public static double[] Distribution(ReadOnlySpan<float> logits, SamplingOptions options)
    {
        options.Validate();
        var result = new double[logits.Length]; // (V)
        SamplingKernels.Distribution(logits, options.Temperature, options.TopK, options.TopP, result, new double[logits.Length], new int[logits.Length]);
        return result;
    }
}
