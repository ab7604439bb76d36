using Carnet.Cli;

namespace Carnet.Tests.Cli;

/// <summary>Runs <c>carnet</c> in process and gives a fresh temporary folder for each test.</summary>
internal sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        Folder = Path.Combine(Path.GetTempPath(), $"carnet-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
    }

    /// <summary>A folder deleted when the test ends.</summary>
    public string Folder { get; }

    /// <summary>A path inside <see cref="Folder"/>.</summary>
    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>Writes a file in the folder and returns its path.</summary>
    public string Write(string name, string text)
    {
        string path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs the command line; returns its exit code and what it printed.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CarnetApplication.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs a command on bad input and checks the answer: exit code 2, nothing on standard output, exactly
    /// "carnet COMMAND: <paramref name="expected"/>" on standard error, and no output folder left behind.
    /// </summary>
    public static void AssertBadInput(string[] arguments, string expected, string outputFolder)
    {
        var (code, output, error) = Run(arguments);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"carnet {arguments[0]}: {expected}\n", error.ReplaceLineEndings("\n"));
        Assert.False(Directory.Exists(outputFolder));
    }

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
