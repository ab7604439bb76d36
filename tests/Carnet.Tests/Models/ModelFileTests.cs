using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;

namespace Carnet.Tests.Models;

/// <summary>Model files: byte-identical round trips, same predictions after loading, and a clear error for every bad file.</summary>
public sealed class ModelFileTests
{
    public static TheoryData<string> Configurations => ["lstm-embedding", "gru-bidirectional-mean", "rnn-relu-max", "lstm-projection-none", "lstm-bidirectional-attention"];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void SaveLoadSaveIsByteIdenticalAndPredictsTheSame(string name)
    {
        var model = new SequenceModel<float>(Options(name), new RandomSource(3));
        var batch = Batch(model, new RandomSource(4));
        byte[] first = ModelFile.Serialize(model, new Dictionary<string, string> { ["scaling.mean"] = "12.5", ["vocabulary"] = "[\"a\",\"b\"]" });
        string path = Path.Combine(Path.GetTempPath(), $"carnet-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllBytes(path, first);
            var loaded = ModelFile.Load<float>(path);
            Assert.Equal("12.5", loaded.Preprocessing["scaling.mean"]);
            Assert.Equal(first, ModelFile.Serialize(loaded.Model, loaded.Preprocessing));
            Assert.Equal(model.Forward(batch).Prediction.ToDoubles(), loaded.Model.Forward(batch).Prediction.ToDoubles());
            Assert.Equal(model.Options, loaded.Model.Options);
        }
        finally
        {
            File.Delete(path);
        }

        long parameters = model.Modules.Sum(m => (long)m.Module.ParameterValues.Length);
        Assert.Equal(parameters, ModelFile.ParameterCount(model.Options));
    }

    [Fact]
    public void SaveIsAtomicAndLeavesNoTemporaryFile()
    {
        var model = new SequenceModel<float>(Options("lstm-embedding"), new RandomSource(1));
        string folder = Directory.CreateTempSubdirectory("carnet-").FullName;
        string path = Path.Combine(folder, "model.safetensors");
        try
        {
            File.WriteAllText(path, "an older file");
            ModelFile.Save(path, model);
            Assert.Equal(ModelFile.Serialize(model), File.ReadAllBytes(path));
            Assert.Equal(["model.safetensors"], Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("missing", "tensor 'rnn.weight_hh_l0': missing; the model needs it with shape [28, 7]")]
    [InlineData("extra", "tensor 'rnn.weight_hh_l9': not a parameter of this LSTM model (1 unexpected tensor(s): rnn.weight_hh_l9)")]
    [InlineData("misshaped", "tensor 'head.weight': shape [2, 7], but the model needs [3, 7]")]
    [InlineData("version", "format_version '2' is not supported; this Carnet reads version 1")]
    [InlineData("format", "not a Carnet model file (metadata 'format' is 'absent'")]
    [InlineData("huge", "metadata 'rnn.hidden_size' is '2147483648'; expected an integer from 1 to 1048576")]
    [InlineData("big", "the configuration needs")]
    [InlineData("flag", "metadata 'rnn.bidirectional' is 'yes'; expected 'true' or 'false'")]
    [InlineData("inconsistent", "ProjectionSize (9) must be smaller than HiddenSize (7)")]
    [InlineData("attention-missing", "tensor 'attention.weight': missing; the model needs it with shape [1, 7]")]
    [InlineData("attention-extra", "not a parameter of this LSTM model (2 unexpected tensor(s): attention.weight, attention.bias)")]
    public void BadFilesAreRejectedWithTheirProblemNamed(string kind, string message)
    {
        var model = new SequenceModel<float>(Options("lstm-embedding"), new RandomSource(1));
        var file = SafeTensorsFile.Parse(ModelFile.Serialize(model), "model.safetensors");
        var tensors = file.Tensors.ToList();
        var meta = file.Metadata.ToDictionary(p => p.Key, p => p.Value);
        switch (kind)
        {
            case "missing": tensors.RemoveAll(t => t.Name == "rnn.weight_hh_l0"); break;
            case "extra": tensors.Add(SafeTensor.FromSingle("rnn.weight_hh_l9", [1f], 1)); break;
            case "misshaped": tensors[tensors.FindIndex(t => t.Name == "head.weight")] = SafeTensor.FromSingle("head.weight", new float[14], 2, 7); break;
            case "version": meta["format_version"] = "2"; break;
            case "format": meta.Remove("format"); break;
            case "huge": meta["rnn.hidden_size"] = "2147483648"; break;
            case "big": meta["rnn.hidden_size"] = "1048576"; break;
            case "flag": meta["rnn.bidirectional"] = "yes"; break;
            case "inconsistent": meta["rnn.proj_size"] = "9"; break;
            case "attention-missing": meta["pool"] = "attention"; break;
            case "attention-extra":
                tensors.Add(SafeTensor.FromSingle("attention.weight", new float[7], 1, 7));
                tensors.Add(SafeTensor.FromSingle("attention.bias", [0f], 1));
                break;
        }

        var bad = SafeTensorsFile.Parse(SafeTensorsWriter.Serialize(tensors, meta), "model.safetensors");
        var error = Assert.Throws<SafeTensorsFormatException>(() => ModelFile.Load<float>(bad));
        Assert.StartsWith("model.safetensors", error.Message);
        Assert.Contains(message, error.Message);
    }

    internal static SequenceModelOptions Options(string name) => name switch
    {
        "lstm-embedding" => new SequenceModelOptions
        {
            Recurrent = new RecurrentOptions { InputSize = 4, HiddenSize = 7, NumLayers = 2 }, VocabularySize = 11, PaddingIndex = 0, OutputSize = 3,
        },
        "gru-bidirectional-mean" => new SequenceModelOptions
        {
            Cell = RecurrentCellKind.Gru, Recurrent = new RecurrentOptions { InputSize = 3, HiddenSize = 5, Bidirectional = true, Dropout = 0.25 },
            Pooling = Pooling.Mean, OutputSize = 2,
        },
        "rnn-relu-max" => new SequenceModelOptions
        {
            Cell = RecurrentCellKind.Rnn, Recurrent = new RecurrentOptions { InputSize = 2, HiddenSize = 6, Nonlinearity = RnnNonlinearity.Relu, Bias = false },
            Pooling = Pooling.Max, OutputSize = 1,
        },
        "lstm-bidirectional-attention" => new SequenceModelOptions
        {
            Recurrent = new RecurrentOptions { InputSize = 3, HiddenSize = 5, Bidirectional = true, NumLayers = 2 }, Pooling = Pooling.Attention, OutputSize = 2,
        },
        _ => new SequenceModelOptions
        {
            Recurrent = new RecurrentOptions { InputSize = 3, HiddenSize = 6, ProjectionSize = 2, Bidirectional = true, NumLayers = 2 },
            Pooling = Pooling.None, OutputSize = 4,
        },
    };

    internal static SequenceBatch<float> Batch(SequenceModel<float> model, RandomSource random)
    {
        if (model.Embedding is not null)
        {
            int[] tokens = Enumerable.Range(0, 3 * 5).Select(_ => random.NextInt(model.Options.VocabularySize)).ToArray();
            return SequenceBatch<float>.FromTokens(tokens, 3, 5, [5, 2, 4]);
        }

        var features = Tensor<float>.Zeros(3, 5, model.Options.Recurrent.InputSize);
        random.FillGaussian(features.Span, 0, 1);
        return SequenceBatch<float>.FromFeatures(features, [5, 2, 4]);
    }
}
