using Carnet.IO;
using Carnet.Models;
using Carnet.Tasks.Data;

namespace Carnet.Tasks.Text.Music;

/// <summary>What a generated tune's header must say; a field left null is the model's to choose.</summary>
public sealed record TuneRequest
{
    /// <summary>The meter (<c>M:</c>), such as <c>6/8</c>.</summary>
    public string? Meter { get; init; }

    /// <summary>The key (<c>K:</c>), such as <c>G</c> or <c>Ador</c>.</summary>
    public string? Key { get; init; }

    /// <summary>The rhythm (<c>R:</c>), such as <c>jig</c> or <c>reel</c>.</summary>
    public string? Rhythm { get; init; }

    /// <summary>The most characters a tune's body may take; a tune still going is cut there (and fails the check).</summary>
    public int MaximumLength { get; init; } = 2000;
}

/// <summary>
/// A character model of ABC tunes (<see cref="AbcTune.ToTrainingText"/>, each after a blank line), saved as a model
/// file whose <c>preprocessing.task</c> is <c>music</c>. It generates whole tunes whose header fields can be given.
/// </summary>
public sealed class MusicModel
{
    /// <summary>The value of <c>preprocessing.task</c> in a music model file.</summary>
    public const string Task = "music";

    /// <summary>Wraps a character model trained on tunes.</summary>
    public MusicModel(CharacterModel characters) => Characters = characters;

    /// <summary>The character model.</summary>
    public CharacterModel Characters { get; }

    /// <summary>Reads a music model file; any problem is a <see cref="SafeTensorsFormatException"/> naming the file.</summary>
    public static MusicModel Load(string path) => FromLoaded(ModelFile.Load<float>(path), path);

    /// <summary>The music model of a loaded model file.</summary>
    public static MusicModel FromLoaded(LoadedModel<float> loaded, string source)
        => new(CharacterModel.FromLoaded(loaded, source, Task, "a music model (written by carnet music train)"));

    /// <summary>The text the model learns from: every tune after a line break, so that a blank line comes before each.</summary>
    public static string TrainingText(IEnumerable<AbcTune> tunes) => string.Concat(tunes.Select(t => "\n" + t.ToTrainingText()));

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) => ModelFile.Save(path, Characters.Network, Characters.Preprocessing(Task));

    /// <summary>The model file's bytes, as <see cref="Save"/> writes them.</summary>
    public byte[] Serialize() => ModelFile.Serialize(Characters.Network, Characters.Preprocessing(Task));

    /// <summary>
    /// The character ids of <paramref name="tunes"/>' training text (N).
    /// </summary>
    /// <exception cref="DataFormatException">A tune holds a character the model never saw (the message names the tune).</exception>
    public int[] Encode(IEnumerable<AbcTune> tunes)
    {
        var ids = new List<int>();
        foreach (var tune in tunes)
        {
            try
            {
                ids.AddRange(Characters.Vocabulary.Encode("\n" + tune.ToTrainingText(), $"tune X:{tune.Number}'s"));
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException(tune.Source, tune.Line, 0, e.Message);
            }
        }

        return [.. ids];
    }

    /// <summary>
    /// Bits per character of <paramref name="tunes"/>' training text, read as <see cref="CharacterModel.CrossEntropy"/>
    /// reads a held-out text: cut into <paramref name="streams"/> parts read <paramref name="steps"/> characters at a time.
    /// </summary>
    /// <exception cref="DataFormatException">A tune holds a character the model never saw.</exception>
    public double BitsPerCharacter(IEnumerable<AbcTune> tunes, int streams = 32, int steps = 64)
        => CharacterTrainer.Bits(Characters.CrossEntropy(Encode(tunes), streams, steps));

    /// <summary>
    /// Generates <paramref name="count"/> tunes (numbered from 1) and checks each: tune k is drawn with the seed
    /// <paramref name="seed"/> + k − 1, so it does not depend on how many are asked for.
    /// </summary>
    /// <exception cref="ArgumentException">A requested field holds a character the model never saw, or a setting is out of range.</exception>
    public IReadOnlyList<AbcVerdict> Generate(TuneRequest request, int count, SamplingOptions sampling, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        sampling.Validate();
        return [.. Enumerable.Range(0, count).Select(k => AbcChecker.Check(TuneWriter.Write(this, request, k + 1, sampling, seed + (ulong)k)))];
    }
}
