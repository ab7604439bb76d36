// Dimension legend: V = vocabulary size (the scores of one step).
namespace Carnet.Tasks.Text;

/// <summary>
/// The arithmetic of sampling the next token from a language model's scores: the temperature-scaled softmax, top-k
/// and top-p (nucleus) filtering, and the draw from the cumulative distribution. Scalar code in double precision.
/// </summary>
internal static class SamplingKernels
{
    /// <summary>
    /// probabilities (V) = the distribution a token is drawn from: p = softmax(logits / temperature); then, with
    /// 0 &lt; topK &lt; V, only the topK most probable tokens kept; then, with topP &lt; 1, only the smallest set of the
    /// most probable of those whose probabilities (renormalised over the kept ones) sum to at least topP; the kept
    /// probabilities renormalised to sum 1, the others 0. "Most probable" ranks equal probabilities by lower id. At
    /// temperature 0 all mass goes to the largest logit (the lowest id on ties). keys (V) and order (V) are scratch.
    /// </summary>
    public static void Distribution(ReadOnlySpan<float> logits, double temperature, int topK, double topP, Span<double> probabilities, Span<double> keys, Span<int> order)
    {
        int v = logits.Length;
        if (temperature == 0)
        {
            int best = 0;
            for (int k = 1; k < v; k++)
            {
                best = logits[k] > logits[best] ? k : best;
            }

            probabilities.Clear();
            probabilities[best] = 1;
            return;
        }

        // softmax(logits / τ), stable: the largest logit subtracted first
        double max = double.NegativeInfinity, sum = 0;
        for (int k = 0; k < v; k++)
        {
            max = Math.Max(max, logits[k]);
        }

        for (int k = 0; k < v; k++)
        {
            probabilities[k] = Math.Exp((logits[k] - max) / temperature);
            sum += probabilities[k];
        }

        for (int k = 0; k < v; k++)
        {
            probabilities[k] /= sum;
        }

        bool byCount = topK > 0 && topK < v, byMass = topP < 1;
        if (!byCount && !byMass)
        {
            return;
        }

        // order = ids by descending probability, lower id first among equal ones
        for (int k = 0; k < v; k++)
        {
            order[k] = k;
            keys[k] = -probabilities[k];
        }

        keys.Sort(order);
        for (int start = 0; start < v;)
        {
            int end = start + 1;
            while (end < v && keys[end] == keys[start])
            {
                end++;
            }

            order[start..end].Sort(); // a run of equal probabilities, by id
            start = end;
        }

        // top-k: the first topK ids; top-p: the shortest prefix of those whose renormalised sum reaches topP
        int kept = byCount ? topK : v;
        double keptMass = 0;
        for (int i = 0; i < kept; i++)
        {
            keptMass += probabilities[order[i]];
        }

        if (byMass)
        {
            double cumulative = 0;
            int prefix = 0;
            while (prefix < kept && (prefix == 0 || cumulative < topP))
            {
                cumulative += probabilities[order[prefix]] / keptMass;
                prefix++;
            }

            kept = prefix;
        }

        double total = 0;
        for (int i = 0; i < kept; i++)
        {
            total += probabilities[order[i]];
        }

        for (int i = kept; i < v; i++)
        {
            probabilities[order[i]] = 0;
        }

        for (int i = 0; i < kept; i++)
        {
            probabilities[order[i]] /= total;
        }
    }

    /// <summary>
    /// The id whose cumulative probability interval [c_(k−1), c_k) holds <paramref name="uniform"/> ∈ [0, 1), summing
    /// probabilities (V) in id order; the last id with a positive probability when rounding leaves the sum below it.
    /// </summary>
    public static int Draw(ReadOnlySpan<double> probabilities, double uniform)
    {
        double cumulative = 0;
        int last = 0;
        for (int k = 0; k < probabilities.Length; k++)
        {
            if (probabilities[k] > 0)
            {
                cumulative += probabilities[k];
                last = k;
                if (uniform < cumulative)
                {
                    return k;
                }
            }
        }

        return last;
    }
}
