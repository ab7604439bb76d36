using System.CommandLine;
using Carnet.Tasks.Text;

namespace Carnet.Cli;

/// <summary>The options of the commands that train a character model (<c>carnet text train</c>, <c>carnet music train</c>) and how they become its settings.</summary>
internal sealed class CharacterTrainingArguments
{
    /// <summary>Creates the options; <paramref name="validation"/> describes what <c>--validation</c> holds out.</summary>
    public CharacterTrainingArguments(string validation)
        => Validation = CommandSupport.Option("--validation", validation, 0.1);

    public Option<string> Cell { get; } = CommandSupport.Choice("--cell", "The recurrent cell: lstm, gru or rnn.", "lstm", "lstm", "gru", "rnn");

    public Option<int> EmbeddingSize { get; } = CommandSupport.Option("--embedding-size", "Size of each character's embedding.", 64);

    public Option<int> HiddenSize { get; } = CommandSupport.Option("--hidden-size", "Units per layer.", 256);

    public Option<int> NumLayers { get; } = CommandSupport.Option("--num-layers", "Stacked layers.", 2);

    public Option<double> Dropout { get; } = CommandSupport.Option("--dropout", "Dropout between stacked layers.", 0.0);

    public Option<int> SequenceLength { get; } =
        CommandSupport.Option("--seq-length", "Characters back-propagation runs through (truncated BPTT); the state is carried on.", 64);

    public Option<int> BatchSize { get; } =
        CommandSupport.Option("--batch-size", "Parallel streams the text is cut into, one optimizer step per T characters of each.", 32);

    public Option<double> LearningRate { get; } = CommandSupport.Option("--learning-rate", "Adam's learning rate.", 0.002);

    public Option<double> Clip { get; } = CommandSupport.Option("--clip", "Clip gradients to this global norm (0: no clipping).", 5.0);

    public Option<int> Epochs { get; } = CommandSupport.Option("--epochs", "Most passes over the training text.", 20);

    public Option<double> Validation { get; }

    public Option<ulong> Seed { get; } =
        CommandSupport.Option("--seed", "Seed of the initial weights, dropout and samples: the same seed gives the same model.", 42UL);

    public Option<double?> TimeLimit { get; } =
        new("--time-limit") { Description = "Stop after this many minutes (at the first step past it), measure that epoch and keep the best model." };

    public Option<int> SampleLength { get; } = CommandSupport.Option("--sample-length", "Characters generated after each epoch (0: none).", 200);

    public Option<int?> Threads { get; } =
        new("--threads") { Description = "Threads the kernels may use (default: all cores; results are identical for any number)." };

    public Option<bool> Resume { get; } =
        CommandSupport.Option("--resume", "Continue from the output folder's checkpoint (after a time limit: for another such stretch).", false);

    public Option<bool> Quiet { get; } = CommandSupport.Option("--quiet", "Print nothing but errors.", false);

    public Option<bool> Distributed { get; } = DistributedJob.CreateOption();

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Option[] options =
        [
            Cell, EmbeddingSize, HiddenSize, NumLayers, Dropout, SequenceLength, BatchSize, LearningRate, Clip, Epochs, Validation, Seed, TimeLimit,
            SampleLength, Threads, Resume, Quiet, Distributed,
        ];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Joins the MPI job with --distributed (<see cref="DistributedJob.Join"/>); the communicator, or null.</summary>
    public Training.Distributed.Communicator? Join(ParseResult parse, OutputFolder folder, TrainingView view, params string[] dataPaths)
        => DistributedJob.Join(parse, Distributed, folder, view, dataPaths);

    /// <summary>The settings the command line gives, the checkpoint kept in <paramref name="folder"/> (and its MPI job, if any).</summary>
    /// <exception cref="ArgumentException">--clip is negative or --time-limit not positive.</exception>
    public TextTrainingOptions Read(ParseResult parse, OutputFolder folder)
    {
        double clipNorm = parse.GetValue(Clip);
        double? limit = parse.GetValue(TimeLimit);
        if (clipNorm < 0 || limit is <= 0)
        {
            throw new ArgumentException("--clip must not be negative and --time-limit must be positive");
        }

        return new TextTrainingOptions
        {
            Cell = CommandSupport.Cell(parse.GetValue(Cell)!),
            EmbeddingSize = parse.GetValue(EmbeddingSize),
            HiddenSize = parse.GetValue(HiddenSize),
            NumLayers = parse.GetValue(NumLayers),
            Dropout = parse.GetValue(Dropout),
            SequenceLength = parse.GetValue(SequenceLength),
            BatchSize = parse.GetValue(BatchSize),
            LearningRate = parse.GetValue(LearningRate),
            ClipGradientNorm = clipNorm > 0 ? clipNorm : null,
            Epochs = parse.GetValue(Epochs),
            ValidationFraction = parse.GetValue(Validation),
            Seed = parse.GetValue(Seed),
            TimeLimit = limit is { } m ? TimeSpan.FromMinutes(m) : null,
            CheckpointPath = folder.CheckpointPath,
            Resume = parse.GetValue(Resume),
            Distributed = folder.Communicator,
            SampleLength = parse.GetValue(SampleLength),
        };
    }

    /// <summary>Runs <paramref name="body"/> with the kernels limited to --threads, when given.</summary>
    /// <exception cref="ArgumentException">--threads is below 1.</exception>
    public int WithThreads(ParseResult parse, Func<int> body)
    {
        using (KernelSettings.Use(maximumThreads: CommandSupport.ThreadLimit(parse.GetValue(Threads))))
        {
            return body();
        }
    }
}
