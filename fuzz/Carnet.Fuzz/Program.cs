// Carnet.Fuzz TARGET            runs under afl-fuzz: each input from AFL++ through the target (SharpFuzz's fork server)
// Carnet.Fuzz TARGET FILE|DIR   replays saved inputs (a corpus, crashes) without AFL++, printing each outcome
using Carnet.Cli.Diagnostics;
using SharpFuzz;

if (args.Length is < 1 or > 2 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: Carnet.Fuzz {string.Join('|', FuzzTargets.Names)} [FILE|DIR]");
    return 2;
}

string target = args[0];
if (args.Length == 2)
{
    string[] files = Directory.Exists(args[1]) ? Directory.GetFiles(args[1]).Order(StringComparer.Ordinal).ToArray() : [args[1]];
    foreach (string file in files)
    {
        Console.WriteLine($"{file}: {(FuzzTargets.Run(target, File.ReadAllBytes(file)) ? "accepted" : "rejected cleanly")}");
    }

    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    FuzzTargets.Run(target, memory.ToArray());
});
return 0;
