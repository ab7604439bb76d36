using System.CommandLine;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Onnx;
using Carnet.Tasks.Data;
using Carnet.Training;
using Carnet.Training.Distributed;

namespace Carnet.Cli;

/// <summary>What every command shares: user errors as one line and exit code 2, the shipped data, common options.</summary>
internal static class CommandSupport
{
    /// <summary>The airline passengers series shipped with Carnet.</summary>
    public const string ShippedSeries = "data/airpassengers.csv";

    /// <summary>Runs a command body; a problem with the user's input or files becomes one line on <paramref name="error"/> and exit code 2.</summary>
    public static int Guard(string command, TextWriter error, Func<int> body, OutputFolder? folder = null)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is DataFormatException or SafeTensorsFormatException or OnnxFormatException or OnnxExportException or ArgumentException or IOException
            or UnauthorizedAccessException or KeyNotFoundException or TrainingDivergedException or DistributedTrainingException)
        {
            folder?.CleanUp();
            Report(command, error, e, folder?.Communicator);
            return 2;
        }
        catch (Exception e) when (folder?.Communicator is { } job)
        {
            error.WriteLine($"carnet {command}: rank {job.Rank} failed: {e}"); // a defect, not bad input: the whole exception
            error.Flush();
            job.Abort(70); // the others would wait for this rank in their next collective
            throw;
        }
        finally
        {
            folder?.Communicator?.Dispose();
        }
    }

    /// <summary>
    /// Prints a user error's one line. In a distributed job, a failure every rank met at once (a mismatch found at the
    /// start, a diverged loss) is printed by rank 0 alone; one this rank met alone ends every rank of the job.
    /// </summary>
    private static void Report(string command, TextWriter error, Exception e, Communicator? job)
    {
        bool everyRankSawIt = e is TrainingDivergedException or DistributedTrainingException { SeenByAllRanks: true };
        if (job is not { IsRoot: false } || !everyRankSawIt)
        {
            error.WriteLine($"carnet {command}: {e.Message}");
        }

        if (job is not null && !everyRankSawIt)
        {
            error.Flush();
            job.Abort(2); // the other ranks would wait for this one in their next collective: end them all
        }
    }

    /// <summary>A --threads value as a thread limit for <see cref="KernelSettings.Use"/>: null when not given.</summary>
    /// <exception cref="ArgumentException">The value is below 1.</exception>
    public static int? ThreadLimit(int? count)
        => count is not { } value || value >= 1 ? count : throw new ArgumentException($"--threads is {value}; it must be at least 1");

    /// <summary>A path as given, or, for the shipped data file when run from elsewhere, the copy beside the executable.</summary>
    public static string Resolve(string path, string shipped)
    {
        if (File.Exists(path) || path != shipped)
        {
            return path;
        }

        string beside = Path.Combine(AppContext.BaseDirectory, shipped);
        return File.Exists(beside) ? beside : path;
    }

    /// <summary>A string option restricted to a few values.</summary>
    public static Option<string> Choice(string name, string description, string defaultValue, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    /// <summary>The cell named on the command line.</summary>
    public static RecurrentCellKind Cell(string name) => RecurrentCells.Parse(name) ?? RecurrentCellKind.Lstm;

    /// <summary>auto → null, yes → true, no → false.</summary>
    public static bool? Tristate(string value) => value switch
    {
        "yes" => true,
        "no" => false,
        _ => null,
    };

    /// <summary>An option with a default.</summary>
    public static Option<T> Option<T>(string name, string description, T defaultValue)
        => new(name) { Description = description, DefaultValueFactory = _ => defaultValue };
}
