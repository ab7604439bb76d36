using System.Buffers.Binary;
using System.Globalization;

namespace Carnet.IO;

/// <summary>
/// Mono audio read from a RIFF WAV file: samples in [−1, 1] at the file's own rate, several channels averaged.
/// </summary>
/// <param name="Samples">The samples, one per frame of the file (channels averaged).</param>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Channels">The file's channel count, before the mix-down.</param>
/// <param name="BitsPerSample">The file's sample size: 8, 16, 24 or 32 (integer PCM) or 32 (float).</param>
public sealed record WaveAudio(float[] Samples, int SampleRate, int Channels, int BitsPerSample)
{
    /// <summary>The duration in seconds.</summary>
    public double Seconds => Samples.Length / (double)SampleRate;
}

/// <summary>
/// Reads RIFF WAV files: PCM integer samples of 8 (unsigned), 16, 24 or 32 bits, or 32-bit IEEE float, in the plain or
/// the extensible format, any channel count and sample rate. Chunks other than <c>fmt </c> and <c>data</c> are skipped.
/// Anything else — not RIFF/WAVE, a compressed or companded encoding (μ-law, A-law, ADPCM, MP3…), a truncated chunk,
/// no audio — is an <see cref="InputFileException"/> whose message names the file and the problem. Written by hand
/// rather than through NAudio or NWaves so that each refusal names exactly what is wrong, and so that no reader
/// buffers a hostile file's declared sizes.
/// </summary>
public static class WaveFile
{
    private const int FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;

    /// <summary>Reads <paramref name="path"/> (at most <see cref="InputLimits.MaximumBytes"/>).</summary>
    /// <exception cref="InputFileException">The file is missing, too large, or not a WAV file this reader takes.</exception>
    public static WaveAudio Read(string path) => Parse(InputFile.ReadAllBytes(path), path);

