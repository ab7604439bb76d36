using Carnet.IO;

namespace Carnet.Tests.IO;

/// <summary>Reads the PyTorch-produced reference files in tests/golden.</summary>
public class SafeTensorsGoldenTests
{
    private static readonly string GoldenDirectory = Path.Combine(AppContext.BaseDirectory, "golden");

    public static TheoryData<string> GoldenFiles() => new(GoldenRelativePaths());

    private static string[] GoldenRelativePaths() =>
        Directory.EnumerateFiles(GoldenDirectory, "*.safetensors", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(GoldenDirectory, path))
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static string GoldenPath(string relative) => Path.Combine(GoldenDirectory, relative);

    [Fact]
    public void GoldenFilesArePresent()
    {
        string[] names = GoldenRelativePaths();
        Assert.True(names.Length >= 19, $"only {names.Length} golden files found in {GoldenDirectory}");
        Assert.Contains("lstm_basic.safetensors", names);
        Assert.Contains(Path.Combine("training", "train_lstm_tagger_adamw.safetensors"), names);
    }

    [Fact]
    public void LstmBasicHasItsMetadataTensorsAndValues()
    {
        string path = GoldenPath("lstm_basic.safetensors");
        SafeTensorsFile file = SafeTensorsFile.Read(path);

        Assert.Equal(path, file.Source);
        Assert.Equal("LSTM", file.Metadata["module"]);
        Assert.Equal("3", file.Metadata["input_size"]);
        Assert.Equal("5", file.Metadata["hidden_size"]);
        Assert.Equal("false", file.Metadata["packed"]);
        Assert.Equal(14, file.Metadata.Count);
        Assert.Equal(20, file.Tensors.Count);
        Assert.Equal(
            new[] { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "h0", "c0", "output" },
            file.Tensors.Take(8).Select(t => t.Name));

        SafeTensor weights = file["weight_ih_l0"];
        Assert.Equal(SafeTensorDType.F32, weights.DType);
        Assert.Equal(new[] { 20, 3 }, weights.Shape);
        Assert.Equal(60, weights.ElementCount);
        float[] values = weights.ToSingleArray();
        Assert.Equal(60, values.Length);
        Assert.Equal(0x3E6BF68D, BitConverter.SingleToInt32Bits(values[0]));
        Assert.Equal(0.23043270409107208f, values[0]);
        Assert.Equal(-0.1973903477191925f, values[1]);
        Assert.Equal(0.1387959122657776f, values[^1]);

        float[] bias = file["bias_hh_l0"].ToSingleArray();
        Assert.Equal(-0.11183176189661026f, bias[0]);
        Assert.Equal(-0.3130186200141907f, bias[^1]);

        SafeTensor cellState = file["c_n"];
        Assert.Equal(new[] { 1, 2, 5 }, cellState.Shape);
        double[] cells = cellState.ToDoubleArray();
        Assert.Equal((double)-0.2271190583705902f, cells[0]);
        Assert.Equal((double)0.5935499668121338f, cells[^1]);
        Assert.Equal(new[] { 7, 2, 3 }, file["grad.input"].Shape);
    }

