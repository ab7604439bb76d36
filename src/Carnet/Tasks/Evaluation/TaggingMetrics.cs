namespace Carnet.Tasks.Evaluation;

/// <summary>Entity-level scores: an entity counts as found when its type, first and last token all match (conlleval).</summary>
/// <param name="Precision">Correct / predicted entities (0 when none is predicted).</param>
/// <param name="Recall">Correct / gold entities (0 when there is none).</param>
/// <param name="F1">2·P·R / (P + R), 0 when both are 0.</param>
/// <param name="Gold">Entities in the gold tags.</param>
/// <param name="Predicted">Entities in the predicted tags.</param>
/// <param name="Correct">Predicted entities that are exactly a gold one.</param>
public sealed record EntityScores(double Precision, double Recall, double F1, int Gold, int Predicted, int Correct)
{
    internal static EntityScores From(int gold, int predicted, int correct)
    {
        double precision = predicted > 0 ? (double)correct / predicted : 0, recall = gold > 0 ? (double)correct / gold : 0;
        return new EntityScores(precision, recall, precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0, gold, predicted, correct);
    }
}

/// <summary>
/// The scores of a tagger on labelled sentences: token accuracy, per-tag precision, recall, F1 and support (as
/// <see cref="ClassificationMetrics"/>, over every tag of the model or the gold data), and, when the tags are BIO
/// (every tag <c>O</c>, <c>B-TYPE</c> or <c>I-TYPE</c>), entity-level precision, recall and F1 overall and per type, with
/// conlleval's chunk rules: an entity starts at <c>B-X</c>, or at <c>I-X</c> after <c>O</c> or another type; it ends
/// before <c>O</c>, any <c>B-</c>, or a change of type.
/// </summary>
public sealed class TaggingMetrics
{
    private TaggingMetrics(IReadOnlyList<string> tags, int tokens, ClassificationMetrics perTag, EntityScores? entities,
        IReadOnlyDictionary<string, EntityScores>? entityTypes)
    {
        Tags = tags;
        TokenCount = tokens;
        PerTag = perTag;
        Entities = entities;
        EntityTypes = entityTypes;
    }

    /// <summary>The tags scored, in the order of <see cref="PerTag"/>'s classes: the model's, then any gold tag it does not know.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Tokens scored.</summary>
    public int TokenCount { get; }

    /// <summary>The fraction of tokens whose predicted tag is the gold one.</summary>
    public double Accuracy => PerTag.Accuracy;

    /// <summary>Per-tag scores and the confusion matrix.</summary>
    public ClassificationMetrics PerTag { get; }

    /// <summary>Entity-level scores over all types, or null when the tags are not BIO.</summary>
    public EntityScores? Entities { get; }

    /// <summary>Entity-level scores per type (ordinal order), or null when the tags are not BIO.</summary>
    public IReadOnlyDictionary<string, EntityScores>? EntityTypes { get; }

    /// <summary>Scores predicted against gold tags, sentence by sentence (each pair of the same length).</summary>
    /// <param name="gold">The gold tags of each sentence.</param>
    /// <param name="predicted">The predicted tags of each sentence.</param>
    /// <param name="modelTags">The tags the model knows, in its order.</param>
    /// <exception cref="ArgumentException">The sentence counts or lengths differ, or there are no tokens.</exception>
    public static TaggingMetrics Compute(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted, IReadOnlyList<string> modelTags)
    {
        if (gold.Count != predicted.Count || gold.Where((g, i) => g.Count != predicted[i].Count).Any())
        {
            throw new ArgumentException("gold and predicted tags must have the same sentences and lengths.", nameof(predicted));
        }

        var tags = modelTags.ToList();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tags.Count; i++)
        {
            ids[tags[i]] = i;
        }

        int Id(string tag)
        {
            if (!ids.TryGetValue(tag, out int id))
            {
                ids[tag] = id = tags.Count;
                tags.Add(tag);
            }

            return id;
        }

        int[] actual = gold.SelectMany(s => s).Select(Id).ToArray(), guessed = predicted.SelectMany(s => s).Select(Id).ToArray();
        var perTag = ClassificationMetrics.Compute(actual, guessed, Math.Max(1, tags.Count));
        if (!IsBio(gold.SelectMany(s => s)))
        {
            return new TaggingMetrics(tags, actual.Length, perTag, null, null);
        }

        var counts = new SortedDictionary<string, (int Gold, int Predicted, int Correct)>(StringComparer.Ordinal);
        for (int s = 0; s < gold.Count; s++)
        {
            var goldEntities = EntitiesOf(gold[s]);
            var predictedEntities = EntitiesOf(predicted[s]);
            foreach (var entity in goldEntities)
            {
                var c = counts.GetValueOrDefault(entity.Type);
                counts[entity.Type] = (c.Gold + 1, c.Predicted, c.Correct + (predictedEntities.Contains(entity) ? 1 : 0));
            }

            foreach (var entity in predictedEntities)
            {
                var c = counts.GetValueOrDefault(entity.Type);
                counts[entity.Type] = (c.Gold, c.Predicted + 1, c.Correct);
            }
        }

        var types = counts.ToDictionary(p => p.Key, p => EntityScores.From(p.Value.Gold, p.Value.Predicted, p.Value.Correct), StringComparer.Ordinal);
        var total = EntityScores.From(counts.Values.Sum(c => c.Gold), counts.Values.Sum(c => c.Predicted), counts.Values.Sum(c => c.Correct));
        return new TaggingMetrics(tags, actual.Length, perTag, total, types);
    }

    /// <summary>Whether tags follow the BIO scheme: each is <c>O</c>, <c>B-TYPE</c> or <c>I-TYPE</c>, and at least one is not <c>O</c>.</summary>
    public static bool IsBio(IEnumerable<string> tags)
    {
        bool entity = false;
        foreach (string tag in tags)
        {
            if (tag == "O")
            {
                continue;
            }

            if (tag.Length < 3 || !(tag.StartsWith("B-", StringComparison.Ordinal) || tag.StartsWith("I-", StringComparison.Ordinal)))
            {
                return false;
            }

            entity = true;
        }

        return entity;
    }

    /// <summary>The entities of one sentence's BIO tags as (type, first token, last token), by conlleval's rules.</summary>
    public static HashSet<(string Type, int Start, int End)> EntitiesOf(IReadOnlyList<string> tags)
    {
        var entities = new HashSet<(string, int, int)>();
        string? type = null;
        int start = 0;
        for (int i = 0; i <= tags.Count; i++)
        {
            string tag = i < tags.Count ? tags[i] : "O";
            bool inside = tag.StartsWith("I-", StringComparison.Ordinal), begin = tag.StartsWith("B-", StringComparison.Ordinal);
            string? current = inside || begin ? tag[2..] : null;
            if (type is not null && (begin || current != type))
            {
                entities.Add((type, start, i - 1));
                type = null;
            }

            if (current is not null && type is null)
            {
                type = current;
                start = i;
            }
        }

        return entities;
    }
}
