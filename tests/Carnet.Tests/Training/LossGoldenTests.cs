using System.Globalization;
using System.Numerics;
using Carnet.IO;
using Carnet.Tests.Support;
using Carnet.Training;
using Xunit.Abstractions;

namespace Carnet.Tests.Training;

/// <summary>
/// Parity with PyTorch for every loss reference file (tests/golden/losses/*.safetensors, made by
/// tests/golden/generate_losses.py): the call is rebuilt from the file's metadata and the reduced loss, the unreduced
/// losses and the gradient are compared — within 1e-12 in double and 1e-6 in float (absolute, relative above 1).
/// </summary>
public sealed class LossGoldenTests(ITestOutputHelper output)
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "golden", "losses");

    /// <summary>Every reference file, by file name only, so each test's display name shows it.</summary>
    public static TheoryData<string> Files => new(FileNames());

    private static string[] FileNames()
    {
        if (!Directory.Exists(Folder))
        {
            throw new DirectoryNotFoundException($"Loss golden folder '{Folder}' does not exist.");
        }

        return Directory.GetFiles(Folder, "*.safetensors")
            .Select(path => Path.GetFileName(path))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    [Fact]
    public void EveryLossAndOptionHasAReferenceFile()
    {
        var files = FileNames().ToHashSet(StringComparer.Ordinal);
        Assert.True(files.Count >= 30, $"only {files.Count} loss reference files");
        string[] prefixes =
        [
            "mse_", "l1_", "huber_delta0.5_", "huber_delta2_", "ce_ignore_", "ce_weights_", "ce_smooth_weights_ignore_",
            "ce_all_ignored_", "bce_pos_weight_", "bce_weight_",
        ];
        foreach (string prefix in prefixes)
        {
            Assert.Contains(files, file => file.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void DoubleMatchesPyTorch(string file) => Check<double>(file, 1e-12);

    [Theory]
    [MemberData(nameof(Files))]
    public void FloatMatchesPyTorch(string file) => Check<float>(file, 1e-6);

    private void Check<T>(string file, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var golden = SafeTensorsFile.Read(Path.Combine(Folder, file));
        var meta = golden.Metadata;
        Tensor<T> Load(string name) => Tensor<T>.FromDoubles(golden[name].ToDoubleArray(), golden[name].Shape.ToArray());
        Tensor<T>? LoadOptional(string name) => golden.Contains(name) ? Load(name) : null;

        var input = Load("input");
        var gradient = Tensor<T>.Zeros(input.Shape.ToArray());
        gradient.Span.Fill(T.CreateTruncating(7));  // the loss must overwrite, not accumulate
        var expectedNone = Load("loss_none");
        var unreduced = Tensor<T>.Zeros(expectedNone.Shape.ToArray());
        var reduction = meta["reduction"] switch
        {
            "mean" => Reduction.Mean,
            "sum" => Reduction.Sum,
            string other => throw new InvalidDataException($"{file}: unknown reduction '{other}'."),
        };

        T loss = meta["loss"] switch
        {
            "mse" => Losses.MeanSquaredError(input, Load("target"), gradient, reduction, unreduced),
            "l1" => Losses.L1Loss(input, Load("target"), gradient, reduction, unreduced),
            "huber" => Losses.HuberLoss(input, Load("target"), gradient, Real(meta["delta"]), reduction, unreduced),
            "cross_entropy" => Losses.CrossEntropy(
                input, golden["target"].ToInt32Array(), gradient, reduction, LoadOptional("weight"),
                int.Parse(meta["ignore_index"], CultureInfo.InvariantCulture), Real(meta["label_smoothing"]), unreduced),
            "bce_with_logits" => Losses.BinaryCrossEntropyWithLogits(
                input, Load("target"), gradient, reduction, LoadOptional("weight"), LoadOptional("pos_weight"), unreduced),
            string other => throw new InvalidDataException($"{file}: unknown loss '{other}'."),
        };

        double expectedLoss = golden["loss"].ToDoubleArray()[0];
        double actualLoss = double.CreateTruncating(loss);
        double lossError;
        if (double.IsNaN(expectedLoss))
        {
            Assert.True(double.IsNaN(actualLoss), $"loss: got {actualLoss:R}, PyTorch NaN");
            lossError = 0;
        }
        else
        {
            lossError = Close.Assert("loss", [expectedLoss], [actualLoss], tolerance);
        }

        double noneError = Close.Assert("loss_none", expectedNone, unreduced, tolerance);
        double gradientError = Close.Assert("grad.input", Load("grad.input"), gradient, tolerance);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{file} {typeof(T).Name}: loss {actualLoss:R}, errors: loss {lossError:E2}, unreduced {noneError:E2}, gradient {gradientError:E2}"));
    }

    private static double Real(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
