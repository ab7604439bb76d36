using System.Globalization;
using System.Numerics;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;

namespace Carnet.Training;

/// <summary>
/// A training checkpoint: the model's tensors and configuration (as in a model file), the optimizer's state
/// (<c>optimizer.*</c>), the schedule's (<c>schedule.state</c>), the random generator's (<c>trainer.random</c>), the
/// epoch history (<c>trainer.history</c>), the best weights so far (<c>best.*</c>) and the task's notes (metadata
/// <c>note.*</c>). Written atomically.
/// </summary>
internal static class Checkpoint
{
    public const string Format = "carnet-checkpoint";

    internal const string NotePrefix = "note.";

    /// <summary>
    /// Writes the checkpoint of any network given as its modules with their state_dict prefixes; <paramref name="meta"/>
    /// (the network's configuration and format) is written with the trainer's entries added.
    /// </summary>
    public static void Save<T>(string path, IReadOnlyList<(string Prefix, Module<T> Module)> modules, Dictionary<string, string> meta,
        Optimizer<T> optimizer, LearningRateSchedule? schedule, TrainingState<T> state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensors = new List<SafeTensor>();
        foreach (var (prefix, module) in modules)
        {
            tensors.AddRange(StateDictionary.Save(module, prefix));
        }

        tensors.AddRange(optimizer.SaveState("optimizer."));
        if (schedule is not null)
        {
            double[] scheduleState = schedule.GetState();
            tensors.Add(SafeTensor.FromDouble("schedule.state", scheduleState, scheduleState.Length));
        }

        tensors.Add(SafeTensor.FromInt64("trainer.random", state.Random.GetState().Select(w => unchecked((long)w)).ToArray(), 4));
        var history = state.Epochs.SelectMany(e => new[] { e.Epoch, e.TrainingLoss, e.ValidationLoss ?? double.NaN, e.LearningRate }).ToArray();
        tensors.Add(SafeTensor.FromDouble("trainer.history", history, state.Epochs.Count, 4));
        if (state.BestWeights is { } best)
        {
            for (int m = 0; m < best.Length; m++)
            {
                var (prefix, _) = modules[m];
                double[] values = new double[best[m].Length];
                Kernels.Elementwise.Convert<T, double>(best[m], values);
                tensors.Add(SafeTensor.FromDouble("best." + prefix.TrimEnd('.'), values, values.Length));
            }
        }

        meta["trainer.best_epoch"] = state.BestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "none";
        meta["trainer.best_validation_loss"] = state.BestValidationLoss?.ToString("R", CultureInfo.InvariantCulture) ?? "none";
        meta["trainer.stopped"] = state.Stopped ? "true" : "false";
        meta["trainer.stopped_early"] = state.StoppedEarly ? "true" : "false";
        foreach (var (key, value) in state.Notes)
        {
            meta[NotePrefix + key] = value;
        }

        SafeTensorsWriter.Write(path, tensors, meta);
    }

    public static TrainingState<T> Load<T>(string path, SequenceModel<T> model, Optimizer<T> optimizer, LearningRateSchedule? schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var file = SafeTensorsFile.Read(path);
        Check(file, model);
        return Restore(file, model.Modules, optimizer, schedule);
    }

    /// <summary>A sequence model's checkpoint metadata: its model file's configuration with this format.</summary>
    public static Dictionary<string, string> Metadata<T>(SequenceModel<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var meta = ModelFile.Metadata(model.Options);
        meta["format"] = Format;
        return meta;
    }

    /// <summary>Throws when <paramref name="file"/> is not a checkpoint of a model configured as <paramref name="model"/>.</summary>
    public static void Check<T>(SafeTensorsFile file, SequenceModel<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (ModelFile.ReadOptions(file, Format) != model.Options)
        {
            throw new SafeTensorsFormatException(file.Source, "the checkpoint was written for a model with another configuration");
        }
    }

    /// <summary>
    /// Restores weights, optimizer, schedule and training state from a checkpoint already checked to belong to this
    /// network; any inconsistency inside it is one <see cref="SafeTensorsFormatException"/>.
    /// </summary>
    public static TrainingState<T> Restore<T>(SafeTensorsFile file, IReadOnlyList<(string Prefix, Module<T> Module)> modules, Optimizer<T> optimizer,
        LearningRateSchedule? schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            return RestoreCore(file, modules, optimizer, schedule);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or OverflowException or ArgumentException or InvalidCastException)
        {
            throw new SafeTensorsFormatException(file.Source, $"the checkpoint is inconsistent: {e.Message}", e);
        }
    }

    private static TrainingState<T> RestoreCore<T>(SafeTensorsFile file, IReadOnlyList<(string Prefix, Module<T> Module)> modules, Optimizer<T> optimizer,
        LearningRateSchedule? schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var (prefix, module) in modules)
        {
            StateDictionary.Load(module, file, prefix);
        }

        optimizer.LoadState(file, "optimizer.");
        if (schedule is not null)
        {
            schedule.SetState(file["schedule.state"].ToDoubleArray());
        }

        var random = new RandomSource(0);
        ulong[] words = file["trainer.random"].ToInt64Array().Select(w => unchecked((ulong)w)).ToArray();
        if (words.Length != 4 || words.All(w => w == 0))
        {
            throw new FormatException("'trainer.random' must hold 4 words, not all zero");
        }

        random.SetState(words);
        var state = new TrainingState<T>(random);
        double[] history = file["trainer.history"].ToDoubleArray();
        if (history.Length % 4 != 0)
        {
            throw new FormatException($"'trainer.history' holds {history.Length} values, not 4 per epoch");
        }

        for (int i = 0; i + 3 < history.Length; i += 4)
        {
            if (history[i] != state.Epochs.Count + 1)
            {
                throw new FormatException($"'trainer.history' lists epoch {history[i]} where epoch {state.Epochs.Count + 1} belongs");
            }

            state.Epochs.Add(new EpochRecord((int)history[i], history[i + 1], double.IsNaN(history[i + 2]) ? null : history[i + 2], history[i + 3]));
        }

        var trainer = new MetadataReader(file.Metadata, file.Source, "trainer.", requiredBy: "a Carnet checkpoint");
        state.BestEpoch = trainer.IntegerOrNone("best_epoch", 1, int.MaxValue);
        state.BestValidationLoss = trainer.NumberOrNone("best_validation_loss");
        state.Stopped = trainer.Boolean("stopped");
        state.StoppedEarly = trainer.Boolean("stopped_early");
        foreach (var (key, value) in new MetadataReader(file.Metadata, file.Source, NotePrefix).Entries())
        {
            state.Notes[key] = value;
        }

        if (state.BestEpoch is not null)
        {
            state.BestWeights = modules.Select(m =>
            {
                double[] values = file["best." + m.Prefix.TrimEnd('.')].ToDoubleArray();
                if (values.Length != m.Module.ParameterValues.Length)
                {
                    throw new FormatException($"'best.{m.Prefix.TrimEnd('.')}' holds {values.Length} values for {m.Module.ParameterValues.Length} parameters");
                }

                var weights = new T[values.Length];
                Kernels.Elementwise.Convert<double, T>(values, weights);
                return weights;
            }).ToArray();
        }

        return state;
    }
}
