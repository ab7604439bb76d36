#:package Microsoft.CodeAnalysis.CSharp@5.12.0
// The redesign's counts over src/ (issue 15): files that clip gradients or step an optimizer, files under
// src/Carnet/Layers that name a specific cell kind, methods outside the kernels with more than 8 parameters, and
// the longest methods. Usage: dotnet run scripts/code-metrics.cs -- [repository root]
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

string root = Path.GetFullPath(args.Length > 0 ? args[0] : ".");
char separator = Path.DirectorySeparatorChar;
var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
    .Where(f => !f.Contains($"{separator}obj{separator}") && !f.Contains($"{separator}bin{separator}"))
    .Order(StringComparer.Ordinal)
    .ToList();
var clipping = new List<string>();
var stepping = new List<string>();
var cellKinds = new List<string>();
var wide = new List<string>();
var lengths = new List<(int Lines, string Name)>();
foreach (string file in files)
{
    string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
    var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), path: file).GetCompilationUnitRoot();
    var invocations = tree.DescendantNodes().OfType<InvocationExpressionSyntax>().ToList();
    if (invocations.Any(i => i.Expression.ToString().EndsWith("ClipByGlobalNorm", StringComparison.Ordinal)))
    {
        clipping.Add(relative);
    }

    // an optimizer's step: `x.Step()` with no argument on something that is not a schedule
    if (invocations.Any(i => i.Expression is MemberAccessExpressionSyntax { Name.Identifier.Text: "Step" } access && i.ArgumentList.Arguments.Count == 0
        && !access.Expression.ToString().Contains("schedule", StringComparison.OrdinalIgnoreCase)))
    {
        stepping.Add(relative);
    }

    if (relative.StartsWith("src/Carnet/Layers/", StringComparison.Ordinal) && tree.DescendantTokens()
        .Any(t => t.IsKind(SyntaxKind.IdentifierToken) && (t.Text.StartsWith("Lstm", StringComparison.Ordinal) || t.Text.StartsWith("Gru", StringComparison.Ordinal)
            || t.Text.StartsWith("Rnn", StringComparison.Ordinal))))
    {
        cellKinds.Add(relative);
    }

    bool kernel = relative.StartsWith("src/Carnet/Kernels/", StringComparison.Ordinal);
    foreach (var method in tree.DescendantNodes().OfType<BaseMethodDeclarationSyntax>())
    {
        string type = method.Ancestors().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault()?.Identifier.Text ?? "?";
        string name = type + "." + (method is MethodDeclarationSyntax m ? m.Identifier.Text : "constructor");
        if (method.ParameterList.Parameters.Count > 8 && !kernel)
        {
            wide.Add($"{method.ParameterList.Parameters.Count,3}  {name}  {relative}");
        }

        var span = method.GetLocation().GetLineSpan();
        lengths.Add((span.EndLinePosition.Line - span.StartLinePosition.Line + 1, $"{name}  {relative}"));
    }
}

Print("files calling gradient clipping", clipping);
Print("files calling an optimizer's Step()", stepping);
Print("files under src/Carnet/Layers naming a specific cell kind", cellKinds);
Print("methods outside src/Carnet/Kernels with more than 8 parameters", wide);
Console.WriteLine("longest methods (lines):");
foreach (var (lines, name) in lengths.OrderByDescending(l => l.Lines).Take(5))
{
    Console.WriteLine($"    {lines,4}  {name}");
}

Console.WriteLine($"source files: {files.Count}, lines: {files.Sum(f => File.ReadLines(f).Count())}");

static void Print(string title, IReadOnlyCollection<string> items)
{
    Console.WriteLine($"{title}: {items.Count}");
    foreach (string item in items)
    {
        Console.WriteLine($"    {item}");
    }
}
