using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Carnet.Cli;

/// <summary>
/// Command-line mistakes (an unknown option, a value of the wrong type, a missing option or command) as one line:
/// <c>carnet COMMAND: what is wrong; see 'carnet COMMAND --help'</c>, for exit code 2, instead of the parser's
/// several lines and the whole help text.
/// </summary>
internal static partial class UsageErrors
{
    private static readonly Dictionary<string, string> TypeNames = new(StringComparer.Ordinal)
    {
        ["System.Int32"] = "a whole number",
        ["System.Int64"] = "a whole number",
        ["System.UInt32"] = "a whole number from 0",
        ["System.UInt64"] = "a whole number from 0",
        ["System.Double"] = "a number",
        ["System.Single"] = "a number",
        ["System.Boolean"] = "true or false",
    };

    /// <summary>The line for a parse with errors.</summary>
    public static string Describe(ParseResult result)
    {
        string command = CommandPath(result.CommandResult);
        var error = result.Errors.OrderBy(e => IsAboutSomethingMissing(e) ? 1 : 0).First(); // what was typed before what was left out
        string problem = IsMissingCommand(error) && result.CommandResult.Command.Subcommands.Count > 0
            ? $"a command is required: {string.Join(", ", result.CommandResult.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}"
            : OneLine(error.Message);
        return $"{command}: {problem}; see '{command} --help'";
    }

    /// <summary>"carnet", "carnet forecast", "carnet text train".</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult { Command: var command })
            {
                names.Add(command is RootCommand ? "carnet" : command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>The parser's message on one line, with .NET type names said in words and no final full stop.</summary>
    private static string OneLine(string message)
    {
        string text = ExpectedType().Replace(message, match =>
            TypeNames.TryGetValue(Nullable().Replace(match.Groups[1].Value, "$1"), out string? name) ? $"as {name}" : match.Value);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string line = lines.Length == 1 ? lines[0] : $"{lines[0]} {string.Join(", ", lines.Skip(1))}";
        return line.TrimEnd('.');
    }

    private static bool IsAboutSomethingMissing(ParseError error)
        => error.Message.StartsWith("Required", StringComparison.Ordinal) || error.Message.Contains("is required", StringComparison.Ordinal);

    private static bool IsMissingCommand(ParseError error) => error.Message.StartsWith("Required command", StringComparison.Ordinal);

    [GeneratedRegex(@"as expected type '([^']+)'")]
    private static partial Regex ExpectedType();

    [GeneratedRegex(@"^System\.Nullable`1\[(.+)\]$")]
    private static partial Regex Nullable();
}
