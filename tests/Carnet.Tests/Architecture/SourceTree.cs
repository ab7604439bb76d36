using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Carnet.Tests.Architecture;

/// <summary>The repository's C# sources, parsed once (syntax only), for the tests that guard the code's shape.</summary>
internal static class SourceTree
{
    private static readonly Lazy<string> RootPath = new(FindRoot);
    private static readonly Lazy<IReadOnlyList<SourceFile>> Library = new(() => Parse("src"));

    /// <summary>The repository root: the nearest folder above the test binaries that holds Carnet.slnx.</summary>
    public static string Root => RootPath.Value;

    /// <summary>Every .cs file under src/ (library and command line), without build output.</summary>
    public static IReadOnlyList<SourceFile> Sources => Library.Value;

    /// <summary>Parses every .cs file under <paramref name="folder"/> (relative to the root).</summary>
    public static IReadOnlyList<SourceFile> Parse(string folder)
    {
        string separator = Path.DirectorySeparatorChar.ToString();
        return Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains(separator + "obj" + separator) && !path.Contains(separator + "bin" + separator))
            .Order(StringComparer.Ordinal)
            .Select(path => new SourceFile(
                Path.GetRelativePath(Root, path).Replace('\\', '/'), CSharpSyntaxTree.ParseText(File.ReadAllText(path), path: path).GetCompilationUnitRoot()))
            .ToList();
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Carnet.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no Carnet.slnx above {AppContext.BaseDirectory}: the architecture tests read the sources");
    }
}

/// <summary>One parsed source file: its path from the repository root and its syntax.</summary>
internal sealed record SourceFile(string Path, CompilationUnitSyntax Syntax)
{
    /// <summary>The namespace the file declares; a command-line file of top-level statements counts as <c>Carnet.Cli</c>.</summary>
    public string Namespace => Syntax.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString()
        ?? (Path.StartsWith("src/Carnet.Cli/", StringComparison.Ordinal) ? "Carnet.Cli" : "");

    /// <summary>
    /// The Carnet namespaces the file refers to: its using directives (plain, static and aliases) and the fully qualified
    /// names it writes out (<c>Carnet.Models.ModelFile</c>), each cut to the namespace part.
    /// </summary>
    public IEnumerable<string> ReferencedNames()
    {
        foreach (var directive in Syntax.DescendantNodes().OfType<UsingDirectiveSyntax>())
        {
            if (directive.NamespaceOrType is { } name)
            {
                yield return name.ToString();
            }
        }

        foreach (var node in Syntax.DescendantNodes())
        {
            if (node is QualifiedNameSyntax or MemberAccessExpressionSyntax && node.Parent is not (QualifiedNameSyntax or MemberAccessExpressionSyntax)
                && node.ToString().StartsWith("Carnet.", StringComparison.Ordinal) && !node.Ancestors().OfType<UsingDirectiveSyntax>().Any()
                && !node.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Any(n => n.Name == node))
            {
                yield return node.ToString();
            }
        }
    }

    /// <summary>Every method, constructor and operator the file declares, with the type that holds it.</summary>
    public IEnumerable<(string Name, int Parameters, int Lines)> Methods()
    {
        foreach (var method in Syntax.DescendantNodes().OfType<BaseMethodDeclarationSyntax>())
        {
            string type = method.Ancestors().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault()?.Identifier.Text ?? "";
            string name = method switch
            {
                MethodDeclarationSyntax m => m.Identifier.Text,
                ConstructorDeclarationSyntax => "constructor",
                _ => method.Kind().ToString(),
            };
            var lines = method.GetLocation().GetLineSpan();
            yield return ($"{type}.{name}", method.ParameterList.Parameters.Count, lines.EndLinePosition.Line - lines.StartLinePosition.Line + 1);
        }

        foreach (var type in Syntax.DescendantNodes().OfType<TypeDeclarationSyntax>().Where(t => t.ParameterList is not null && t is not RecordDeclarationSyntax))
        {
            yield return ($"{type.Identifier.Text} (primary constructor)", type.ParameterList!.Parameters.Count, 1);
        }
    }
}
