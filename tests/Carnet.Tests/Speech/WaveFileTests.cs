using System.Buffers.Binary;
using Carnet.IO;

namespace Carnet.Tests.Speech;

/// <summary>
/// The WAV reader: every accepted sample encoding decodes to the expected values (8-bit unsigned, 16/24/32-bit signed,
/// 32-bit float, the extensible header, several channels averaged, unknown chunks skipped), and every refusal is one
/// message naming the file and the problem.
/// </summary>
public sealed class WaveFileTests
{
    /// <summary>A WAV file's bytes: the fmt chunk (16 bytes, or 40 for the extensible form), extra chunks, then data.</summary>
    private static byte[] Wave(int encoding, int channels, int rate, int bits, byte[] data, bool extensible = false, byte[]? extraChunk = null)
    {
        var fmt = new byte[extensible ? 40 : 16];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, (ushort)(extensible ? 0xFFFE : encoding));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), (uint)(rate * channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)bits);
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), (ushort)encoding); // the sub-format GUID starts with the format code
        }

        var body = new List<byte>("WAVE"u8.ToArray());
        body.AddRange(Chunk("fmt ", fmt));
        if (extraChunk is not null)
        {
            body.AddRange(Chunk("LIST", extraChunk));
        }

        body.AddRange(Chunk("data", data));
        return [.. "RIFF"u8.ToArray(), .. BitConverter.GetBytes(body.Count), .. body];
    }

    private static byte[] Chunk(string id, byte[] body)
        => [.. System.Text.Encoding.ASCII.GetBytes(id), .. BitConverter.GetBytes(body.Length), .. body, .. body.Length % 2 == 1 ? new byte[1] : []];

    [Fact]
    public void EveryIntegerWidthAndFloatDecodesToTheSameScale()
    {
        Assert.Equal([0f, 0.5f, -1f, 127 / 128f], WaveFile.Parse(Wave(1, 1, 8000, 8, [128, 192, 0, 255]), "a.wav").Samples);
        Assert.Equal([0.5f, -1f, -0.25f], WaveFile.Parse(Wave(1, 1, 16000, 16, [0x00, 0x40, 0x00, 0x80, 0x00, 0xE0]), "b.wav").Samples);
        Assert.Equal([0.5f, -1f], WaveFile.Parse(Wave(1, 1, 44100, 24, [0, 0, 0x40, 0, 0, 0x80]), "c.wav").Samples);
        Assert.Equal([-0.5f], WaveFile.Parse(Wave(1, 1, 8000, 32, [0, 0, 0, 0xC0]), "d.wav").Samples);
        Assert.Equal([0.25f, -0.75f], WaveFile.Parse(Wave(3, 1, 8000, 32, [.. BitConverter.GetBytes(0.25f), .. BitConverter.GetBytes(-0.75f)]), "e.wav").Samples);
        var extensible = WaveFile.Parse(Wave(1, 1, 22050, 16, [0x00, 0x40], extensible: true, extraChunk: [1, 2, 3]), "f.wav"); // odd chunk: padded
        Assert.Equal([0.5f], extensible.Samples);
        Assert.Equal((22050, 16), (extensible.SampleRate, extensible.BitsPerSample));
    }

    [Fact]
    public void ChannelsAreAveraged()
    {
        var stereo = WaveFile.Parse(Wave(1, 2, 8000, 16, [0x00, 0x40, 0x00, 0x20, 0x00, 0xC0, 0x00, 0x40]), "stereo.wav"); // (0.5, 0.25), (−0.5, 0.5)
        Assert.Equal([0.375f, 0f], stereo.Samples);
        Assert.Equal(2, stereo.Channels);
        Assert.Equal(2 / 8000.0, stereo.Seconds);
    }

    [Fact]
    public void WrittenFilesReadBack()
    {
        string path = Path.Combine(Path.GetTempPath(), $"carnet-wave-{Guid.NewGuid():N}.wav");
        try
        {
            WaveFile.WritePcm16(path, [0.5f, -0.25f, 1.5f], 8000);
            var audio = WaveFile.Read(path);
            Assert.Equal([16384 / 32768f, -8192 / 32768f, 32767 / 32768f], audio.Samples); // 0.5·32767 rounds to 16384; 1.5 clips
            Assert.Equal(8000, audio.SampleRate);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string, byte[], string> BadFiles() => new()
    {
        { "text", "hello, this is not audio"u8.ToArray(), "not a WAV file" },
        { "mu-law", Wave(7, 1, 8000, 8, [1, 2]), "unsupported encoding μ-law (format 7)" },
        { "a-law", Wave(6, 1, 8000, 8, [1, 2]), "unsupported encoding A-law (format 6)" },
        { "adpcm", Wave(2, 1, 8000, 4, [1, 2]), "unsupported encoding Microsoft ADPCM (format 2)" },
        { "mp3", Wave(0x55, 1, 8000, 16, [1, 2]), "unsupported encoding MP3 (format 85)" },
        { "12-bit", Wave(1, 1, 8000, 12, [1, 2]), "12-bit integer samples" },
        { "64-bit float", Wave(3, 1, 8000, 64, new byte[8]), "64-bit float samples" },
        { "empty", Wave(1, 1, 8000, 16, []), "empty audio" },
        { "half a frame", Wave(1, 2, 8000, 16, [1, 2, 3, 4, 5, 6]), "not a whole number of 4-byte sample frames" },
        { "truncated", Wave(1, 1, 8000, 16, [1, 2, 3, 4])[..^2], "truncated: the 'data' chunk at byte 36 declares 4 bytes, the file holds 2" },
        { "no data", Wave(1, 1, 8000, 16, [1, 2])[..36], "no 'data' chunk" },
        { "zero channels", Wave(1, 0, 8000, 16, [1, 2]), "an inconsistent 'fmt ' chunk: 0 channels" },
        { "NaN", Wave(3, 1, 8000, 32, BitConverter.GetBytes(float.NaN)), "not finite" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFilesAreRefusedWithOneLineNamingTheFile(string name, byte[] bytes, string problem)
    {
        var error = Assert.Throws<InputFileException>(() => WaveFile.Parse(bytes, name + ".wav"));
        Assert.StartsWith(name + ".wav: ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
