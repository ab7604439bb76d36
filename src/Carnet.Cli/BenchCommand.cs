using System.CommandLine;
using System.Globalization;
using Carnet.Cli.Diagnostics;
using Carnet.Layers;

namespace Carnet.Cli;

/// <summary><c>carnet bench</c>: median forward and training-step times of a recurrent stack, and GFLOP/s.</summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var cell = new Option<string>("--cell") { Description = "lstm, gru or rnn.", DefaultValueFactory = _ => "lstm" };
        cell.AcceptOnlyFromAmong("lstm", "gru", "rnn");
        var inputSize = new Option<int>("--input-size") { Description = "I: features per step.", DefaultValueFactory = _ => 2 };
        var hiddenSize = new Option<int>("--hidden-size") { Description = "H: units per layer and direction.", DefaultValueFactory = _ => 64 };
        var numLayers = new Option<int>("--num-layers") { Description = "L: stacked layers.", DefaultValueFactory = _ => 2 };
        var batch = new Option<int>("--batch") { Description = "B: sequences per batch.", DefaultValueFactory = _ => 32 };
        var seqLen = new Option<int>("--seq-len") { Description = "T: time steps.", DefaultValueFactory = _ => 100 };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Run each layer in both directions." };
        var threads = new Option<int>("--threads") { Description = "Threads the kernels may use.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs of each kind; the median is reported.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup")
        {
            Description = "Untimed runs first (and on until --warmup-seconds have passed, so the JIT has optimized the code).",
            DefaultValueFactory = _ => 3
        };
        var warmupSeconds = new Option<double>("--warmup-seconds") { Description = "Least time the untimed runs take.", DefaultValueFactory = _ => 1.5 };
        var soak = new Option<int>("--soak-steps")
        {
            Description = "After the timed runs, this many more training steps, to report how much memory grows (0: none).",
        };
        var json = new Option<bool>("--json") { Description = "End with one JSON object: forward_ms, train_ms, forward_gflops, train_gflops, …" };
        var command = new Command(
            "bench",
            "Measure a recurrent stack: median milliseconds of a forward pass and of a training step (forward + backward), and GFLOP/s.\n" +
            "Example (shape S1): carnet bench --cell lstm --input-size 2 --hidden-size 64 --num-layers 2 --batch 32 --seq-len 100 --threads 2 --json")
        {
            cell, inputSize, hiddenSize, numLayers, batch, seqLen, bidirectional, threads, iterations, warmup, warmupSeconds, soak, json,
        };
        command.SetAction(parse =>
        {
            var options = new LayerBenchmarkOptions
            {
                Cell = CommandSupport.Cell(parse.GetValue(cell)!),
                InputSize = parse.GetValue(inputSize),
                HiddenSize = parse.GetValue(hiddenSize),
                NumLayers = parse.GetValue(numLayers),
                Batch = parse.GetValue(batch),
                SequenceLength = parse.GetValue(seqLen),
                Bidirectional = parse.GetValue(bidirectional),
                Threads = parse.GetValue(threads),
                Iterations = parse.GetValue(iterations),
                Warmup = parse.GetValue(warmup),
                MinimumWarmupSeconds = parse.GetValue(warmupSeconds),
                SoakSteps = parse.GetValue(soak),
            };
            return Run(options, parse.GetValue(json), output, error);
        });
        return command;
    }

    private static int Run(LayerBenchmarkOptions options, bool json, TextWriter output, TextWriter error)
    {
        LayerBenchmarkResult result;
        try
        {
            result = LayerBenchmark.Run(options);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"carnet bench: {e.Message}");
            return 2;
        }

        var o = result.Options;
        string cellName = o.Cell.ToString().ToLowerInvariant();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{cellName} I={o.InputSize} H={o.HiddenSize} L={o.NumLayers} B={o.Batch} T={o.SequenceLength}" +
                $"{(o.Bidirectional ? " bidirectional" : string.Empty)} threads={o.Threads}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"forward     {result.ForwardMilliseconds,10:F3} ms  {result.ForwardGigaflops,8:F1} GFLOP/s" +
                $"  (frozen; {result.UnfrozenForwardMilliseconds:F3} ms packing the weights)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"train step  {result.TrainMilliseconds,10:F3} ms  {result.TrainGigaflops,8:F1} GFLOP/s  ({result.AllocatedBytesPerTrainStep} bytes allocated per step)"));
        var memory = result.Memory;
        string soak = memory.SoakSteps == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture,
            $"; over {memory.SoakSteps} more steps the working set peak grew {memory.WorkingSetGrowthMegabytes:F1} MB, the live heap {memory.ManagedGrowthMegabytes:F2} MB");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory      peak working set {memory.PeakWorkingSetMegabytes:F1} MB{soak}"));
        if (result.StreamMilliseconds is { } stream)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"stream      {stream,10:F3} ms  ({o.SequenceLength} steps one at a time, RecurrentStream)"));
        }

        if (json)
        {
            string soakJson = memory.SoakSteps == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture,
                $",\"soak_steps\":{memory.SoakSteps},\"working_set_growth_mb\":{memory.WorkingSetGrowthMegabytes:R},\"managed_growth_mb\":{memory.ManagedGrowthMegabytes:R}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"cell\":\"{cellName}\",\"input_size\":{o.InputSize},\"hidden_size\":{o.HiddenSize},\"num_layers\":{o.NumLayers},\"batch\":{o.Batch}" +
                $",\"seq_len\":{o.SequenceLength},\"bidirectional\":{(o.Bidirectional ? "true" : "false")},\"threads\":{o.Threads}" +
                $",\"forward_ms\":{result.ForwardMilliseconds:R},\"train_ms\":{result.TrainMilliseconds:R},\"forward_gflops\":{result.ForwardGigaflops:R}" +
                $",\"train_gflops\":{result.TrainGigaflops:R},\"forward_flops\":{result.ForwardFlops:R}" +
                $",\"allocated_bytes_per_train_step\":{result.AllocatedBytesPerTrainStep},\"forward_unfrozen_ms\":{result.UnfrozenForwardMilliseconds:R}" +
                $",\"peak_working_set_mb\":{memory.PeakWorkingSetMegabytes:R}{soakJson}" +
                $"{(result.StreamMilliseconds is { } ms ? ",\"stream_ms\":" + ms.ToString("R", CultureInfo.InvariantCulture) : string.Empty)}}}"));
        }

        return 0;
    }
}
