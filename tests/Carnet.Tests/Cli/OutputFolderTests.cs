using Carnet.Cli;

namespace Carnet.Tests.Cli;

/// <summary>The output folder: results appear all together, and what a killed run left behind is cleared.</summary>
public sealed class OutputFolderTests
{
    [Fact]
    public void LeftoversOfAKilledRunAreClearedAndResultsKept()
    {
        using var cli = new CliRunner();
        Directory.CreateDirectory(cli.PathOf(".staging-4242"));
        cli.Write(".staging-4242/model.safetensors", "half");
        cli.Write(".checkpoint.safetensors.0123abcd.tmp", "torn");
        cli.Write("checkpoint.safetensors", "complete");
        cli.Write("notes.txt", "the user's");
        new OutputFolder(cli.Folder).Create();
        Assert.Equal(["checkpoint.safetensors", "notes.txt"], Directory.GetFileSystemEntries(cli.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AFailingWriterLeavesNoResultAndNoStaging()
    {
        using var cli = new CliRunner();
        var folder = new OutputFolder(cli.PathOf("out"));
        Assert.Throws<IOException>(() => folder.Commit(
        [
            ("a.txt", p => File.WriteAllText(p, "a")),
            ("b.txt", _ => throw new IOException("disk full")),
        ]));
        Assert.Empty(Directory.GetFileSystemEntries(cli.PathOf("out")));
        folder.CleanUp();
        Assert.False(Directory.Exists(cli.PathOf("out")));
    }
}
