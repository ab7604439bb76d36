using System.Numerics;
using Carnet.IO;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>
/// What a learning-rate schedule needs of an optimizer, whatever its element type: the learning rate it reads at
/// each step and PyTorch's <c>initial_lr</c>.
/// </summary>
public interface IOptimizer
{
    /// <summary>The learning rate of the next step (PyTorch's <c>param_group['lr']</c>).</summary>
    double LearningRate { get; set; }

    /// <summary>
    /// PyTorch's <c>param_group['initial_lr']</c>: null until the first schedule is attached, which sets it to the
    /// learning rate of that moment; every later schedule on this optimizer takes it as its base learning rate.
    /// </summary>
    double? InitialLearningRate { get; set; }

    /// <summary>Steps taken so far.</summary>
    int StepCount { get; }

    /// <summary>Updates every parameter from its accumulated gradient.</summary>
    void Step();

    /// <summary>Zeroes every gradient.</summary>
    void ZeroGradients();
}

/// <summary>
/// An optimizer over the parameters of a list of modules. Each module's parameters are one flat block, so an
/// optimizer keeps one flat buffer per module for each kind of state (Adam's <c>exp_avg</c>, SGD's
/// <c>momentum_buffer</c>, …), and a checkpoint saves and restores those buffers with the step count.
/// </summary>
public abstract class Optimizer<T> : IOptimizer where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Module<T>[] modules;

    /// <summary>Creates the optimizer over <paramref name="modules"/>, in order.</summary>
    protected Optimizer(IEnumerable<Module<T>> modules, double learningRate)
    {
        this.modules = modules.ToArray();
        if (!(learningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"The learning rate must be positive (is {learningRate}).");
        }

        LearningRate = learningRate;
    }

    /// <summary>The modules whose parameters this optimizer updates.</summary>
    public IReadOnlyList<Module<T>> Modules => modules;

    /// <summary>The learning rate of the next step; schedules change it between steps.</summary>
    public double LearningRate { get; set; }

    /// <inheritdoc />
    public double? InitialLearningRate { get; set; }

    /// <summary>Steps taken so far (PyTorch's <c>state['step']</c>).</summary>
    public int StepCount { get; protected set; }

    /// <summary>
    /// The optimizer's state buffers by name, each with one array per module laid out as that module's parameter
    /// block (allocated lazily where PyTorch allocates lazily, so an array may be empty before the first step).
    /// </summary>
    protected abstract IReadOnlyList<(string Name, T[][] PerModule)> StateBuffers { get; }

    /// <summary>Updates every parameter from its accumulated gradient.</summary>
    public abstract void Step();

    /// <summary>
    /// The state of module <paramref name="module"/> in <paramref name="perModule"/>, allocated as zeros of
    /// <paramref name="length"/> elements if it is still empty (PyTorch creates its state at the first step, and a
    /// checkpoint taken before it holds empty buffers).
    /// </summary>
    internal static T[] ZerosIfEmpty(T[][] perModule, int module, int length)
    {
        if (perModule[module].Length == 0 && length != 0)
        {
            perModule[module] = new T[length];
        }

        return perModule[module];
    }

    /// <summary>Returns <paramref name="value"/> if it lies in [<paramref name="minimum"/>, <paramref name="maximum"/>), as PyTorch's optimizers check their options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside the range, or NaN.</exception>
    protected static double CheckRange(double value, double minimum, double maximum, string name)
        => value >= minimum && value < maximum
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [{minimum}, {maximum}) (is {value}).");

    /// <summary>Zeroes the gradients of every module.</summary>
    public void ZeroGradients()
    {
        foreach (var module in modules)
        {
            module.ZeroGradients();
        }
    }

    /// <summary>The state as tensors named <c>{prefix}{buffer}.{module index}</c>, plus <c>{prefix}step</c>, for a checkpoint.</summary>
    public IEnumerable<SafeTensor> SaveState(string prefix)
    {
        yield return SafeTensor.FromInt64(prefix + "step", [StepCount], 1);
        foreach (var (name, perModule) in StateBuffers)
        {
            for (int m = 0; m < perModule.Length; m++)
            {
                double[] values = new double[perModule[m].Length];
                Kernels.Elementwise.Convert<T, double>(perModule[m], values);
                yield return SafeTensor.FromDouble($"{prefix}{name}.{m}", values, values.Length);
            }
        }
    }

    /// <summary>Restores a state written by <see cref="SaveState"/>; a missing or mis-sized buffer fails naming it.</summary>
    public void LoadState(SafeTensorsFile file, string prefix)
    {
        StepCount = checked((int)file[prefix + "step"].ToInt64Array()[0]);
        foreach (var (name, perModule) in StateBuffers)
        {
            for (int m = 0; m < perModule.Length; m++)
            {
                string tensorName = $"{prefix}{name}.{m}";
                double[] values = file[tensorName].ToDoubleArray();
                if (values.Length != 0 && values.Length != modules[m].ParameterValues.Length)
                {
                    throw new SafeTensorsFormatException(file.Source, tensorName,
                        $"has {values.Length} values; the optimizer needs {modules[m].ParameterValues.Length}", null);
                }

                perModule[m] = new T[values.Length];
                Kernels.Elementwise.Convert<double, T>(values, perModule[m]);
            }
        }
    }
}
