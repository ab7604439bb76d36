using System.CommandLine;

namespace Carnet.Cli;

/// <summary>The <c>carnet</c> command line: parses arguments and runs a command, writing to the given streams.</summary>
internal static class CarnetApplication
{
    /// <summary>
    /// Runs <c>carnet</c> with <paramref name="args"/>; returns the exit code (0 success, 2 bad input). A mistake on
    /// the command line is one line on <paramref name="error"/> and exit code 2, like any other bad input.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var result = Commands(output, error).Parse(args);
        if (result.Errors.Count > 0 && result.Action is not System.CommandLine.Help.HelpAction)
        {
            error.WriteLine(UsageErrors.Describe(result));
            return 2;
        }

        return result.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>Every command of <c>carnet</c>, writing to the given streams.</summary>
    public static RootCommand Commands(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("carnet: LSTM, GRU and RNN networks for .NET, with PyTorch's numerics.");
        root.Subcommands.Add(ForecastCommand.Create(output, error));
        root.Subcommands.Add(ClassifyCommand.Create(output, error));
        root.Subcommands.Add(SpeechCommand.Create(output, error));
        root.Subcommands.Add(PredictCommand.Create(output, error));
        root.Subcommands.Add(InspectCommand.Create(output, error));
        root.Subcommands.Add(ExplainCommand.Create(output, error));
        root.Subcommands.Add(FuzzCommand.Create(output, error));
        root.Subcommands.Add(DemoCommand.Create(output, error));
        root.Subcommands.Add(RunCommand.Create(output, error));
        root.Subcommands.Add(ImportCommand.Create(output, error));
        root.Subcommands.Add(ExportCommand.Create(output, error));
        root.Subcommands.Add(BenchCommand.Create(output, error));
        root.Subcommands.Add(ExperimentCommand.Create(output, error));
        root.Subcommands.Add(TextCommand.Create(output, error));
        root.Subcommands.Add(MusicCommand.Create(output, error));
        root.Subcommands.Add(TagCommand.Create(output, error));
        root.Subcommands.Add(TranslateCommand.Create(output, error));
        root.Subcommands.Add(QuantizeCommand.Create(output, error));
        return root;
    }
}
