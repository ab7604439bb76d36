using System.Numerics;
using Carnet.IO;
using Carnet.Layers;

namespace Carnet.Training;

/// <summary>
/// An optimizer over the parameters of a list of modules. Each module's parameters are one flat block, so an
/// optimizer keeps one flat buffer per module for each kind of state (Adam's <c>exp_avg</c>, SGD's
/// <c>momentum_buffer</c>, …), and a checkpoint saves and restores those buffers with the step count.
/// </summary>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
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

    /// <summary>Steps taken so far (PyTorch's <c>state['step']</c>).</summary>
    public int StepCount { get; protected set; }

    /// <summary>
    /// The optimizer's state buffers by name, each with one array per module laid out as that module's parameter
    /// block (allocated lazily where PyTorch allocates lazily, so an array may be empty before the first step).
    /// </summary>
    protected abstract IReadOnlyList<(string Name, T[][] PerModule)> StateBuffers { get; }

    /// <summary>Updates every parameter from its accumulated gradient.</summary>
    public abstract void Step();

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
