using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Carnet.IO;
using Carnet.Models;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Forecasting;
using Carnet.Tasks.Tagging;
using Carnet.Tasks.Text;
using Carnet.Tasks.Text.Music;
using Carnet.Tasks.Translation;

namespace Carnet.Cli.Diagnostics;

/// <summary>What a fuzzing run found.</summary>
/// <param name="Tried">Mutated files tried.</param>
/// <param name="Loaded">Files that loaded and ran (a mutation of weight bytes, say): consistent models.</param>
/// <param name="Rejected">Files rejected with a <see cref="SafeTensorsFormatException"/>.</param>
/// <param name="Failures">Anything else (another exception type, or a message that does not name the file): should be empty.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record FuzzReport(int Tried, int Loaded, int Rejected, IReadOnlyList<string> Failures, TimeSpan Elapsed);

/// <summary>
/// Mutates a valid model file thousands of ways (bit flips anywhere, header characters, the length prefix,
/// truncations, numbers in the header replaced by extreme values) and loads each result as a user's file would be
/// loaded: parse, build the model the metadata describes, read its task settings, and run it once. Every outcome
/// must be a clean rejection or a consistent model.
/// </summary>
public static class ModelFileFuzzer
{
    private const string JsonCharacters = "{}[]\":,-.0123456789eE \\u";

    private static readonly string[] ExtremeNumbers = ["0", "1", "-1", "2147483647", "2147483648", "4294967296", "99999999999999999999", "1e308", ""];

    /// <summary>
    /// Runs <paramref name="iterations"/> mutations of a valid model file (a sequence model, a tagger or a translation
    /// model), seeded, each loaded and run as a file of its format is.
    /// </summary>
    public static FuzzReport Run(byte[] valid, int iterations, ulong seed)
    {
        var use = UseFor(SafeTensorsFile.Parse(valid, "the starting file"));
        return Run(valid, iterations, seed, "fuzz", bytes => use(SafeTensorsFile.Parse(bytes, "fuzz")));
    }

    /// <summary>How a file of <paramref name="file"/>'s format is used: loaded strictly, then run once.</summary>
    public static Action<SafeTensorsFile> UseFor(SafeTensorsFile file) => file.Metadata.GetValueOrDefault("format") switch
    {
        SequenceTagger.Format => UseTagger,
        Translator.Format => UseTranslator,
        _ => UseSequenceModel,
    };

    /// <summary>
    /// Runs <paramref name="iterations"/> mutations of <paramref name="valid"/> through <paramref name="load"/>, which
    /// must either accept a file or reject it with a <see cref="SafeTensorsFormatException"/> naming <paramref name="source"/>.
    /// </summary>
    public static FuzzReport Run(byte[] valid, int iterations, ulong seed, string source, Action<byte[]> load)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(valid.Length, 8);
        var random = new RandomSource(seed);
        int headerLength = (int)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(valid), (ulong)(valid.Length - 8));
        var failures = new List<string>();
        int loaded = 0, rejected = 0;
        var clock = Stopwatch.StartNew();
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            byte[] bytes = Mutate(valid, headerLength, random);
            try
            {
                load(bytes);
                loaded++;
            }
            catch (SafeTensorsFormatException e) when (e.Message.StartsWith(source + ": ", StringComparison.Ordinal))
            {
                rejected++;
            }
            catch (Exception e)
            {
                if (failures.Count < 20)
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"mutation {iteration}: {e.GetType().Name}: {e.Message}"));
                }
                else
                {
                    failures[^1] = $"… and more ({failures.Count} shown)";
                }
            }
        }

        return new FuzzReport(iterations, loaded, rejected, failures, clock.Elapsed);
    }

    private static void UseTagger(SafeTensorsFile file)
        => SequenceTagger.Load(file).Predict([new TaggedSentence(["Alice", "said", "it", "in", "Zürich", "."], null, 1)]);

    private static void UseTranslator(SafeTensorsFile file)
        => Translator.Load(file).Translate(["I am cold ."], new Seq2SeqSearchOptions { BeamSize = 2, MaximumLengthOffset = 4 });

    private static void UseSequenceModel(SafeTensorsFile file)
    {
        var loaded = ModelFile.Load<float>(file);
        switch (loaded.Task)
        {
            case ForecastModel.Task:
                ForecastModel.FromLoaded(loaded, file.Source);
                break;
            case SequenceClassifier.Task:
                SequenceClassifier.FromLoaded(loaded, file.Source);
                break;
            case CharacterModel.Task:
                CharacterModel.FromLoaded(loaded, file.Source);
                break;
            case MusicModel.Task:
                MusicModel.FromLoaded(loaded, file.Source);
                break;
        }

        var options = loaded.Model.Options;
        int steps = options.Pooling == Pooling.Flatten ? options.Steps : 3;
        var batch = options.VocabularySize > 0
            ? SequenceBatch<float>.FromTokens(new int[2 * steps], 2, steps)
            : SequenceBatch<float>.FromFeatures(Tensor<float>.Zeros(2, steps, options.Recurrent.InputSize));
        loaded.Model.Forward(batch);
    }

    private static byte[] Mutate(byte[] valid, int headerLength, RandomSource random)
    {
        byte[] bytes = (byte[])valid.Clone();
        switch (random.NextInt(6))
        {
            case 0:
                bytes[random.NextInt(bytes.Length)] ^= (byte)(1 << random.NextInt(8)); // a bit flip anywhere
                break;
            case 1:
                bytes[8 + random.NextInt(headerLength)] = (byte)JsonCharacters[random.NextInt(JsonCharacters.Length)];
                break;
            case 2:
                bytes[random.NextInt(8)] = (byte)random.NextInt(256); // the header length
                break;
            case 3:
                Array.Resize(ref bytes, random.NextInt(bytes.Length)); // truncated
                break;
            default:
                return ReplaceNumber(valid, headerLength, random); // an extreme number in the header
        }

        return bytes;
    }

    /// <summary>Replaces one run of digits in the JSON header by an extreme value, keeping the length prefix right.</summary>
    private static byte[] ReplaceNumber(byte[] valid, int headerLength, RandomSource random)
    {
        string header = Encoding.UTF8.GetString(valid, 8, headerLength);
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < header.Length; i++)
        {
            int start = i;
            while (i < header.Length && char.IsAsciiDigit(header[i]))
            {
                i++;
            }

            if (i > start)
            {
                runs.Add((start, i - start));
            }
        }

        var (at, length) = runs[random.NextInt(runs.Count)];
        string edited = header[..at] + ExtremeNumbers[random.NextInt(ExtremeNumbers.Length)] + header[(at + length)..];
        byte[] json = Encoding.UTF8.GetBytes(edited);
        var bytes = new byte[8 + json.Length + valid.Length - 8 - headerLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        valid.AsSpan(8 + headerLength).CopyTo(bytes.AsSpan(8 + json.Length));
        return bytes;
    }
}
