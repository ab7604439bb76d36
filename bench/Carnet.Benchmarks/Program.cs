// Carnet's BenchmarkDotNet suite. Speed is measured here, never in the unit tests.
//
//   dotnet run -c Release --project bench/Carnet.Benchmarks -- --filter '*Gemm*'
//   dotnet run -c Release --project bench/Carnet.Benchmarks -- --quick --filter '*LayerBenchmarks*S1*'
//   dotnet run -c Release --project bench/Carnet.Benchmarks -- --list flat
//
// Every BenchmarkDotNet command-line option works as usual (--filter, --list, --job, --artifacts, --join, ...).
// The one addition is --quick: shorthand for "--job short" (BenchmarkDotNet's ShortRun: one launch, three
// warm-ups, three measured iterations), for a fast look rather than a figure to publish.
//
//   dotnet run -c Release --project bench/Carnet.Benchmarks -- peers [--shapes S1,S3] [--cells lstm] [--threads 1,2]
//
// runs PeerComparison instead: Carnet beside ONNX Runtime, interleaved in one process, one JSON line per engine and cell.
//
//   dotnet run -c Release --project bench/Carnet.Benchmarks -- parts [--shape S3] [--cell lstm] [--threads 2]
//
// runs StepParts: where one direction's training step goes, each part of its backward pass timed alone.
using BenchmarkDotNet.Running;

namespace Carnet.Benchmarks;

/// <summary>The entry point: hands the command line to BenchmarkDotNet's switcher.</summary>
public static class Program
{
    private const string QuickOption = "--quick";

    /// <summary>Runs the benchmarks the arguments select; returns 1 when any selected benchmark failed.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "peers")
        {
            return PeerComparison.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "parts")
        {
            return StepParts.Run(args[1..]);
        }

        string[] arguments = args.Contains(QuickOption)
            ? [.. args.Where(a => a != QuickOption), "--job", "short"]
            : args;
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments).ToList();
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
