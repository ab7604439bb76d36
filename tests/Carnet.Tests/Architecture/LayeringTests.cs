using Microsoft.CodeAnalysis.CSharp;

namespace Carnet.Tests.Architecture;

/// <summary>
/// Data flows one way down the stack: kernels ← layers ← IO ← models ← training and ONNX ← tasks ← command line. A file may use
/// namespaces of its own level or below, never one above, and one task never reaches into another.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>The stack from the bottom; a namespace's level is that of the longest prefix listed here.</summary>
    private static readonly (string Prefix, int Level)[] Stack =
    [
        ("Carnet", 0), // Tensor, RandomSource, KernelSettings: the vocabulary every level shares
        ("Carnet.Kernels", 0),
        ("Carnet.Layers", 1),
        ("Carnet.IO", 2),
        ("Carnet.Models", 3),
        ("Carnet.Training", 4),
        ("Carnet.Onnx", 4), // ONNX files both ways: the graph runtime, export and import of sequence models
        ("Carnet.Tasks.Data", 5), // what every task shares: reading user files, metrics
        ("Carnet.Tasks.Evaluation", 5),
        ("Carnet.Tasks", 6), // one task each: Forecasting, Classification, Text, Tagging, Experiments
        ("Carnet.Cli", 7),
    ];

    [Fact]
    public void NoNamespaceUsesOneAboveItOrAnotherTask()
    {
        var violations = SourceTree.Sources
            .SelectMany(file => file.ReferencedNames().Select(name => (file, name)))
            .Where(pair => pair.name.StartsWith("Carnet", StringComparison.Ordinal) && Breaks(pair.file.Namespace, pair.name))
            .Select(pair => $"{pair.file.Path} ({pair.file.Namespace}) uses {pair.name}")
            .Distinct()
            .ToList();
        Assert.True(violations.Count == 0, "upward or sideways dependencies:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void EveryFileIsPlacedInTheStack()
    {
        var unplaced = SourceTree.Sources.Where(f => Level(f.Namespace) < 0).Select(f => $"{f.Path}: namespace '{f.Namespace}'").ToList();
        Assert.True(unplaced.Count == 0, "files outside the stack:\n" + string.Join("\n", unplaced));
        Assert.Contains(SourceTree.Sources, f => f.Namespace == "Carnet.Kernels");
        Assert.Contains(SourceTree.Sources, f => f.Namespace.StartsWith("Carnet.Tasks.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Carnet.Kernels", "Carnet.Layers", true)]
    [InlineData("Carnet.Layers", "Carnet.Kernels", false)]
    [InlineData("Carnet.Layers", "Carnet.Models.ModelFile", true)]
    [InlineData("Carnet.Training", "Carnet.Models", false)]
    [InlineData("Carnet.Models", "Carnet.Training", true)]
    [InlineData("Carnet.Tasks.Text", "Carnet.Tasks.Tagging", true)]
    [InlineData("Carnet.Tasks.Text", "Carnet.Tasks.Data", false)]
    [InlineData("Carnet.Tasks.Data", "Carnet.Tasks.Text", true)]
    [InlineData("Carnet.Tasks.Text", "Carnet.Tasks.Text", false)]
    [InlineData("Carnet.Cli", "Carnet.Tasks.Text.CharacterModel", false)]
    [InlineData("Carnet.Tasks.Forecasting", "Carnet.Cli.Reporting", true)]
    public void TheRuleReadsLevels(string from, string used, bool breaks) => Assert.Equal(breaks, Breaks(from, used));

    [Fact]
    public void TheRuleSeesUsingsAndQualifiedNames()
    {
        var file = new SourceFile("x.cs", CSharpSyntaxTree.ParseText("""
            using Carnet.Layers;
            using Alias = Carnet.Models.ModelFile;
            namespace Carnet.Kernels;
            internal static class X { public static object Y() => Carnet.Training.Adam<float>.Default; }
            """).GetCompilationUnitRoot());
        Assert.Equal("Carnet.Kernels", file.Namespace);
        Assert.Equal(["Carnet.Layers", "Carnet.Models.ModelFile", "Carnet.Training.Adam<float>.Default"], file.ReferencedNames().ToArray());
    }

    /// <summary>Whether code in namespace <paramref name="from"/> may not use <paramref name="used"/> (a namespace or a qualified name).</summary>
    private static bool Breaks(string from, string used)
    {
        int own = Level(from), other = Level(used);
        if (other > own)
        {
            return true;
        }

        // two tasks at the same level: each stands alone
        return own == 6 && other == 6 && Task(from) != Task(used);
    }

    private static int Level(string name)
    {
        int level = -1, longest = -1;
        foreach (var (prefix, value) in Stack)
        {
            if ((name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal)) && prefix.Length > longest)
            {
                (level, longest) = (value, prefix.Length);
            }
        }

        return level;
    }

    private static string Task(string name) => string.Join('.', name.Split('.').Take(3));
}
