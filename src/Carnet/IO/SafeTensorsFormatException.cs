namespace Carnet.IO;

/// <summary>
/// Thrown when safetensors content is malformed. The message always starts with the source (a file path or
/// the name given to <see cref="SafeTensorsFile.Parse(byte[], string)"/>), then names the tensor when there is
/// one, then says what is wrong, for example
/// <c>model.safetensors: tensor 'weight_ih_l0': shape [20,3] with dtype F32 needs 240 bytes but data_offsets [0,200] give 200</c>.
/// </summary>
public sealed class SafeTensorsFormatException : Exception
{
    /// <summary>Creates an exception for a problem in the given source.</summary>
    /// <param name="sourceName">The file path or name of the content.</param>
    /// <param name="problem">What is wrong and where.</param>
    public SafeTensorsFormatException(string sourceName, string problem)
        : this(sourceName, null, problem, null)
    {
    }

    /// <summary>Creates an exception for a problem in the given source, caused by another exception.</summary>
    /// <param name="sourceName">The file path or name of the content.</param>
    /// <param name="problem">What is wrong and where.</param>
    /// <param name="innerException">The exception that revealed the problem.</param>
    public SafeTensorsFormatException(string sourceName, string problem, Exception? innerException)
        : this(sourceName, null, problem, innerException)
    {
    }

    /// <summary>Creates an exception for a problem with one tensor of the given source.</summary>
    /// <param name="sourceName">The file path or name of the content.</param>
    /// <param name="tensorName">The tensor the problem concerns, or <see langword="null"/> when it concerns none.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The exception that revealed the problem, if any.</param>
    public SafeTensorsFormatException(string sourceName, string? tensorName, string problem, Exception? innerException)
        : base(ComposeMessage(sourceName, tensorName, problem), innerException)
    {
        SourceName = sourceName ?? string.Empty;
        TensorName = tensorName;
        Problem = problem ?? string.Empty;
    }

    /// <summary>The file path or name of the content that is malformed.</summary>
    public string SourceName { get; }

    /// <summary>The tensor the problem concerns, or <see langword="null"/> when it concerns the file as a whole.</summary>
    public string? TensorName { get; }

    /// <summary>What is wrong, without the source and tensor prefix.</summary>
    public string Problem { get; }

    private static string ComposeMessage(string? sourceName, string? tensorName, string? problem)
    {
        string prefix = string.IsNullOrEmpty(sourceName) ? "<unnamed>" : sourceName;
        return tensorName is null
            ? $"{prefix}: {problem}"
            : $"{prefix}: tensor '{tensorName}': {problem}";
    }
}
