using Carnet.IO;
using Carnet.Training;

namespace Carnet.Tasks.Tagging;

/// <summary>
/// A tagger's training checkpoint, in <see cref="Checkpoint"/>'s layout (network tensors, optimizer, schedule, random
/// state, history, best weights) with the tagger file's metadata (format <c>carnet-tagger-checkpoint</c>), so a resumed
/// run is checked to train the same network on the same vocabularies. Written atomically.
/// </summary>
internal static class TaggerCheckpoint
{
    public const string Format = "carnet-tagger-checkpoint";

    public static void Save(string path, TaggerNetwork<float> network, TaggerVocabulary vocabulary, Optimizer<float> optimizer,
        LearningRateSchedule schedule, TrainingState<float> state)
        => Checkpoint.Save(path, network.Modules, Metadata(network, vocabulary), optimizer, schedule, state);

    public static TrainingState<float> Load(string path, TaggerNetwork<float> network, TaggerVocabulary vocabulary, Optimizer<float> optimizer,
        LearningRateSchedule schedule)
    {
        var file = SafeTensorsFile.Read(path);
        var reader = new MetadataReader(file.Metadata, file.Source);
        if (Metadata(network, vocabulary).FirstOrDefault(p => reader.OptionalText(p.Key) != p.Value) is { Key: not null } differing)
        {
            throw new SafeTensorsFormatException(file.Source,
                $"the checkpoint was written for another tagger or data (metadata '{differing.Key}' differs); delete it or train without --resume");
        }

        return Checkpoint.Restore(file, network.Modules, optimizer, schedule);
    }

    private static Dictionary<string, string> Metadata(TaggerNetwork<float> network, TaggerVocabulary vocabulary)
    {
        var meta = new SequenceTagger(network, vocabulary).Metadata();
        meta["format"] = Format;
        return meta;
    }
}
