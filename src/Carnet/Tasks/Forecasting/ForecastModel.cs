// Dimension legend: N = series length, K = extra features, C = 1 + K channels, W = window, H = horizon, M = origins.
using Carnet.IO;
using Carnet.Kernels;
using Carnet.Models;
using Carnet.Tasks.Evaluation;

namespace Carnet.Tasks.Forecasting;

/// <summary>
/// A trained forecaster: the network with everything needed to use it on a series (the transform, window, horizon,
/// season and column names), saved in one model file whose <c>preprocessing.*</c> metadata holds the settings.
/// </summary>
public sealed class ForecastModel
{
    /// <summary>The value of <c>preprocessing.task</c> in a forecasting model file.</summary>
    public const string Task = "forecast";

    internal ForecastModel(SequenceModel<float> network, SeriesTransform transform, int horizon, int window, int season,
        string target, string[] features, string? timeColumn)
    {
        Network = network;
        Transform = transform;
        Horizon = horizon;
        Window = window;
        Season = season;
        Target = target;
        Features = features;
        TimeColumn = timeColumn;
    }

    /// <summary>The network: window (B, W, C) to the scaled horizon (B, H).</summary>
    public SequenceModel<float> Network { get; }

    /// <summary>The transform between the series and what the network models.</summary>
    public SeriesTransform Transform { get; }

    /// <summary>H.</summary>
    public int Horizon { get; }

    /// <summary>W.</summary>
    public int Window { get; }

    /// <summary>The season length found or given at training.</summary>
    public int Season { get; }

    /// <summary>The target column's name.</summary>
    public string Target { get; }

    /// <summary>The extra feature columns' names.</summary>
    public IReadOnlyList<string> Features { get; }

    /// <summary>The time column used at training ("year+month" for separate columns), or null.</summary>
    public string? TimeColumn { get; }

    /// <summary>The fewest rows a series needs to be forecast.</summary>
    public int MinimumLength => Window + Transform.First;

