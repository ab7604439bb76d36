using Carnet.Cli.Diagnostics;

namespace Carnet.Tests.Diagnostics;

/// <summary>
/// Every seed of the fuzzing corpus and every input the fuzzer once crashed on (fuzz/corpus/TARGET,
/// fuzz/regressions/TARGET), found by listing the folders, goes through its target: accepted, or rejected with the
/// reader's own exception naming the file; never anything else.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "fuzz");

    public static TheoryData<string, string> Inputs()
    {
        var inputs = new TheoryData<string, string>();
        foreach (string folder in new[] { "corpus", "regressions" })
        {
            foreach (string target in FuzzTargets.Names)
            {
                string directory = Path.Combine(Root, folder, target);
                foreach (string file in Directory.Exists(directory) ? Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToArray() : [])
                {
                    inputs.Add(target, Path.GetRelativePath(Root, file));
                }
            }
        }

        return inputs;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void EveryInputIsAcceptedOrRejectedCleanly(string target, string file)
    {
        bool accepted = FuzzTargets.Run(target, File.ReadAllBytes(Path.Combine(Root, file)));
        if (file.StartsWith("corpus", StringComparison.Ordinal) && !file.EndsWith("rnncell_tanh.safetensors", StringComparison.Ordinal))
        {
            Assert.True(accepted, $"the seed {file} should be a valid {target} file"); // seeds are valid files, but for the bare tensor file
        }
    }

    [Fact]
    public void EveryTargetHasSeeds()
    {
        foreach (string target in FuzzTargets.Names)
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(Root, "corpus", target)));
        }
    }

    [Fact]
    public void CleanRejectionsAreToldFromAcceptance()
    {
        Assert.True(FuzzTargets.Run("csv", "a,b\n1,2\n"u8.ToArray()));
        Assert.False(FuzzTargets.Run("csv", [0x61, 0xFF, 0x0A])); // invalid UTF-8: a DataFormatException naming "fuzz"
        Assert.False(FuzzTargets.Run("safetensors", [1, 2, 3]));
        Assert.False(FuzzTargets.Run("onnx", [0xFF, 0xFF, 0xFF]));
    }
}
