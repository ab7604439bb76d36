using System.CommandLine;

namespace Carnet.Cli;

/// <summary>The <c>carnet</c> command line: parses arguments and runs a command, writing to the given streams.</summary>
internal static class CarnetApplication
{
    /// <summary>Runs <c>carnet</c> with <paramref name="args"/>; returns the exit code (0 success, 2 bad input).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("carnet: LSTM, GRU and RNN networks for .NET, with PyTorch's numerics.");
        root.Subcommands.Add(ForecastCommand.Create(output, error));
        root.Subcommands.Add(ClassifyCommand.Create(output, error));
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
        root.Subcommands.Add(TagCommand.Create(output, error));
        root.Subcommands.Add(TranslateCommand.Create(output, error));
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
