using System.Diagnostics;
using Carnet.Cli;

namespace Carnet.Tests.Cli;

/// <summary>Runs <c>carnet</c> in process (or as a process of its own) and gives a fresh temporary folder for each test.</summary>
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
    /// Starts <c>carnet</c> as a process of its own (the .NET host and the CLI's assembly), its output redirected: for what
    /// in-process runs cannot show, such as a kill or the whole process's memory.
    /// </summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Carnet.Cli.dll"));
        foreach (string argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the carnet process");
    }

    /// <summary>Runs <c>carnet</c> as a process of its own to its end (two minutes at most); its exit code and what it printed.</summary>
    public static (int Code, string Output, string Error) RunProcess(params string[] args)
    {
        using var process = Start(args);
        return Finish(process, TimeSpan.FromMinutes(2), $"carnet {string.Join(' ', args)}");
    }

    /// <summary>
    /// Waits for a started <paramref name="process"/> (output redirected) at most <paramref name="limit"/>, reading what it
    /// prints as it comes; kills it and fails the test, naming <paramref name="what"/>, when it does not end in time.
    /// </summary>
    public static (int Code, string Output, string Error) Finish(Process process, TimeSpan limit, string what)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{what} did not end within {limit.TotalMinutes} minutes");
        }

        return (process.ExitCode, output.Result, error.Result);
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
