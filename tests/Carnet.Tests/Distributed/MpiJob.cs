using System.Diagnostics;

namespace Carnet.Tests.Distributed;

/// <summary>
/// Runs <c>carnet</c> under MPICH's <c>mpiexec</c>, as a user would. MPICH is a test dependency: scripts/test.sh (README's
/// test command) installs it; without it these tests fail and say so, they never skip.
/// </summary>
internal static class MpiJob
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>The carnet command line for <c>mpiexec</c>: the .NET host and the CLI's assembly.</summary>
    public static string[] Carnet => [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "Carnet.Cli.dll")];

    /// <summary>Runs <c>mpiexec -n <paramref name="ranks"/> carnet <paramref name="arguments"/></c>; its exit code and output.</summary>
    public static (int Code, string Output, string Error) Run(int ranks, params string[] arguments)
        => Launch(["-n", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Carnet, .. arguments]);

    /// <summary>Runs mpiexec with its own arguments (several programs separated by ':', working folders); waits at most three minutes.</summary>
    public static (int Code, string Output, string Error) Launch(string[] arguments)
    {
        using var process = Start(arguments);
        return Cli.CliRunner.Finish(process, Limit, $"mpiexec {string.Join(' ', arguments)}");
    }

    /// <summary>Starts mpiexec with <paramref name="arguments"/>, its output redirected.</summary>
    public static Process Start(string[] arguments)
    {
        string mpiexec = new[] { "/usr/bin/mpiexec", "/usr/local/bin/mpiexec" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("mpiexec was not found: the distributed tests need MPICH; run README's test command (scripts/test.sh), which installs it");
        var start = new ProcessStartInfo(mpiexec) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start mpiexec");
    }

    /// <summary>The processes of a job's rank <paramref name="rank"/> whose command line holds <paramref name="marker"/> (from /proc).</summary>
    public static IEnumerable<int> Ranks(string marker, int rank)
    {
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid))
            {
                continue;
            }

            string commandLine, environment;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(folder, "cmdline"));
                environment = File.ReadAllText(Path.Combine(folder, "environ"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone, or not ours
            }

            if (commandLine.Contains("Carnet.Cli.dll", StringComparison.Ordinal) && commandLine.Contains(marker, StringComparison.Ordinal)
                && environment.Split('\0').Contains($"PMI_RANK={rank}"))
            {
                yield return pid;
            }
        }
    }
}
