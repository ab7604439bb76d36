using System.CommandLine;
using Carnet.Layers;

namespace Carnet.Cli;

/// <summary>The options every training command shares: the network, the optimisation, the seed and the output folder.</summary>
internal sealed class TrainingArguments
{
    private readonly string task;

    /// <summary>Creates the options with the task's defaults; <paramref name="items"/> names what one epoch passes over.</summary>
    public TrainingArguments(string task, string items, int epochs, int batchSize, double learningRate, int patience, string patienceNote = "")
    {
        this.task = task;
        Epochs = CommandSupport.Option("--epochs", $"Most passes over the training {items}.", epochs);
        BatchSize = CommandSupport.Option("--batch-size", $"{char.ToUpperInvariant(items[0])}{items[1..]} per optimizer step.", batchSize);
        LearningRate = CommandSupport.Option("--learning-rate", "Adam's learning rate.", learningRate);
        Patience = CommandSupport.Option("--patience", $"Epochs without a better validation loss before stopping{patienceNote}.", patience);
        Output = new Option<string?>("--out") { Description = $"Output folder (default: runs/{task}-<data file name>)." };
    }

    public Option<string> Cell { get; } = CommandSupport.Choice("--cell", "The recurrent cell: lstm, gru or rnn.", "lstm", "lstm", "gru", "rnn");

    public Option<int> HiddenSize { get; init; } = CommandSupport.Option("--hidden-size", "Units per layer (and direction).", 64);

    public Option<int> NumLayers { get; init; } = CommandSupport.Option("--num-layers", "Stacked layers.", 1);

    public Option<double> Dropout { get; init; } = CommandSupport.Option("--dropout", "Dropout between stacked layers.", 0.0);

    public Option<int> Epochs { get; }

    public Option<int> BatchSize { get; }

    public Option<double> LearningRate { get; }

    public Option<int> Patience { get; }

    public Option<ulong> Seed { get; } = CommandSupport.Option("--seed", "Seed of the split, initial weights and shuffles: the same seed gives the same model.", 42UL);

    public Option<string?> Output { get; }

    public Option<bool> Resume { get; } = CommandSupport.Option("--resume", "Continue from the output folder's checkpoint.", false);

    public Option<bool> Quiet { get; } = CommandSupport.Option("--quiet", "Print nothing but errors.", false);

    public Option<bool> Distributed { get; } = DistributedJob.CreateOption();

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Cell, HiddenSize, NumLayers, Dropout, Epochs, BatchSize, LearningRate, Patience, Seed, Output, Resume, Quiet, Distributed })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The cell chosen.</summary>
    public RecurrentCellKind CellKind(ParseResult parse) => CommandSupport.Cell(parse.GetValue(Cell)!);

    /// <summary>The output folder: --out, or runs/TASK-NAME for the data file.</summary>
    public OutputFolder Folder(ParseResult parse, string dataPath)
        => new(parse.GetValue(Output) ?? Path.Combine("runs", $"{task}-{Path.GetFileNameWithoutExtension(dataPath)}"));

    /// <summary>Joins the MPI job with --distributed (<see cref="DistributedJob.Join"/>); the communicator, or null.</summary>
    public Training.Distributed.Communicator? Join(ParseResult parse, OutputFolder folder, TrainingView view, params string[] dataPaths)
        => DistributedJob.Join(parse, Distributed, folder, view, dataPaths);

    /// <summary>The progress display, quiet or not.</summary>
    public TrainingView View(ParseResult parse, TextWriter output) => new(output, parse.GetValue(Quiet));
}
