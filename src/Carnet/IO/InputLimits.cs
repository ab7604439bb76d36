using System.Globalization;

namespace Carnet.IO;

/// <summary>
/// The largest file Carnet reads: every reader of a user's file (CSV, text, CoNLL, sentence pairs, safetensors, ONNX)
/// refuses a longer one with an <see cref="InputFileException"/> that names the file, its size and this limit.
/// 512 MiB unless the environment variable <c>CARNET_MAX_INPUT_MB</c> or <see cref="MaximumBytes"/> says otherwise.
/// </summary>
public static class InputLimits
{
    /// <summary>The environment variable that sets the limit in mebibytes.</summary>
    public const string EnvironmentVariable = "CARNET_MAX_INPUT_MB";

    /// <summary>The limit when nothing sets another: 512 MiB.</summary>
    public const long DefaultMaximumBytes = 512L << 20;

    private static long? maximumBytes;

    /// <summary>
    /// The limit in bytes: the value set here, else <c>CARNET_MAX_INPUT_MB</c> mebibytes, else <see cref="DefaultMaximumBytes"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value below 1 is set.</exception>
    /// <exception cref="ArgumentException"><c>CARNET_MAX_INPUT_MB</c> is not a whole number of mebibytes from 1.</exception>
    public static long MaximumBytes
    {
        get => maximumBytes ?? FromEnvironment() ?? DefaultMaximumBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            maximumBytes = value;
        }
    }

    /// <summary>Forgets a value set through <see cref="MaximumBytes"/>: the environment or the default decide again.</summary>
    public static void Reset() => maximumBytes = null;

    /// <summary>A size as people read it: bytes, KiB, MiB or GiB with one decimal.</summary>
    internal static string Describe(long bytes) => bytes switch
    {
        < 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1073741824.0:0.#} GiB"),
    };

    private static long? FromEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long mebibytes) || mebibytes < 1 || mebibytes > long.MaxValue >> 20)
        {
            throw new ArgumentException($"{EnvironmentVariable} is '{text}'; expected a whole number of mebibytes, at least 1");
        }

        return mebibytes << 20;
    }
}