    /// <summary>Parses the bytes of a WAV file; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InputFileException">The bytes are not a WAV file this reader takes.</exception>
    public static WaveAudio Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InputFileException(name, "not a WAV file (expected a RIFF header with the form type WAVE)");
        }

        Format? format = null;
        for (int at = 12; at + 8 <= bytes.Length;)
        {
            var id = bytes.Slice(at, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(at + 4, 4));
            if (size > bytes.Length - at - 8)
            {
                throw new InputFileException(name, Invariant(
                    $"truncated: the '{Text(id)}' chunk at byte {at} declares {size} bytes, the file holds {bytes.Length - at - 8} after its header"));
            }

            var body = bytes.Slice(at + 8, (int)size);
            if (id.SequenceEqual("fmt "u8))
            {
                format = ReadFormat(body, name);
            }
            else if (id.SequenceEqual("data"u8))
            {
                return Decode(body, format ?? throw new InputFileException(name, "the 'data' chunk comes before any 'fmt ' chunk"), name);
            }

            at += 8 + (int)size + (int)(size & 1); // chunks are padded to an even length
        }

        throw new InputFileException(name, format is null ? "no 'fmt ' chunk: not a complete WAV file" : "no 'data' chunk: the file holds no audio");
    }

    private sealed record Format(int Encoding, int Channels, int SampleRate, int BitsPerSample);

    private static Format ReadFormat(ReadOnlySpan<byte> body, string name)
    {
        if (body.Length < 16)
        {
            throw new InputFileException(name, Invariant($"the 'fmt ' chunk holds {body.Length} bytes; at least 16 expected"));
        }

        int encoding = BinaryPrimitives.ReadUInt16LittleEndian(body);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
        long rate = BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(body[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
        if (encoding == FormatExtensible)
        {
            encoding = body.Length >= 40 ? BinaryPrimitives.ReadUInt16LittleEndian(body[24..]) // the sub-format GUID's first two bytes
                : throw new InputFileException(name, Invariant($"an extensible 'fmt ' chunk of {body.Length} bytes; 40 expected"));
        }

        if (encoding is not (FormatPcm or FormatFloat))
        {
            throw new InputFileException(name, Invariant($"unsupported encoding {EncodingName(encoding)}; expected PCM integer or 32-bit float samples"));
        }

        bool sizeOk = encoding == FormatPcm ? bits is 8 or 16 or 24 or 32 : bits == 32;
        if (!sizeOk)
        {
            throw new InputFileException(name, Invariant(
                $"{bits}-bit {(encoding == FormatPcm ? "integer" : "float")} samples; expected 8, 16, 24 or 32-bit integers or 32-bit floats"));
        }

        if (channels < 1 || rate < 1000 || rate > 768_000 || blockAlign != channels * bits / 8)
        {
            throw new InputFileException(name, Invariant($"an inconsistent 'fmt ' chunk: {channels} channels at {rate} Hz, {bits} bits, ")
                + Invariant($"blocks of {blockAlign} bytes (expected channels · bits / 8, a rate of 1 kHz to 768 kHz)"));
        }

        return new Format(encoding, channels, (int)rate, bits);
    }

    private static WaveAudio Decode(ReadOnlySpan<byte> data, Format format, string name)
    {
        int width = format.BitsPerSample / 8, block = width * format.Channels;
        if (data.Length % block != 0)
        {
            throw new InputFileException(name,
                Invariant($"truncated: the 'data' chunk holds {data.Length} bytes, not a whole number of {block}-byte sample frames"));
        }

        int frames = data.Length / block;
        if (frames == 0)
        {
            throw new InputFileException(name, "empty audio: the 'data' chunk holds no samples");
        }

        var samples = new float[frames]; // (frames): the channels' mean
        for (int f = 0; f < frames; f++)
        {
            double sum = 0;
            for (int c = 0; c < format.Channels; c++)
            {
                sum += Sample(data.Slice((f * block) + (c * width), width), format.Encoding);
            }

            samples[f] = (float)(sum / format.Channels);
        }

        if (!samples.All(float.IsFinite))
        {
            throw new InputFileException(name, "a float sample is not finite (NaN or infinity)");
        }

        return new WaveAudio(samples, format.SampleRate, format.Channels, format.BitsPerSample);
    }

    /// <summary>One sample scaled to [−1, 1]: 8-bit PCM is unsigned around 128, wider PCM signed little-endian.</summary>
    private static double Sample(ReadOnlySpan<byte> bytes, int encoding) => (encoding, bytes.Length) switch
    {
        (FormatFloat, _) => BinaryPrimitives.ReadSingleLittleEndian(bytes),
        (_, 1) => (bytes[0] - 128) / 128.0,
        (_, 2) => BinaryPrimitives.ReadInt16LittleEndian(bytes) / 32768.0,
        (_, 3) => ((bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)) << 8 >> 8) / 8388608.0,
        _ => BinaryPrimitives.ReadInt32LittleEndian(bytes) / 2147483648.0,
    };

    private static string EncodingName(int encoding) => encoding switch
    {
        2 => "Microsoft ADPCM (format 2)",
        6 => "A-law (format 6)",
        7 => "μ-law (format 7)",
        0x11 => "IMA ADPCM (format 17)",
        0x55 => "MP3 (format 85)",
        _ => Invariant($"format {encoding}"),
    };

    private static string Text(ReadOnlySpan<byte> id)
        => new([.. id.ToArray().Select(b => b is >= 32 and < 127 ? (char)b : '?')]);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="samples"/> as a 16-bit PCM mono WAV file (atomically), clipping to [−1, 1].</summary>
    public static void WritePcm16(string path, ReadOnlySpan<float> samples, int sampleRate)
    {
        var bytes = new byte[44 + (2 * samples.Length)];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), FormatPcm);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), (uint)(2 * sampleRate));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(34), 16);
        "data"u8.CopyTo(bytes.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(40), (uint)(2 * samples.Length));
        for (int i = 0; i < samples.Length; i++)
        {
            short value = (short)Math.Clamp(Math.Round(samples[i] * 32767.0), -32768, 32767);
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44 + (2 * i)), value);
        }

        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
