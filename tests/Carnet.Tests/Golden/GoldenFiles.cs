using Carnet.IO;

namespace Carnet.Tests.Golden;

/// <summary>
/// Finds the reference files: the repository's copy (tests/golden, copied beside the test assembly) and,
/// when the environment variable CARNET_GOLDEN_DIR is set, every file in that folder too.
/// </summary>
internal static class GoldenFiles
{
    public const string EnvironmentVariable = "CARNET_GOLDEN_DIR";

    public static string RepositoryFolder => Path.Combine(AppContext.BaseDirectory, "golden");

    /// <summary>The source label of the repository's copy.</summary>
    public const string Repository = "repository";

    /// <summary>
    /// Every *.safetensors directly in each source's <paramref name="subfolder"/>, as (source, file name) pairs, so a
    /// test's display name shows the file name in full.
    /// </summary>
    public static TheoryData<string, string> In(string subfolder)
    {
        var data = new TheoryData<string, string>();
        foreach (string source in Sources())
        {
            string path = Path.Combine(FolderOf(source), subfolder);
            if (!Directory.Exists(path))
            {
                // the repository's folders must exist; an extra folder may hold only layer cases and no training/
                if (source == Repository || subfolder.Length == 0)
                {
                    throw new DirectoryNotFoundException($"Golden folder '{path}' does not exist (from {source}).");
                }

                continue;
            }

            foreach (string file in Directory.GetFiles(path, "*.safetensors").Order(StringComparer.Ordinal))
            {
                data.Add(source, Path.GetFileName(file));
            }
        }

        return data;
    }

    /// <summary>Reads the file named by a (source, file name) pair from <see cref="In"/> for <paramref name="subfolder"/>.</summary>
    public static SafeTensorsFile Read(string source, string subfolder, string file) => SafeTensorsFile.Read(Path.Combine(FolderOf(source), subfolder, file));

    private static IEnumerable<string> Sources()
    {
        yield return Repository;
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable)))
        {
            yield return EnvironmentVariable;
        }
    }

    private static string FolderOf(string source) => source == Repository
        ? RepositoryFolder
        : Path.GetFullPath(Environment.GetEnvironmentVariable(EnvironmentVariable) ?? throw new InvalidOperationException($"{EnvironmentVariable} is not set."));
}
