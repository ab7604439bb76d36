using System.Diagnostics;
using Carnet.IO;
using Carnet.Tests.Cli;

namespace Carnet.Tests.IO;

/// <summary>
/// The one bounded path for users' files: regular files within the limit are read whole; pipes and devices are
/// refused by name before they are opened; longer files are refused before they are read; files of unknown length
/// are read only up to the limit; endless lines are cut short. Linux paths (/dev/zero, /proc) are used on purpose.
/// </summary>
public sealed class InputFileTests : IDisposable
{
    private readonly CliRunner folder = new();

    [Fact]
    public void RegularFilesWithinTheLimitAreReadWhole()
    {
        byte[] content = Enumerable.Range(0, 200_001).Select(i => (byte)(i * 7)).ToArray(); // several reads, odd size
        string path = folder.PathOf("data.bin");
        File.WriteAllBytes(path, content);
        Assert.Equal(content, InputFile.ReadAllBytes(path, limit: content.Length));
        Assert.Empty(InputFile.ReadAllBytes(folder.Write("empty.csv", "")));
    }

    [Fact]
    public void LongerFilesAreRefusedWithTheirSizeAndTheLimit()
    {
        string path = folder.PathOf("data.bin");
        File.WriteAllBytes(path, new byte[1000]);
        var error = Assert.Throws<InputFileException>(() => InputFile.ReadAllBytes(path, limit: 999));
        Assert.Equal($"{path}: the file is 1000 bytes; Carnet reads files up to 999 bytes (set CARNET_MAX_INPUT_MB to a number of MiB to change the limit)", error.Message);
        Assert.Equal(path, error.Path);
        Assert.Throws<InputFileException>(() => InputFile.Open(path, limit: 999).Dispose());
    }

    [Fact]
    public void AThreeGibibyteSparseFileIsRefusedBeforeAnythingIsRead()
    {
        string path = folder.PathOf("sparse.bin");
        using (var stream = File.Create(path))
        {
            stream.SetLength(3L << 30); // no blocks written
        }

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<InputFileException>(() => InputFile.ReadAllBytes(path));
        Assert.Equal($"{path}: the file is 3 GiB; Carnet reads files up to 512 MiB (set CARNET_MAX_INPUT_MB to a number of MiB to change the limit)", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void FilesOfUnknownLengthAreReadOnlyUpToTheLimit()
    {
        // /proc files report a length of 0 but hold text: read, and bounded like any other
        byte[] status = InputFile.ReadAllBytes("/proc/self/status");
        Assert.Contains("VmRSS", System.Text.Encoding.ASCII.GetString(status), StringComparison.Ordinal);
        var error = Assert.Throws<InputFileException>(() => InputFile.ReadAllBytes("/proc/self/status", limit: 100));
        Assert.Equal("/proc/self/status: the file holds more than 100 bytes; Carnet reads files up to 100 bytes " +
            "(set CARNET_MAX_INPUT_MB to a number of MiB to change the limit)", error.Message);
    }

    [Fact]
    public async Task DevicesPipesFoldersAndMissingFilesAreRefusedByName()
    {
        string pipe = folder.PathOf("pipe");
        using (var mkfifo = Process.Start("mkfifo", [pipe]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // a named pipe with no writer would block the open forever: refused before opening
        string refused = await Task.Run(() => Assert.Throws<InputFileException>(() => InputFile.ReadAllBytes(pipe)).Message).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"{pipe}: is a named pipe (FIFO), not a regular file; Carnet reads regular files only: save the data to a file first", refused);
        Assert.Equal("/dev/zero: is a character device, not a regular file; Carnet reads regular files only",
            Assert.Throws<InputFileException>(() => InputFile.ReadAllBytes("/dev/zero")).Message);
        Assert.Equal($"{folder.Folder}: is a directory, not a file", Assert.Throws<InputFileException>(() => InputFile.Open(folder.Folder)).Message);
        Assert.Equal("missing.csv: file not found", Assert.Throws<InputFileException>(() => InputFile.Open("missing.csv")).Message);
        Assert.Equal(FileKind.Regular, FileKinds.Of("/proc/self/status"));
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of("/dev/null"));
    }

    [Fact]
    public void LinesAreReadUpToTheirLimit()
    {
        using var reader = new StringReader("one\r\ntwo\n\nthree");
        Assert.Equal(["one", "two", "", "three"], Enumerable.Range(1, 4).Select(n => InputFile.ReadLine(reader, "input", n) ?? "(end)").ToArray());
        Assert.Null(InputFile.ReadLine(reader, "input", 5));
        using var endless = new StringReader("short\n" + new string('x', 101));
        Assert.Equal("short", InputFile.ReadLine(endless, "standard input", 1, maximumCharacters: 100));
        Assert.Equal("standard input: line 2 is longer than 100 characters",
            Assert.Throws<InputFileException>(() => InputFile.ReadLine(endless, "standard input", 2, maximumCharacters: 100)).Message);
    }

    [Fact]
    public void EndlessAndHugeDataFilesEndEveryCommandWithOneLineAndExitCodeTwo()
    {
        string sparse = folder.PathOf("huge.csv");
        using (var stream = File.Create(sparse))
        {
            stream.SetLength(3L << 30);
        }

        string output = folder.PathOf("out");
        const string Device = "/dev/zero: is a character device, not a regular file; Carnet reads regular files only";
        CliRunner.AssertBadInput(["forecast", "--data", "/dev/zero", "--out", output], Device, output);
        CliRunner.AssertBadInput(["classify", "--data", sparse, "--label", "y", "--out", output],
            $"{sparse}: the file is 3 GiB; Carnet reads files up to 512 MiB (set CARNET_MAX_INPUT_MB to a number of MiB to change the limit)", output);
        CliRunner.AssertBadInput(["text", "train", "--data", "/dev/zero", "--out", output], Device, output);
        CliRunner.AssertBadInput(["inspect", "/dev/zero"], Device, output);
    }

    public void Dispose() => folder.Dispose();
}
