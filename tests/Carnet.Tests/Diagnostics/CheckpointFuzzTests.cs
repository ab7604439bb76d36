using Carnet.Cli.Diagnostics;
using Carnet.Models;
using Carnet.Tasks.Data;
using Carnet.Tasks.Forecasting;
using Carnet.Training;

namespace Carnet.Tests.Diagnostics;

/// <summary>A checkpoint mutated thousands of ways is resumed from cleanly or rejected with one clear error, never another exception.</summary>
public sealed class CheckpointFuzzTests
{
    [Fact]
    public void EveryMutatedCheckpointIsRejectedCleanlyOrRestoresConsistently()
    {
        string folder = Directory.CreateTempSubdirectory("carnet-fuzz-").FullName;
        try
        {
            string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
            var series = SeriesData.FromTable(CsvTable.Read(Training.SeriesDemoTests.AirPassengers));
            var outcome = Forecaster.Fit(series, new ForecastOptions { Epochs = 2, HiddenSize = 4, CheckpointPath = checkpoint });
            var options = outcome.Model.Network.Options;
            byte[] valid = File.ReadAllBytes(checkpoint);
            string mutated = Path.Combine(folder, "mutated.safetensors");

            var report = ModelFileFuzzer.Run(valid, iterations: 1500, seed: 5, mutated, bytes =>
            {
                File.WriteAllBytes(mutated, bytes);
                var model = new SequenceModel<float>(options, new RandomSource(1));
                var optimizer = new Adam<float>(model.Modules.Select(m => m.Module));
                var state = Checkpoint.Load(mutated, model, optimizer, null);
                if (state.BestWeights is { } best)
                {
                    for (int m = 0; m < best.Length; m++)
                    {
                        best[m].CopyTo(model.Modules[m].Module.ParameterValues); // what Fit does with them at the end
                    }
                }
            });

            Assert.Empty(report.Failures);
            Assert.True(report.Rejected > 500, $"only {report.Rejected} rejected");
            Assert.True(report.Loaded > 100, $"only {report.Loaded} restored");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
