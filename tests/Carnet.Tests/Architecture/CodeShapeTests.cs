using System.Text.RegularExpressions;

namespace Carnet.Tests.Architecture;

/// <summary>The shape rules of the house style that a compiler does not check: short parameter lists and line lengths.</summary>
public sealed class CodeShapeTests
{
    /// <summary>
    /// Long lists that are allowed, each with its reason: the torch.nn-style constructors take PyTorch's arguments
    /// (input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size or nonlinearity) and
    /// the random source, and have a <c>RecurrentOptions</c> twin.
    /// </summary>
    private static readonly string[] Allowed =
    [
        "src/Carnet/Layers/Recurrent/RecurrentLayers.cs: Lstm.constructor",
        "src/Carnet/Layers/Recurrent/RecurrentLayers.cs: Rnn.constructor",
    ];

    /// <summary>
    /// Outside the kernels (whose BLAS-style signatures list sources, sizes and destinations) a method takes at most 8
    /// parameters: a longer list is a missing object. Every allowed exception must still exist, so the list only shrinks.
    /// </summary>
    [Fact]
    public void NoMethodOutsideTheKernelsTakesMoreThanEightParameters()
    {
        var wide = SourceTree.Sources
            .Where(file => !file.Path.StartsWith("src/Carnet/Kernels/", StringComparison.Ordinal))
            .SelectMany(file => file.Methods().Where(m => m.Parameters > 8).Select(m => $"{file.Path}: {m.Name}"))
            .Distinct()
            .ToList();
        var unexpected = wide.Except(Allowed).ToList();
        Assert.True(unexpected.Count == 0, "methods with more than 8 parameters:\n" + string.Join("\n", unexpected));
        Assert.Empty(Allowed.Except(wide));
    }

    /// <summary>No line of C# in src, tests or bench is longer than .editorconfig's max_line_length.</summary>
    [Fact]
    public void NoLineIsLongerThanTheEditorConfigAllows()
    {
        int limit = MaximumLineLength();
        var files = SourceTree.Sources.Concat(SourceTree.Parse("tests")).Concat(SourceTree.Parse("bench"));
        var longLines = files
            .SelectMany(file => File.ReadLines(Path.Combine(SourceTree.Root, file.Path)).Select((line, i) => (file.Path, Line: i + 1, line.Length)))
            .Where(l => l.Length > limit)
            .Select(l => $"{l.Path}:{l.Line}: {l.Length} characters")
            .ToList();
        Assert.True(longLines.Count == 0, $"lines over {limit} characters:\n" + string.Join("\n", longLines));
    }

    private static int MaximumLineLength()
    {
        var match = Regex.Match(File.ReadAllText(Path.Combine(SourceTree.Root, ".editorconfig")), @"^max_line_length\s*=\s*(\d+)", RegexOptions.Multiline);
        Assert.True(match.Success, ".editorconfig sets no max_line_length");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
