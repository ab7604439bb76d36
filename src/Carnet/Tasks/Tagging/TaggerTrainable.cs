using Carnet.IO;
using Carnet.Layers;
using Carnet.Training;

namespace Carnet.Tasks.Tagging;

/// <summary>
/// A <see cref="TaggerNetwork{T}"/> as a <see cref="ITrainable{T, TBatch}"/> over batches of sentences: each batch is
/// encoded with words seen once read as unknown now and then, then run forward with dropout and scored by the
/// network's loss. Its checkpoints (format <c>carnet-tagger-checkpoint</c>) hold the tagger file's metadata,
/// vocabularies included, so a resumed run is checked to train the same network on the same data.
/// </summary>
internal sealed class TaggerTrainable(TaggerNetwork<float> network, TaggerVocabulary vocabulary, IReadOnlySet<int> rare, double unknownReplacement)
    : ITrainable<float, TaggedSentence[]>, IShardedValidation
{
    public const string Format = "carnet-tagger-checkpoint";

    /// <summary>The sentences whose loss per token is the validation loss.</summary>
    public IReadOnlyList<TaggedSentence>? Validation { get; init; }

    public IReadOnlyList<(string Prefix, Module<float> Module)> Modules => network.Modules;

    public TrainingPass<float> Forward(TaggedSentence[] batch, RecurrentCarry<float>? carried, RandomSource random)
    {
        var encoded = vocabulary.Encode(batch, withTags: true, random, rare, unknownReplacement);
        var result = network.Forward(encoded, training: true, random);
        var (loss, gradient) = network.Loss(result);
        return new Pass(network, result, gradient) { Loss = loss, Weight = encoded.Lengths.Sum() }; // the loss is a mean over tokens
    }

    public double? Validate() => Validation is { } sentences ? Tagger.Evaluate(network, vocabulary, sentences, 64) : null;

    public (double Sum, double Count)? ValidatePart(int rank, int ranks)
        => Validation is { } sentences ? Tagger.EvaluatePart(network, vocabulary, sentences, 64, rank, ranks) : null;

    public Dictionary<string, string> CheckpointMetadata()
    {
        var meta = new SequenceTagger(network, vocabulary).Metadata();
        meta["format"] = Format;
        return meta;
    }

    public void CheckCheckpoint(SafeTensorsFile file)
    {
        var reader = new MetadataReader(file.Metadata, file.Source);
        if (CheckpointMetadata().FirstOrDefault(p => reader.OptionalText(p.Key) != p.Value) is { Key: not null } differing)
        {
            throw new SafeTensorsFormatException(file.Source,
                $"the checkpoint was written for another tagger or data (metadata '{differing.Key}' differs); delete it or train without --resume");
        }
    }

    private sealed class Pass(TaggerNetwork<float> network, TaggerResult<float> result, Tensor<float> gradient) : TrainingPass<float>
    {
        public override void Backward() => network.Backward(result, gradient);
    }
}