    /// <summary>The <c>preprocessing.*</c> entries of the model file.</summary>
    public Dictionary<string, string> Preprocessing()
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["task"] = Task,
            ["target"] = Target,
            ["features"] = MetadataWriter.Strings(Features),
            ["time"] = TimeColumn ?? "",
            ["window"] = MetadataWriter.Integer(Window),
            ["horizon"] = MetadataWriter.Integer(Horizon),
            ["season"] = MetadataWriter.Integer(Season),
        };
        Transform.WriteTo(metadata);
        return metadata;
    }

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) => ModelFile.Save(path, Network, Preprocessing());

    /// <summary>Reads a forecasting model file; a file of another kind or with broken settings gets a clear error naming it.</summary>
    public static ForecastModel Load(string path)
    {
        var file = SafeTensorsFile.Read(path);
        var loaded = ModelFile.Load<float>(file);
        return FromLoaded(loaded, file.Source);
    }

    /// <summary>Builds the forecaster from a loaded model file.</summary>
    public static ForecastModel FromLoaded(LoadedModel<float> loaded, string source)
    {
        if (loaded.Task != Task)
        {
            throw new SafeTensorsFormatException(source, $"this model's task is '{loaded.Task}', not a forecasting model");
        }

        var settings = loaded.Settings(source);
        var transform = SeriesTransform.ReadFrom(settings);
        string[] features = settings.Strings("features");
        int horizon = settings.Integer("horizon", 1), window = settings.Integer("window", 1);
        var options = loaded.Model.Options;
        if (features.Length != transform.FeatureMeans.Length || options.Recurrent.InputSize != 1 + features.Length
            || options.OutputSize != horizon || options.Pooling != Pooling.Last || options.VocabularySize != 0)
        {
            throw new SafeTensorsFormatException(source,
                $"the network (input size {options.Recurrent.InputSize}, {options.OutputSize} outputs) does not fit the preprocessing " +
                $"({features.Length} extra feature(s), horizon {horizon})");
        }

        string? time = settings.NullableText("time");
        return new ForecastModel(loaded.Model, transform, horizon, window, settings.Integer("season", 1), settings.Text("target"), features, time);
    }

    /// <summary>Forecasts the <see cref="Horizon"/> steps after the end of <paramref name="data"/>.</summary>
    public double[] ForecastNext(SeriesData data)
    {
        RequireFits(data);
        double[] levels = Transform.Levels(data.Values);
        return ForecastAt(levels, Transform.Scaled(levels), Transform.ScaledFeatures(data.Features), [data.Length]);
    }

    /// <summary>
    /// Holds out the last <see cref="Horizon"/> values of <paramref name="data"/>, forecasts them from the values before, and
    /// scores the forecast (MASE scaled by the seasonal naive errors of the values before, as training's test scores it).
    /// </summary>
    /// <exception cref="ArgumentException">The series is too short to hold out a horizon and still fill a window.</exception>
    public ForecastMetrics EvaluateLastHorizon(SeriesData data)
    {
        int origin = data.Length - Horizon;
        if (origin < MinimumLength || origin <= Season)
        {
            throw new ArgumentException(
                $"{data.Source}: {data.Length} rows; scoring the last {Horizon} needs at least {Math.Max(MinimumLength, Season + 1) + Horizon}");
        }

        double[] levels = Transform.Levels(data.Values);
        double[] predicted = ForecastAt(levels, Transform.Scaled(levels), Transform.ScaledFeatures(data.Features), [origin]);
        return ForecastMetrics.Compute(data.Values.AsSpan(origin), predicted, data.Values.AsSpan(0, origin), Season);
    }

    /// <summary>
    /// What the network reads to forecast after the end of <paramref name="data"/> (see <see cref="ForecastNext"/>): the last
    /// <see cref="Window"/> steps after the transform, (1, W, C), channel 0 the modelled target, then the scaled features.
    /// Step j is row N − W + j of the series.
    /// </summary>
    public Tensor<float> LastWindow(SeriesData data)
    {
        RequireFits(data);
        return Windows(Transform.Scaled(Transform.Levels(data.Values)), Transform.ScaledFeatures(data.Features), [data.Length]);
    }

    /// <summary>The horizons forecast from each origin (the first forecast index), concatenated: (M·H) values of the series.</summary>
    internal double[] ForecastAt(double[] levels, double[] modelled, double[] features, int[] origins)
    {
        double[] outputs = Network.Forward(Windows(modelled, features, origins)).Prediction.ToDoubles(); // (M, H)
        var values = new double[origins.Length * Horizon]; // (M·H)
        for (int m = 0; m < origins.Length; m++)
        {
            Transform.Restore(outputs.AsSpan(m * Horizon, Horizon), levels.AsSpan(0, origins[m])).CopyTo(values, m * Horizon);
        }

        return values;
    }

    /// <summary>The network's input windows ending just before each origin: (M, W, C).</summary>
    private Tensor<float> Windows(double[] modelled, double[] features, int[] origins)
    {
        int channels = 1 + Features.Count;
        var inputs = Tensor<float>.Zeros(origins.Length, Window, channels); // (M, W, C)
        for (int m = 0; m < origins.Length; m++)
        {
            ForecastKernels.Window<float>(modelled, features, Features.Count, origins[m], Window,
                inputs.Span.Slice(m * Window * channels, Window * channels), Span<float>.Empty);
        }

        return inputs;
    }

    private void RequireFits(SeriesData data)
    {
        if (data.Length < MinimumLength)
        {
            throw new ArgumentException($"{data.Source}: {data.Length} rows are too few; this model reads a window of {Window} steps and needs at least {MinimumLength} rows.");
        }

        if (data.FeatureNames.Count != Features.Count)
        {
            static string Names(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
            throw new ArgumentException($"{data.Source}: this model reads the extra feature(s) {Names(Features)}, but the series has {Names(data.FeatureNames)}.");
        }
    }
}
