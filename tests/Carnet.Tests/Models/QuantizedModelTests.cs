using Carnet.IO;
using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Models;

namespace Carnet.Tests.Models;

/// <summary>
/// Int8 models: what quantising does to each weight, the file it saves (I8 rows, F32 scales, the scheme in the metadata)
/// and its strict reading, the same numbers through every path, and training refused.
/// </summary>
public sealed class QuantizedModelTests
{
    private static SequenceModelOptions Options(int hidden = 64, Pooling pooling = Pooling.Attention) => new()
    {
        Cell = RecurrentCellKind.Lstm,
        Recurrent = new RecurrentOptions { InputSize = 64, HiddenSize = hidden, NumLayers = 2 },
        VocabularySize = 30,
        OutputSize = 5,
        Pooling = pooling,
    };

    private static int[] TokenIds(int count, int seed)
    {
        var random = new RandomSource((ulong)seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.NextInt(30))];
    }

    private static SequenceBatch<float> Tokens(int batch, int steps, int seed) => SequenceBatch<float>.FromTokens(TokenIds(batch * steps, seed), batch, steps);

    [Fact]
    public void QuantisingKeepsEachRowsNumbersAsInt8TimesItsScale()
    {
        var model = new SequenceModel<float>(Options(), new RandomSource(3));
        float[] before = model.Recurrent.GetParameter("weight_hh_l1").Value.Span.ToArray();
        var summary = Quantization.Quantize(model.Modules);

        var weight = model.Recurrent.GetParameter("weight_hh_l1"); // (256, 64)
        var expected = new sbyte[before.Length]; // rows of 64 need no padding
        var scales = new float[256];
        Int8Kernels.QuantizeRows(before, 64, expected, scales);
        Assert.True(weight.IsQuantized);
        Assert.Equal(expected.Select((q, i) => q * scales[i / 64]), weight.Value.Span.ToArray());
        Assert.All(scales.Select((s, r) => before.Skip(r * 64).Take(64).Max(MathF.Abs) / 127f), (s, r) => Assert.Equal(s, scales[r]));

        Assert.False(model.Recurrent.GetParameter("bias_ih_l0").IsQuantized);
        Assert.False(model.Embedding!.IsQuantized); // only on request
        Assert.Equal(
            ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.weight_ih_l1", "rnn.weight_hh_l1", "attention.weight", "head.weight"],
            summary.Weights.Select(w => w.Name));
        Assert.Equal(4L * 256 * 64, summary.Weights[1].FloatBytes);
        Assert.Equal((256L * 64) + (256 * 4), summary.Weights[1].QuantizedBytes);
        Assert.InRange(summary.Weights.Take(4).Sum(w => (double)w.QuantizedBytes) / summary.Weights.Take(4).Sum(w => w.FloatBytes), 0.26, 0.27);
    }

    [Fact]
    public void AnInt8LinearLayerComputesTheInt8ProductPlusItsBias()
    {
        var linear = new Linear<float>(37, 9, random: new RandomSource(5));
        float[] weights = linear.Weight.Value.Span.ToArray(), bias = linear.Bias!.Value.Span.ToArray();
        Quantization.Quantize([("", linear)]);
        var input = Tensor<float>.Zeros(3, 37);
        new RandomSource(6).FillGaussian(input.Span, 0, 1);
        var output = linear.Forward(input).Span.ToArray();

        var q = new sbyte[9 * 64]; // rows padded to 64
        var scales = new float[9];
        Int8Kernels.QuantizeRows(weights, 37, q, scales);
        for (int i = 0; i < 3; i++)
        {
            var row = new sbyte[37];
            float rowScale = Int8Kernels.QuantizeActivations(input.Span.Slice(i * 37, 37), row);
            for (int j = 0; j < 9; j++)
            {
                int sum = Enumerable.Range(0, 37).Sum(p => q[(j * 64) + p] * row[p]);
                Assert.Equal(bias[j] + (sum * (scales[j] * rowScale)), output[(i * 9) + j]);
            }
        }
    }

    [Fact]
    public void TheFileHoldsInt8RowsAndScalesAndLoadsToTheSamePredictions()
    {
        var model = new SequenceModel<float>(Options(), new RandomSource(3));
        Quantization.Quantize(model.Modules, includeEmbedding: true);
        var batch = Tokens(3, 11, 4);
        var prediction = model.Forward(batch).Prediction.Span.ToArray();

        byte[] bytes = ModelFile.Serialize(model);
        var file = SafeTensorsFile.Parse(bytes, "int8.safetensors");
        Assert.Equal(Quantization.Scheme, file.Metadata["quantization"]);
        Assert.True(file.TryGetTensor("rnn.weight_ih_l0", out var weight));
        Assert.Equal(SafeTensorDType.I8, weight.DType);
        Assert.True(file.TryGetTensor("rnn.weight_ih_l0_scale", out var scale));
        Assert.Equal((SafeTensorDType.F32, 256), (scale.DType, scale.Shape[0]));
        Assert.True(file.TryGetTensor("embedding.weight", out var embedding));
        Assert.Equal(SafeTensorDType.I8, embedding.DType);
        Assert.True(file.TryGetTensor("rnn.bias_hh_l1", out var bias));
        Assert.Equal(SafeTensorDType.F32, bias.DType);
        Assert.InRange(bytes.Length, 0, 0.3 * ModelFile.Serialize(new SequenceModel<float>(Options(), new RandomSource(3))).Length);

        var loaded = ModelFile.Load<float>(file).Model;
        Assert.True(loaded.Recurrent.GetParameter("weight_hh_l0").IsQuantized);
        Assert.Equal(prediction, loaded.Forward(batch).Prediction.Span.ToArray()); // bit for bit
        Assert.Equal(bytes, ModelFile.Serialize(loaded));

        var inDouble = ModelFile.Load<double>(file).Model; // the numbers the int8 rows stand for, run in double
        Assert.False(Quantization.IsQuantized(inDouble.Modules));
        Assert.Equal(model.Recurrent.ParameterValues.ToArray().Select(v => (double)v), inDouble.Recurrent.ParameterValues.ToArray());
    }

    [Fact]
    public void Int8PredictionsStayCloseToFloatAndAreTheSameThroughEveryPath()
    {
        var model = new SequenceModel<float>(Options(32, Pooling.None), new RandomSource(8));
        var batch = Tokens(4, 9, 2);
        var exact = model.Forward(batch).Prediction.Span.ToArray();
        Quantization.Quantize(model.Modules);
        var quantized = model.Forward(batch).Prediction.Span.ToArray();
        float largest = exact.Zip(quantized).Max(p => Math.Abs(p.First - p.Second));
        Assert.InRange(largest, 1e-6f, 0.02f); // really int8, and close

        float[] oneThread, frozen;
        using (KernelSettings.Use(maximumThreads: 1))
        {
            oneThread = model.Forward(batch).Prediction.Span.ToArray();
        }

        model.Recurrent.Freeze();
        frozen = model.Forward(batch).Prediction.Span.ToArray();
        int[] ids = TokenIds(4 * 9, 2);
        var oneByOne = Enumerable.Range(0, 4)
            .SelectMany(b => model.Forward(SequenceBatch<float>.FromTokens(ids[(b * 9)..((b + 1) * 9)], 1, 9)).Prediction.Span.ToArray()).ToArray();
        Assert.Equal(quantized, oneThread);
        Assert.Equal(quantized, frozen);
        Assert.Equal(quantized, oneByOne);
    }

    [Fact]
    public void TheStreamRunsOnTheLayersOwnInt8Rows()
    {
        var model = new SequenceModel<float>(Options(32, Pooling.None), new RandomSource(8));
        Quantization.Quantize(model.Modules);
        using var stream = new RecurrentStream<float>(model.Recurrent);
        Assert.Equal(WeightPrecision.Int8, stream.Precision);

        var input = Tensor<float>.Zeros(1, 6, 64);
        new RandomSource(1).FillGaussian(input.Span, 0, 1);
        var whole = model.Recurrent.ForwardCore(input, null, null, null, training: false, random: null).Output.Span.ToArray();
        var output = new float[32];
        for (int t = 0; t < 6; t++)
        {
            stream.Step(input.Span.Slice(t * 64, 64), output);
            Assert.Equal(whole.AsSpan(t * 32, 32).ToArray(), output, (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1, Math.Abs(a)));
        }
    }

    [Fact]
    public void TrainingAnInt8ModelIsRefusedByName()
    {
        var model = new SequenceModel<float>(Options(16), new RandomSource(8));
        Quantization.Quantize(model.Modules);
        var error = Assert.Throws<InvalidOperationException>(() => model.Forward(Tokens(2, 3, 1), training: true));
        Assert.Equal("'weight_ih_l0' is an int8 weight, for inference only; train the float model and quantize it again.", error.Message);
        var result = model.Forward(Tokens(2, 3, 1));
        Assert.Throws<InvalidOperationException>(() => model.Backward(result, Tensor<float>.Zeros(2, 5)));
    }

    [Theory]
    [InlineData("bias", "tensor 'rnn.bias_ih_l0': dtype I8, but only the weight matrices of recurrent, linear, attention and embedding layers may be int8")]
    [InlineData("no-scale", "tensor 'head.weight_scale': missing; the int8 weight 'head.weight' needs its row scales, F32 with shape [5]")]
    [InlineData("scale-shape", "tensor 'head.weight_scale': F32 [4], but the row scales of 'head.weight' are F32 [5]")]
    [InlineData("scale-negative", "tensor 'head.weight_scale': scale -1 at row 2; scales must be finite and not negative")]
    [InlineData("minus-128", "tensor 'head.weight': -128 at element 3; symmetric int8 weights lie in [-127, 127]")]
    [InlineData("no-scheme", "tensor 'rnn.weight_ih_l0': dtype I8, but the metadata does not declare quantization 'int8-symmetric-per-row' (it has 'none')")]
    [InlineData("stray-scale", "tensor 'rnn.weight_hh_l0_scale': not a parameter of this LSTM model (1 unexpected tensor(s): rnn.weight_hh_l0_scale)")]
    public void ABadInt8FileIsRefusedNamingTheTensor(string fault, string message)
    {
        var model = new SequenceModel<float>(Options(16), new RandomSource(8));
        Quantization.Quantize(model.Modules);
        var file = SafeTensorsFile.Parse(ModelFile.Serialize(model), "bad.safetensors");
        var tensors = file.Tensors.ToDictionary(t => t.Name);
        var metadata = new Dictionary<string, string>(file.Metadata);
        sbyte[] head = tensors["head.weight"].ToInt8Array();
        switch (fault)
        {
            case "bias":
                tensors["rnn.bias_ih_l0"] = SafeTensor.FromInt8("rnn.bias_ih_l0", new sbyte[64], 64);
                break;
            case "no-scale":
                tensors.Remove("head.weight_scale");
                break;
            case "scale-shape":
                tensors["head.weight_scale"] = SafeTensor.FromSingle("head.weight_scale", [1, 1, 1, 1], 4);
                break;
            case "scale-negative":
                tensors["head.weight_scale"] = SafeTensor.FromSingle("head.weight_scale", [1, 1, -1, 1, 1], 5);
                break;
            case "minus-128":
                head[3] = sbyte.MinValue;
                tensors["head.weight"] = SafeTensor.FromInt8("head.weight", head, 5, 16);
                break;
            case "no-scheme":
                metadata.Remove("quantization");
                break;
            case "stray-scale":
                tensors["rnn.weight_hh_l0"] = SafeTensor.FromSingle("rnn.weight_hh_l0", model.Recurrent.GetParameter("weight_hh_l0").Value.Span, 64, 16);
                break;
        }

        var bad = SafeTensorsFile.Parse(SafeTensorsWriter.Serialize(tensors.Values, metadata), "bad.safetensors");
        var error = Assert.Throws<SafeTensorsFormatException>(() => ModelFile.Load<float>(bad));
        Assert.Equal($"bad.safetensors: {message}", error.Message);
    }
}