    [Theory]
    [InlineData("gru_packed_batch_first.safetensors", new long[] { 2, 6, 4 })]
    [InlineData("lstm_packed_bidirectional.safetensors", new long[] { 7, 3, 5, 1 })]
    public void PackedFilesHaveInt64Lengths(string name, long[] expected)
    {
        SafeTensorsFile file = SafeTensorsFile.Read(GoldenPath(name));

        SafeTensor lengths = file["lengths"];
        Assert.Equal(SafeTensorDType.I64, lengths.DType);
        Assert.Equal(new[] { expected.Length }, lengths.Shape);
        Assert.Equal(expected, lengths.ToInt64Array());
        Assert.Equal(expected.Select(v => (int)v), lengths.ToInt32Array());
        Assert.Equal("true", file.Metadata["packed"]);
        Assert.Equal(expected.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), file.Metadata["batch"]);
    }

    [Fact]
    public void TrainingFileHasTokenIdsLabelsAndLossTrajectory()
    {
        SafeTensorsFile file = SafeTensorsFile.Read(GoldenPath(Path.Combine("training", "train_gru_bidir_ce_sgd_momentum.safetensors")));

        Assert.Equal("GRU", file.Metadata["cell"]);
        Assert.Equal("sgd", file.Metadata["optimizer"]);
        SafeTensor tokens = file["x"];
        Assert.Equal(SafeTensorDType.I64, tokens.DType);
        Assert.Equal(new[] { 5, 7 }, tokens.Shape);
        Assert.Equal(new long[] { 6, 0, 6, 0, 5, 5, 3, 7, 8, 3, 1, 3 }, tokens.ToInt64Array()[..12]);
        Assert.Equal(new long[] { 2, 1, 2, 0, 2 }, file["y"].ToInt64Array());
        float[] losses = file["loss_trajectory"].ToSingleArray();
        Assert.Equal(10, losses.Length);
        Assert.Equal(1.1946724653244019f, losses[0]);
        Assert.Equal(0.8740113377571106f, losses[^1]);
        var rejected = Assert.Throws<InvalidOperationException>(file["loss_trajectory"].ToInt64Array);
        Assert.Contains("'loss_trajectory'", rejected.Message);
    }

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void EveryGoldenFileReadsAndSurvivesRewriting(string relative)
    {
        string path = GoldenPath(relative);
        byte[] original = File.ReadAllBytes(path);
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        SafeTensorsFile parsed = SafeTensorsFile.Parse(original, relative);

        Assert.Equal("1.13.0a0", file.Metadata["torch_version"]);
        Assert.Equal("float64", file.Metadata["computed_in"]);
        Assert.NotEmpty(file.Tensors);
        long dataBytes = 0;
        foreach (SafeTensor tensor in file.Tensors)
        {
            Assert.True(tensor.DType is SafeTensorDType.F32 or SafeTensorDType.F64 or SafeTensorDType.I64, $"{tensor.Name} has {tensor.DType}");
            Assert.Equal(tensor.ElementCount * tensor.DType.GetElementSize(), tensor.Data.Length);
            Assert.Equal(tensor.Shape.Aggregate(1L, (product, d) => product * d), tensor.ElementCount);
            if (tensor.DType == SafeTensorDType.F32)
            {
                Assert.All(tensor.ToSingleArray(), v => Assert.True(float.IsFinite(v)));
            }
            else if (tensor.DType == SafeTensorDType.F64 && !relative.Contains("all_ignored", StringComparison.Ordinal)) // PyTorch gives NaN when every target is ignored
            {
                Assert.All(tensor.ToDoubleArray(), v => Assert.True(double.IsFinite(v), $"{tensor.Name} holds {v}"));
            }

            Assert.Equal(tensor.Data.ToArray(), parsed[tensor.Name].Data.ToArray());
            dataBytes += tensor.Data.Length;
        }

        Assert.Equal(original.Length - 8 - BitConverter.ToInt64(original, 0), dataBytes);

        byte[] rewritten = SafeTensorsWriter.Serialize(file.Tensors, file.Metadata);
        SafeTensorsFile reread = SafeTensorsFile.Parse(rewritten, "rewritten");
        Assert.Equal(file.Tensors.Select(t => t.Name), reread.Tensors.Select(t => t.Name));
        Assert.Equal(file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), reread.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        foreach (SafeTensor tensor in file.Tensors)
        {
            SafeTensor copy = reread[tensor.Name];
            Assert.Equal(tensor.DType, copy.DType);
            Assert.Equal(tensor.Shape, copy.Shape);
            Assert.Equal(tensor.Data.ToArray(), copy.Data.ToArray());
        }

        Assert.Equal(rewritten, SafeTensorsWriter.Serialize(reread.Tensors, reread.Metadata));
    }
}
