using Carnet.IO;
using Carnet.Onnx;
using Carnet.Tasks.Data;
using Carnet.Tasks.Speech;
using Carnet.Tasks.Tagging;
using Carnet.Tasks.Text.Music;
using Carnet.Tasks.Translation;

namespace Carnet.Cli.Diagnostics;

/// <summary>
/// The readers of users' files as targets for a coverage-guided fuzzer (SharpFuzz with AFL++, <c>scripts/fuzz.sh</c>):
/// each takes any bytes as a file named "fuzz" and reads it as a user's file would be read, then uses it (a model is
/// loaded strictly and run once, a table is turned into what the commands train on). Accepting the bytes or
/// rejecting them with the reader's own exception, naming the file, is correct; anything else escapes as a crash.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The name every input goes by in messages.</summary>
    public const string Source = "fuzz";

    private static readonly Dictionary<string, Action<byte[]>> Targets = new(StringComparer.Ordinal)
    {
        ["safetensors"] = bytes =>
        {
            var file = SafeTensorsFile.Parse(bytes, Source);
            ModelFileFuzzer.UseFor(file)(file);
        },
        ["onnx"] = bytes => OnnxFileFuzzer.Use(bytes),
        ["csv"] = bytes => CsvTable.Parse(Utf8File.Decode(bytes, Source), Source),
        ["conll"] = bytes => TaggedCorpus.ParseConll(Utf8File.Decode(bytes, Source), Source),
        ["pairs"] = bytes => TranslationPairs.Parse(Utf8File.Decode(bytes, Source), Source),
        ["abc"] = UseTunes,
        ["wav"] = bytes => SpeechFeatures.Compute(WaveFile.Parse(bytes, Source), new SpeechFeatureOptions { Cepstra = 13, Deltas = true }, out _),
    };

    /// <summary>The targets' names, one per reader.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Targets.Keys];

    /// <summary>Reads tunes, then checks each, plays it and writes it as a MIDI file, as <c>carnet music</c> does.</summary>
    private static void UseTunes(byte[] bytes)
    {
        foreach (var tune in AbcBook.Parse(Utf8File.Decode(bytes, Source), Source))
        {
            AbcChecker.Check(tune);
            MidiFileWriter.Serialize(AbcPerformance.Notes(tune), tune.Title ?? Source);
        }
    }

    /// <summary>
    /// Reads <paramref name="input"/> with <paramref name="target"/>: true when accepted, false when rejected cleanly.
    /// Any other exception propagates: for the fuzzer it is a crash, for the regression tests a failure.
    /// </summary>
    public static bool Run(string target, byte[] input)
    {
        try
        {
            Targets[target](input);
            return true;
        }
        catch (Exception e) when (e is SafeTensorsFormatException or OnnxFormatException or DataFormatException or InputFileException
            && e.Message.StartsWith(Source + ":", StringComparison.Ordinal))
        {
            return false;
        }
    }
}
