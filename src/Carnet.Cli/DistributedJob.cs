using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Carnet.Training.Distributed;

namespace Carnet.Cli;

/// <summary>
/// <c>--distributed</c>: the command runs as one rank of an MPI job (<c>mpiexec -n N carnet … --distributed</c>). Every
/// rank must be started with the same arguments and data, which is checked before anything is read; rank 0 alone
/// prints and writes.
/// </summary>
internal static class DistributedJob
{
    /// <summary>The option, for the training commands.</summary>
    public static Option<bool> CreateOption() => CommandSupport.Option("--distributed",
        "Train as one rank of an MPI job (mpiexec -n N carnet … --distributed): each rank takes its share of every batch (--batch-size stays " +
        "the whole batch) and the gradients are averaged before each step; rank 0 writes the outputs.", false);

    /// <summary>
    /// Joins the MPI job when <paramref name="option"/> is given: checks that every rank was started with the same
    /// arguments and the same contents of <paramref name="dataPaths"/> (and of any file or folder an argument names),
    /// hands the folder to rank 0 alone and silences the other ranks' display. Returns the communicator, or null.
    /// </summary>
    /// <exception cref="DistributedTrainingException">No MPI launcher or library, or ranks started differently.</exception>
    public static Communicator? Join(ParseResult parse, Option<bool> option, OutputFolder folder, TrainingView view, params string[] dataPaths)
    {
        if (!parse.GetValue(option))
        {
            return null;
        }

        var communicator = MpiCommunicator.Start();
        folder.Communicator = communicator;
        if (!communicator.IsRoot)
        {
            view.Silence();
        }

        byte[] mine = Fingerprint([.. parse.Tokens.Select(t => t.Value)], dataPaths);
        byte[] all = communicator.AllGather(mine);
        for (int rank = 1; rank < communicator.Size; rank++)
        {
            var theirs = all.AsSpan(rank * mine.Length, mine.Length);
            if (!theirs.SequenceEqual(all.AsSpan(0, mine.Length)))
            {
                throw new DistributedTrainingException(
                    $"rank {rank} was started with other arguments or data than rank 0 (fingerprint {Convert.ToHexStringLower(theirs[..6])} against " +
                    $"{Convert.ToHexStringLower(all.AsSpan(0, 6))}): start every rank with the same command and the same data files")
                {
                    SeenByAllRanks = true,
                };
            }
        }

        return communicator;
    }

    /// <summary>SHA-256 of the arguments and of the contents of every file they or <paramref name="dataPaths"/> name (folders: every file in them).</summary>
    internal static byte[] Fingerprint(IReadOnlyList<string> arguments, IReadOnlyList<string> dataPaths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string argument in arguments)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(argument + "\0"));
        }

        foreach (string path in arguments.Concat(dataPaths).Where(p => File.Exists(p) || Directory.Exists(p)))
        {
            var files = File.Exists(path) ? [path] : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
            foreach (string file in files)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(path, file) + "\0"));
                using var stream = File.OpenRead(file);
                var buffer = new byte[1 << 16];
                for (int read; (read = stream.Read(buffer)) > 0;)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }
        }

        return hash.GetHashAndReset();
    }
}
