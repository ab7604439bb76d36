using System.CommandLine;
using System.CommandLine.Completions;
using Carnet.Cli;

namespace Carnet.Tests.Cli;

/// <summary>
/// Every command of <c>carnet</c>, found by walking the command tree: an unknown option, a value of the wrong type
/// for every typed option, a missing required option or argument, and a missing subcommand each give exactly one
/// line on standard error naming the command and the problem, a hint to --help, nothing on standard output, and
/// exit code 2. No command runs.
/// </summary>
public sealed class UsageErrorTests
{
    private static readonly Type[] TypedValues = [typeof(int), typeof(int?), typeof(long), typeof(ulong), typeof(double), typeof(double?), typeof(float)];

    public static TheoryData<string> CommandPaths()
    {
        var paths = new TheoryData<string>();
        foreach (var (path, _) in Walk(Root(), []))
        {
            paths.Add(string.Join(' ', path));
        }

        return paths;
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void EveryMistakeIsOneLineWithExitCodeTwo(string commandPath)
    {
        string[] path = commandPath.Length == 0 ? [] : commandPath.Split(' ');
        var command = Walk(Root(), []).Single(c => c.Path.SequenceEqual(path)).Command;
        string name = string.Join(' ', ["carnet", .. path]);

        // arguments first (an argument would take "--no-such-option" as its value): a value each accepts
        string[] values = command.Arguments.Select(a => a.GetCompletions(CompletionContext.Empty).FirstOrDefault()?.Label ?? "value").ToArray();
        AssertOneLine([.. path, .. values, "--no-such-option"], name, "Unrecognized command or argument '--no-such-option'");
        foreach (var option in command.Options.Where(o => TypedValues.Contains(o.ValueType)))
        {
            AssertOneLine([.. path, .. values, option.Name, "not-a-number"], name, $"Cannot parse argument 'not-a-number' for option '{option.Name}' as ");
        }

        if (command.Options.FirstOrDefault(o => o.Required) is { } required)
        {
            AssertOneLine(path, name, $"Option '{required.Name}' is required");
            AssertOneLine([.. path, required.Name], name, $"Required argument missing for option: '{required.Name}'");
        }

        if (command.Arguments.FirstOrDefault() is { } argument && command.Options.All(o => !o.Required))
        {
            AssertOneLine(path, name, $"Required argument '{argument.Name}' missing for command: '{command.Name}'");
        }

        if (command.Subcommands.Count > 0 && command.Action is null)
        {
            AssertOneLine(path, name, $"a command is required: {string.Join(", ", command.Subcommands.Select(c => c.Name))}");
        }
    }

    [Fact]
    public void TheCommandTreeIsWalkedWhole()
    {
        var names = Walk(Root(), []).Select(c => string.Join(' ', c.Path)).ToHashSet();
        string[] expectedPaths = ["", "forecast", "classify", "predict", "inspect", "bench", "text train", "text generate", "tag predict", "translate train", "translate score"];
        foreach (string expected in expectedPaths)
        {
            Assert.Contains(expected, names);
        }
    }

    [Fact]
    public void ANegativeSeedSaysWhatWasExpected()
        => AssertOneLine(["forecast", "--seed", "-1"], "carnet forecast", "Cannot parse argument '-1' for option '--seed' as a whole number from 0");

    [Fact]
    public void HelpIsStillHelp()
    {
        var (code, output, error) = CliRunner.Run("forecast", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--horizon", output, StringComparison.Ordinal);
        Assert.Equal("", error);
    }

    private static void AssertOneLine(string[] arguments, string command, string expected)
    {
        var (code, output, error) = CliRunner.Run(arguments);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        string line = Assert.Single(error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{command}: {expected}", line, StringComparison.Ordinal);
        Assert.EndsWith($"; see '{command} --help'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
    }

    private static RootCommand Root() => CarnetApplication.Commands(TextWriter.Null, TextWriter.Null);

    private static IEnumerable<(string[] Path, Command Command)> Walk(Command command, string[] path)
    {
        yield return (path, command);
        foreach (var child in command.Subcommands)
        {
            foreach (var found in Walk(child, [.. path, child.Name]))
            {
                yield return found;
            }
        }
    }
}
