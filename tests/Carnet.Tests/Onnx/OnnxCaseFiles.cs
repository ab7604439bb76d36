namespace Carnet.Tests.Onnx;

/// <summary>
/// Finds the ONNX reference cases: the repository's copies of ONNX's own node tests (tests/onnx/node, one folder per
/// test with model.onnx and test_data_set_*), the PyTorch exports (tests/onnx/torch, NAME.onnx + NAME.io.safetensors),
/// and, when CARNET_ONNX_DIR is set, every NAME.onnx + NAME.io.safetensors in that folder.
/// </summary>
internal static class OnnxCaseFiles
{
    public const string EnvironmentVariable = "CARNET_ONNX_DIR";

    public static string Root => Path.Combine(AppContext.BaseDirectory, "onnx");

    /// <summary>Every node-test folder name under tests/onnx/node.</summary>
    public static TheoryData<string> NodeTests()
    {
        string folder = Path.Combine(Root, "node");
        var names = Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(names);
        return new TheoryData<string>(names!);
    }

    /// <summary>Every .onnx model with an .io.safetensors file beside it, from the repository's torch folder and CARNET_ONNX_DIR.</summary>
    public static TheoryData<string> ModelsWithTensors() => new(ModelPaths());

    /// <summary>The files <see cref="ModelsWithTensors"/> lists.</summary>
    public static List<string> ModelPaths()
    {
        var files = new List<string>(Directory.GetFiles(Path.Combine(Root, "torch"), "*.onnx").Order(StringComparer.Ordinal));
        Assert.NotEmpty(files);
        string? extra = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(extra))
        {
            if (!Directory.Exists(extra))
            {
                throw new DirectoryNotFoundException($"{EnvironmentVariable} names '{extra}', which does not exist.");
            }

            files.AddRange(Directory.GetFiles(extra, "*.onnx").Order(StringComparer.Ordinal));
        }

        return files;
    }
}
