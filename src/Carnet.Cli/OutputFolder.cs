namespace Carnet.Cli;

/// <summary>
/// A command's output folder. Results are written into a staging folder inside it and moved into place only when
/// every one of them is complete, so a failed run leaves no partial result files; a folder the command created and
/// left empty is removed again.
/// </summary>
internal sealed class OutputFolder(string path)
{
    private bool created;

    /// <summary>The MPI job this folder is written for, when distributed: only rank 0 creates, writes or cleans it.</summary>
    public Training.Distributed.Communicator? Communicator { get; set; }

    private bool Writes => Communicator?.IsRoot != false;

    /// <summary>The folder.</summary>
    public string Path { get; } = path;

    /// <summary>Where the training checkpoint is kept.</summary>
    public string CheckpointPath => System.IO.Path.Combine(Path, "checkpoint.safetensors");

    /// <summary>
    /// Creates the folder if needed (call it once the input is known to be good), or clears what a killed run left
    /// in it: staging folders and the temporary files of atomic writes, never a complete result or checkpoint.
    /// </summary>
    public void Create()
    {
        if (!Writes)
        {
            return;
        }

        if (!Directory.Exists(Path))
        {
            Directory.CreateDirectory(Path);
            created = true;
            return;
        }

        foreach (string staging in Directory.EnumerateDirectories(Path, ".staging-*"))
        {
            Directory.Delete(staging, recursive: true);
        }

        foreach (string temporary in Directory.EnumerateFiles(Path, ".*.tmp"))
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes every file (name → writer of a path) into staging, then moves them all into the folder.</summary>
    public IReadOnlyList<string> Commit(IReadOnlyList<(string Name, Action<string> Write)> files)
    {
        if (!Writes)
        {
            return [.. files.Select(f => System.IO.Path.Combine(Path, f.Name))];
        }

        Create();
        string staging = System.IO.Path.Combine(Path, $".staging-{Environment.ProcessId}");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (name, write) in files)
            {
                write(System.IO.Path.Combine(staging, name));
            }

            var written = new List<string>();
            foreach (var (name, _) in files)
            {
                string target = System.IO.Path.Combine(Path, name);
                File.Move(System.IO.Path.Combine(staging, name), target, overwrite: true);
                written.Add(target);
            }

            return written;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>After a failure: removes the folder if this command created it and nothing is in it.</summary>
    public void CleanUp()
    {
        if (created && Writes && Directory.Exists(Path) && !Directory.EnumerateFileSystemEntries(Path).Any())
        {
            Directory.Delete(Path);
        }
    }
}
