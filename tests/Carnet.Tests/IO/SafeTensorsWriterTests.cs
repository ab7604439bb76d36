using System.Buffers.Binary;
using System.Text;
using Carnet.IO;

namespace Carnet.Tests.IO;

public sealed class SafeTensorsWriterTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "carnet-safetensors-" + Guid.NewGuid().ToString("N"));

    public SafeTensorsWriterTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string[] FilesInDirectory() =>
        Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private static SafeTensor[] SampleTensors() =>
    [
        SafeTensor.FromSingle("weight", [0.5f, -1.25f, 2f, 8f], 2, 2),
        SafeTensor.FromInt64("lengths", [3, 1], 2),
    ];

    [Fact]
    public void SerializeWritesTheExactReferenceLayout()
    {
        var metadata = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        byte[] bytes = SafeTensorsWriter.Serialize([SafeTensor.FromSingle("x", [1f], 1), SafeTensor.FromInt32("y", [-2, 3], 2)], metadata);

        const string Json = "{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\"},"
            + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"y\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        int padded = (Json.Length + 7) / 8 * 8;
        Assert.Equal((ulong)padded, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(0, padded % 8);
        Assert.Equal(Json + new string(' ', padded - Json.Length), Encoding.UTF8.GetString(bytes, 8, padded));
        Assert.Equal(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0xFE, 0xFF, 0xFF, 0xFF, 0x03, 0x00, 0x00, 0x00 }, bytes[(8 + padded)..]);
    }

    [Fact]
    public void SerializeOmitsEmptyMetadataAndHandlesNoTensors()
    {
        byte[] bytes = SafeTensorsWriter.Serialize([], new Dictionary<string, string>());

        Assert.Equal("{}", SafeTensorsTestBytes.HeaderText(bytes));
        Assert.Equal(16, bytes.Length);
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes, "empty");
        Assert.Empty(file.Tensors);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void SerializeEscapesControlCharactersOnly()
    {
        byte[] bytes = SafeTensorsWriter.Serialize([], new Dictionary<string, string> { ["k"] = "a\"b\\c\u0001é<" });

        Assert.Equal("{\"__metadata__\":{\"k\":\"a\\\"b\\\\c\\u0001é<\"}}", SafeTensorsTestBytes.HeaderText(bytes));
    }

    [Theory]
    [InlineData("", "empty name")]
    [InlineData("__metadata__", "reserved")]
    public void SerializeRejectsInvalidNames(string name, string expected)
    {
        var exception = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Serialize([SafeTensor.FromInt32(name, [1], 1)]));
        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public void SerializeRejectsDuplicateNamesAndBadStrings()
    {
        var duplicate = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Serialize(
            [SafeTensor.FromInt32("w", [1], 1), SafeTensor.FromInt32("v", [2], 1), SafeTensor.FromInt32("w", [3], 1)]));
        Assert.Contains("duplicate tensor name 'w' at positions 0 and 2", duplicate.Message);

        var surrogate = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Serialize([SafeTensor.FromInt32("bad\ud800", [1], 1)]));
        Assert.Contains("unpaired surrogate", surrogate.Message);

        var nullValue = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Serialize([], new Dictionary<string, string> { ["k"] = null! }));
        Assert.Contains("'k'", nullValue.Message);
    }

    [Fact]
    public void WriteCreatesAReadableFileAndLeavesNoTemporaryFiles()
    {
        string path = Path.Combine(directory, "model.safetensors");
        SafeTensorsWriter.Write(path, SampleTensors(), new Dictionary<string, string> { ["module"] = "LSTM" });

        Assert.Equal(new[] { "model.safetensors" }, FilesInDirectory());
        Assert.Equal(SafeTensorsWriter.Serialize(SampleTensors(), new Dictionary<string, string> { ["module"] = "LSTM" }), File.ReadAllBytes(path));
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        Assert.Equal("LSTM", file.Metadata["module"]);
        Assert.Equal(new[] { 0.5f, -1.25f, 2f, 8f }, file["weight"].ToSingleArray());
        Assert.Equal(new long[] { 3, 1 }, file["lengths"].ToInt64Array());
    }

    [Fact]
    public void WriteReplacesAnExistingFile()
    {
        string path = Path.Combine(directory, "model.safetensors");
        File.WriteAllText(path, "old content");

        SafeTensorsWriter.Write(path, [SafeTensor.FromDouble("d", [4.5], 1)]);

        Assert.Equal(new[] { 4.5 }, SafeTensorsFile.Read(path)["d"].ToDoubleArray());
        Assert.Equal(new[] { "model.safetensors" }, FilesInDirectory());
    }

    [Fact]
    public void WriteWithDuplicateNamesLeavesTheTargetUntouched()
    {
        string path = Path.Combine(directory, "model.safetensors");
        SafeTensorsWriter.Write(path, SampleTensors());
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, [SafeTensor.FromInt32("a", [1], 1), SafeTensor.FromInt32("a", [2], 1)]));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, FilesInDirectory());
    }

    [Fact]
    public void WriteWhoseTensorSequenceFailsLeavesTheTargetUntouched()
    {
        string path = Path.Combine(directory, "model.safetensors");
        SafeTensorsWriter.Write(path, SampleTensors());
        byte[] before = File.ReadAllBytes(path);

        static IEnumerable<SafeTensor> Failing()
        {
            yield return SafeTensor.FromInt32("first", [1], 1);
            throw new InvalidDataException("source failed");
        }

        var exception = Assert.Throws<InvalidDataException>(() => SafeTensorsWriter.Write(path, Failing()));
        Assert.Equal("source failed", exception.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, FilesInDirectory());
    }

    [Fact]
    public void WriteThatFailsToReplaceTheTargetDeletesItsTemporaryFile()
    {
        string path = Path.Combine(directory, "occupied");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "inside.txt"), "keep");

        Exception? exception = Record.Exception(() => SafeTensorsWriter.Write(path, SampleTensors()));

        Assert.True(exception is IOException or UnauthorizedAccessException, $"unexpected {exception?.GetType()}");
        Assert.Equal(new[] { "occupied" }, FilesInDirectory());
        Assert.Equal("keep", File.ReadAllText(Path.Combine(path, "inside.txt")));
    }

    [Fact]
    public void WriteIntoAMissingDirectoryFailsWithoutCreatingAnything()
    {
        string path = Path.Combine(directory, "missing", "model.safetensors");

        Assert.Throws<DirectoryNotFoundException>(() => SafeTensorsWriter.Write(path, SampleTensors()));

        Assert.Empty(FilesInDirectory());
    }
}
