// Dimension legend: N = token rows (T·B), W = distinct words of a batch, E = word embedding size, C = character feature
// size (2·H_c), K = tags. index (N) maps each token row to its word's row of the character features, −1 for padding.
using System.Numerics;

namespace Carnet.Tasks.Tagging;

/// <summary>Kernels of the sequence tagger: token features from word and character parts, and the token scores.</summary>
internal static class TaggingKernels
{
    /// <summary>features (N, E + C) = [words (N, E), characters[index[n]] (C), zero where index[n] = −1].</summary>
    public static void ConcatenateTokenFeatures<T>(
        ReadOnlySpan<T> words, ReadOnlySpan<T> characters, ReadOnlySpan<int> index, int wordSize, int characterSize, Span<T> features)
        where T : unmanaged
    {
        int width = wordSize + characterSize;
        for (int n = 0; n < index.Length; n++)
        {
            Span<T> row = features.Slice(n * width, width); // (E + C)
            words.Slice(n * wordSize, wordSize).CopyTo(row);
            if (index[n] >= 0)
            {
                characters.Slice(index[n] * characterSize, characterSize).CopyTo(row[wordSize..]);
            }
            else
            {
                row[wordSize..].Clear();
            }
        }
    }

    /// <summary>
    /// The backward of <see cref="ConcatenateTokenFeatures{T}"/>: dWords (N, E) = dFeatures' word part (written);
    /// dCharacters[index[n]] (W, C) += dFeatures' character part (accumulated: a word may occur several times).
    /// </summary>
    public static void SplitTokenFeatures<T>(
        ReadOnlySpan<T> dFeatures, ReadOnlySpan<int> index, int wordSize, int characterSize, Span<T> dWords, Span<T> dCharacters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = wordSize + characterSize;
        for (int n = 0; n < index.Length; n++)
        {
            ReadOnlySpan<T> row = dFeatures.Slice(n * width, width); // (E + C)
            row[..wordSize].CopyTo(dWords.Slice(n * wordSize, wordSize));
            if (index[n] < 0)
            {
                continue;
            }

            Span<T> to = dCharacters.Slice(index[n] * characterSize, characterSize); // (C)
            for (int j = 0; j < characterSize; j++)
            {
                to[j] += row[wordSize + j];
            }
        }
    }

    /// <summary>The highest-scoring tag of each row of scores (N, K) where <paramref name="valid"/> (N) holds, else −1.</summary>
    public static void ArgmaxTags<T>(ReadOnlySpan<T> scores, ReadOnlySpan<bool> valid, int tags, Span<int> best)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int n = 0; n < valid.Length; n++)
        {
            if (!valid[n])
            {
                best[n] = -1;
                continue;
            }

            ReadOnlySpan<T> row = scores.Slice(n * tags, tags); // (K)
            int top = 0;
            for (int k = 1; k < tags; k++)
            {
                if (row[k] > row[top])
                {
                    top = k;
                }
            }

            best[n] = top;
        }
    }
}
