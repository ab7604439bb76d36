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

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
