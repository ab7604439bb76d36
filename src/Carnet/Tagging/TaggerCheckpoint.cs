using System.Globalization;
using Carnet.IO;
using Carnet.Kernels;
using Carnet.Training;

namespace Carnet.Tagging;

/// <summary>
/// A tagger's training checkpoint: the network's tensors, Adam's state (<c>optimizer.*</c>), the schedule's
/// (<c>schedule.state</c>), the random generator's (<c>trainer.random</c>), the epoch history (<c>trainer.history</c>, one
/// row of epoch, loss, validation loss, learning rate per epoch) and the best weights so far (<c>best.*</c>), with the
/// model file's metadata (format <c>carnet-tagger-checkpoint</c>), so a resumed run is checked to train the same network on
/// the same vocabularies. Written atomically.
/// </summary>
internal static class TaggerCheckpoint
{
    public const string Format = "carnet-tagger-checkpoint";

    public static void Save(string path, TaggerNetwork<float> network, TaggerVocabulary vocabulary, Optimizer<float> optimizer,
        LearningRateSchedule schedule, TrainingState<float> state)
    {
        var tensors = network.Modules.SelectMany(m => StateDictionary.Save(m.Module, m.Prefix)).ToList();
        tensors.AddRange(optimizer.SaveState("optimizer."));
        double[] scheduleState = schedule.GetState();
        tensors.Add(SafeTensor.FromDouble("schedule.state", scheduleState, scheduleState.Length));
        tensors.Add(SafeTensor.FromInt64("trainer.random", state.Random.GetState().Select(w => unchecked((long)w)).ToArray(), 4));
        double[] history = state.Epochs.SelectMany(e => new[] { e.Epoch, e.TrainingLoss, e.ValidationLoss ?? double.NaN, e.LearningRate }).ToArray();
        tensors.Add(SafeTensor.FromDouble("trainer.history", history, state.Epochs.Count, 4));
        for (int m = 0; m < (state.BestWeights?.Length ?? 0); m++)
        {
            tensors.Add(SafeTensor.FromSingle("best." + network.Modules[m].Prefix.TrimEnd('.'), state.BestWeights![m], state.BestWeights[m].Length));
        }

        var meta = new SequenceTagger(network, vocabulary).Metadata();
        meta["format"] = Format;
        (string Key, string Value)[] trainer =
        [
            ("best_epoch", state.BestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "none"),
            ("best_validation_loss", state.BestValidationLoss?.ToString("R", CultureInfo.InvariantCulture) ?? "none"),
            ("stopped", state.Stopped ? "true" : "false"),
            ("stopped_early", state.StoppedEarly ? "true" : "false"),
        ];
        foreach (var (key, value) in trainer)
        {
            meta["trainer." + key] = value;
        }

        SafeTensorsWriter.Write(path, tensors, meta);
    }

    public static TrainingState<float> Load(string path, TaggerNetwork<float> network, TaggerVocabulary vocabulary, Optimizer<float> optimizer,
        LearningRateSchedule schedule)
    {
        var file = SafeTensorsFile.Read(path);
        var expected = new SequenceTagger(network, vocabulary).Metadata();
        expected["format"] = Format;
        if (expected.FirstOrDefault(p => file.Metadata.GetValueOrDefault(p.Key) != p.Value) is { Key: not null } differing)
        {
            throw new SafeTensorsFormatException(file.Source,
                $"the checkpoint was written for another tagger or data (metadata '{differing.Key}' differs); delete it or train without --resume");
        }

        try
        {
            foreach (var (prefix, module) in network.Modules)
            {
                StateDictionary.Load(module, file, prefix);
            }

            optimizer.LoadState(file, "optimizer.");
            schedule.SetState(file["schedule.state"].ToDoubleArray());
            ulong[] words = file["trainer.random"].ToInt64Array().Select(w => unchecked((ulong)w)).ToArray();
            var random = new RandomSource(1);
            random.SetState(words);
            var state = new TrainingState<float>(random);
            double[] history = file["trainer.history"].ToDoubleArray();
            for (int row = 0; row + 3 < history.Length; row += 4)
            {
                state.Epochs.Add(new EpochRecord(state.Epochs.Count + 1, history[row + 1], double.IsNaN(history[row + 2]) ? null : history[row + 2], history[row + 3]));
            }

            state.BestEpoch = int.TryParse(file.Metadata["trainer.best_epoch"], NumberStyles.None, CultureInfo.InvariantCulture, out int best) ? best : null;
            state.BestValidationLoss = double.TryParse(file.Metadata["trainer.best_validation_loss"], NumberStyles.Float, CultureInfo.InvariantCulture, out double loss) ? loss : null;
            state.Stopped = file.Metadata["trainer.stopped"] == "true";
            state.StoppedEarly = file.Metadata["trainer.stopped_early"] == "true";
            if (state.BestEpoch is not null)
            {
                state.BestWeights = network.Modules.Select(m => BestWeights(file, m.Prefix, m.Module.ParameterValues.Length)).ToArray();
            }

            return state;
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or OverflowException or ArgumentException or InvalidCastException)
        {
            throw new SafeTensorsFormatException(file.Source, $"the checkpoint is inconsistent: {e.Message}", e);
        }
    }

    private static float[] BestWeights(SafeTensorsFile file, string prefix, int count)
    {
        string name = "best." + prefix.TrimEnd('.');
        double[] values = file[name].ToDoubleArray();
        if (values.Length != count)
        {
            throw new FormatException($"'{name}' holds {values.Length} values for {count} parameters");
        }

        var weights = new float[count];
        Elementwise.Convert<double, float>(values, weights);
        return weights;
    }
}
