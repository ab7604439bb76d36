using System.Globalization;
using System.Numerics;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>A module holding just the given parameters, to replay PyTorch's optimizer cases on any shapes.</summary>
internal sealed class ParameterBlock<T>(IReadOnlyList<(string Name, int[] Shape)> layout) : Module<T>(layout)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// The reference files of tests/golden/optimizers (made by generate_optimizers.py): optim_*, clip_* and schedule_*
/// cases, F64 tensors, configuration in the metadata as Python writes it ("True", "(0.8, 0.99)", "1e-06").
/// </summary>
internal static class OptimizerGolden
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "golden", "optimizers");

    /// <summary>The file names (not paths) starting with <paramref name="prefix"/>, so a theory's display name shows each.</summary>
    public static TheoryData<string> Files(string prefix)
    {
        var data = new TheoryData<string>();
        foreach (string file in AllFiles().Where(f => f.StartsWith(prefix, StringComparison.Ordinal)))
        {
            data.Add(file);
        }

        return data;
    }

    /// <summary>Every file name in the folder.</summary>
    public static IReadOnlyList<string> AllFiles()
    {
        if (!Directory.Exists(Folder))
        {
            throw new DirectoryNotFoundException($"Golden folder '{Folder}' does not exist.");
        }

        return Directory.GetFiles(Folder, "*.safetensors").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
    }

    public static SafeTensorsFile Read(string file) => SafeTensorsFile.Read(Path.Combine(Folder, file));

    public static double Real(this IReadOnlyDictionary<string, string> meta, string key, double fallback = double.NaN)
        => meta.TryGetValue(key, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public static int Integer(this IReadOnlyDictionary<string, string> meta, string key)
        => int.Parse(meta[key], CultureInfo.InvariantCulture);

    public static bool Flag(this IReadOnlyDictionary<string, string> meta, string key)
        => meta.TryGetValue(key, out var text) && text == "True";

    /// <summary>A Python tuple such as "(0.8, 0.99)", or the fallback when the key is absent.</summary>
    public static double[] Tuple(this IReadOnlyDictionary<string, string> meta, string key, params double[] fallback)
        => meta.TryGetValue(key, out var text)
            ? text.Trim('(', ')').Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()
            : fallback;

    /// <summary>
    /// The modules of a file's parameters: the tensors <c>{prefix}{module}.{name}</c>, grouped by module in file order,
    /// with their values loaded (m0.weight, m0.bias → module 0; m1.weight → module 1).
    /// </summary>
    public static List<ParameterBlock<T>> Modules<T>(SafeTensorsFile file, string prefix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var groups = file.Tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))
            .GroupBy(t => t.Name[prefix.Length..].Split('.')[0]);
        var modules = new List<ParameterBlock<T>>();
        foreach (var group in groups)
        {
            var tensors = group.ToList();
            var module = new ParameterBlock<T>(tensors.Select(t => (t.Name[(prefix.Length + group.Key.Length + 1)..], t.Shape.ToArray())).ToList());
            Load(tensors.SelectMany(t => t.ToDoubleArray()).ToArray(), module.ParameterValues.Span);
            modules.Add(module);
        }

        return modules;
    }

    /// <summary>The tensors <c>{prefix}{module}.{name}</c> of one module, concatenated in the module's order: its flat block.</summary>
    public static double[] Block<T>(SafeTensorsFile file, string prefix, string moduleName, Module<T> module)
        where T : unmanaged, IFloatingPointIeee754<T>
        => module.Parameters.SelectMany(p => file[$"{prefix}{moduleName}.{p.Name}"].ToDoubleArray()).ToArray();

    public static void Load<T>(ReadOnlySpan<double> values, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(destination.Length, values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = T.CreateTruncating(values[i]);
        }
    }

    public static double[] ToDoubles<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = double.CreateTruncating(values[i]);
        }

        return result;
    }

    /// <summary>The optimizer a file's metadata describes (torch.optim name and keyword arguments; PyTorch's defaults where absent).</summary>
    public static Optimizer<T> CreateOptimizer<T>(IReadOnlyDictionary<string, string> meta, IEnumerable<Module<T>> modules)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double lr = meta.Real("lr");
        double weightDecay = meta.Real("weight_decay", 0);
        double[] betas = meta.Tuple("betas", 0.9, 0.999);
        return meta["optimizer"] switch
        {
            "SGD" => new Sgd<T>(modules, lr, meta.Real("momentum", 0), meta.Real("dampening", 0), weightDecay, meta.Flag("nesterov")),
            "Adam" => new Adam<T>(modules, lr, betas[0], betas[1], meta.Real("eps", 1e-8), weightDecay, meta.Flag("amsgrad")),
            "AdamW" => new AdamW<T>(modules, lr, betas[0], betas[1], meta.Real("eps", 1e-8), meta.Real("weight_decay", 1e-2), meta.Flag("amsgrad")),
            "RMSprop" => new RmsProp<T>(modules, lr, meta.Real("alpha", 0.99), meta.Real("eps", 1e-8), weightDecay,
                meta.Real("momentum", 0), meta.Flag("centered")),
            var other => throw new InvalidOperationException($"Unknown optimizer '{other}'."),
        };
    }
}

/// <summary>Comparison with the largest error kept, for the report.</summary>
internal sealed class ErrorTally
{
    /// <summary>max |a − e| / max(1, |e|): the repository's rule (absolute below 1, relative above).</summary>
    public double Worst { get; private set; }

    /// <summary>max |a − e| / |e| over elements with e ≠ 0: the plain relative error.</summary>
    public double WorstRelative { get; private set; }

    public int Compared { get; private set; }

    public int Identical { get; private set; }

    public void Check(string name, ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance)
    {
        Assert.True(expected.Length == actual.Length, $"{name}: {actual.Length} values, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs(actual[i] - expected[i]);
            double error = difference / Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(error <= tolerance, string.Create(CultureInfo.InvariantCulture,
                $"{name}[{i}]: got {actual[i]:R}, expected {expected[i]:R} (error {error:E2} > {tolerance:E0})."));
            Worst = Math.Max(Worst, error);
            if (expected[i] != 0)
            {
                WorstRelative = Math.Max(WorstRelative, difference / Math.Abs(expected[i]));
            }

            Compared++;
            Identical += actual[i].Equals(expected[i]) ? 1 : 0;
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"max error {Worst:E2} (plain relative {WorstRelative:E2}); {Identical}/{Compared} values bit-identical");
}
