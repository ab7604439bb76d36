using Carnet.IO;
using Carnet.Models;
using Carnet.Tasks.Data;
using Carnet.Tasks.Forecasting;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>A checkpoint's <c>trainer.*</c> entries are read strictly, each problem named with the file and the key.</summary>
public sealed class CheckpointMetadataTests
{
    [Theory]
    [InlineData("trainer.stopped", "maybe", "metadata 'trainer.stopped' is 'maybe'; expected 'true' or 'false'")]
    [InlineData("trainer.stopped_early", "", "metadata 'trainer.stopped_early' is ''; expected 'true' or 'false'")]
    [InlineData("trainer.best_epoch", "0", "metadata 'trainer.best_epoch' is '0'; expected 'none' or an integer from 1 to 2147483647")]
    [InlineData("trainer.best_validation_loss", "low", "metadata 'trainer.best_validation_loss' is 'low'; expected 'none' or a number")]
    [InlineData("trainer.best_epoch", null, "metadata has no 'trainer.best_epoch'; a Carnet checkpoint needs it")]
    [InlineData("format", "carnet-sequence-model", "not a Carnet checkpoint file (metadata 'format' is 'carnet-sequence-model', expected 'carnet-checkpoint')")]
    public void AMalformedTrainerEntryIsRefusedWithItsKeyNamed(string key, string? value, string problem)
    {
        string folder = Directory.CreateTempSubdirectory("carnet-checkpoint-").FullName;
        try
        {
            string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
            var series = SeriesData.FromTable(CsvTable.Read(SeriesDemoTests.AirPassengers));
            var outcome = Forecaster.Fit(series, new ForecastOptions { Epochs = 1, HiddenSize = 4, CheckpointPath = checkpoint });
            var file = SafeTensorsFile.Read(checkpoint);
            var metadata = file.Metadata.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var (model, optimizer) = Fresh(outcome.Model.Network.Options);
            Assert.Equal(1, Checkpoint.Load(checkpoint, model, optimizer, null).BestEpoch);

            if (value is null)
            {
                metadata.Remove(key);
            }
            else
            {
                metadata[key] = value;
            }

            SafeTensorsWriter.Write(checkpoint, file.Tensors, metadata);
            (model, optimizer) = Fresh(outcome.Model.Network.Options);
            var error = Assert.Throws<SafeTensorsFormatException>(() => Checkpoint.Load(checkpoint, model, optimizer, null));
            Assert.Equal($"{checkpoint}: {problem}", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (SequenceModel<float> Model, Adam<float> Optimizer) Fresh(SequenceModelOptions options)
    {
        var model = new SequenceModel<float>(options, new RandomSource(1));
        return (model, new Adam<float>(model.Modules.Select(m => m.Module)));
    }
}
