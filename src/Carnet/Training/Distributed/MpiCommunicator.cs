using System.Runtime.InteropServices;
using System.Text;

namespace Carnet.Training.Distributed;

/// <summary>
/// A <see cref="Communicator"/> over MPI's world communicator, through MPICH's C library (<c>libmpich.so.12</c>, Debian's
/// <c>mpich</c> package; any MPI of the MPICH ABI works, such as Intel MPI or MVAPICH). Start the program with MPICH's
/// <c>mpiexec -n N</c>. Errors are returned, not fatal, so a rank that dies ends the others' next collective with a
/// <see cref="DistributedTrainingException"/>.
/// </summary>
/// <remarks>
/// Minimal bindings to the nine C functions used, rather than the MPI.NET package: MPI.NET 1.4 generates its reduction
/// code at run time with System.Reflection.Emit (DynamicMethod), which Native AOT cannot run, and is built for
/// MS-MPI's library name.
/// </remarks>
public sealed partial class MpiCommunicator : Communicator
{
    private const string Library = "libmpich.so.12";
    private const int World = 0x44000000, Byte = 0x4c00010d, Float = 0x4c00040a, Double = 0x4c00080b, Sum = 0x58000003, ErrorsReturn = 0x54000001;
    private static readonly nint InPlace = -1;
    private bool finalized;

    private MpiCommunicator(int rank, int size) => (Rank, Size) = (rank, size);

    /// <inheritdoc />
    public override int Rank { get; }

    /// <inheritdoc />
    public override int Size { get; }

    /// <summary>Whether this process was started by an MPI launcher (MPICH's hydra or another PMI, or Open MPI's).</summary>
    public static bool IsLaunched => Environment.GetEnvironmentVariable("PMI_RANK") is not null || Environment.GetEnvironmentVariable("PMI_FD") is not null
        || Environment.GetEnvironmentVariable("PMIX_RANK") is not null || Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>Initialises MPI and joins the world communicator.</summary>
    /// <exception cref="DistributedTrainingException">No MPI launcher started this process, or the MPI library is missing or fails.</exception>
    public static MpiCommunicator Start()
    {
        if (!IsLaunched)
        {
            throw new DistributedTrainingException("--distributed needs an MPI launcher: run it as mpiexec -n N carnet … --distributed (MPICH: apt-get install mpich)")
            {
                SeenByAllRanks = true,
            };
        }

        if (!NativeLibrary.TryLoad(Library, out nint handle))
        {
            throw new DistributedTrainingException($"the MPI library {Library} was not found: install MPICH (apt-get install mpich)") { SeenByAllRanks = true };
        }

        NativeLibrary.Free(handle);
        Check(MpiInit(0, 0), "MPI_Init");
        Check(MpiCommSetErrhandler(World, ErrorsReturn), "MPI_Comm_set_errhandler");
        Check(MpiCommRank(World, out int rank), "MPI_Comm_rank");
        Check(MpiCommSize(World, out int size), "MPI_Comm_size");
        return new MpiCommunicator(rank, size);
    }

    /// <inheritdoc />
    public override void AllReduceSum(Span<float> values)
    {
        if (!values.IsEmpty)
        {
            Check(MpiAllreduce(InPlace, ref MemoryMarshal.GetReference(values), values.Length, Float, Sum, World), "MPI_Allreduce");
        }
    }

    /// <inheritdoc />
    public override void AllReduceSum(Span<double> values)
    {
        if (!values.IsEmpty)
        {
            Check(MpiAllreduce(InPlace, ref MemoryMarshal.GetReference(values), values.Length, Double, Sum, World), "MPI_Allreduce");
        }
    }

    /// <inheritdoc />
    public override byte[] AllGather(ReadOnlySpan<byte> block)
    {
        byte[] send = block.ToArray(), all = new byte[block.Length * Size];
        Check(MpiAllgather(send, send.Length, Byte, all, send.Length, Byte, World), "MPI_Allgather");
        return all;
    }

    /// <inheritdoc />
    public override void Abort(int exitCode)
    {
        MpiAbort(World, exitCode);
        Environment.Exit(exitCode); // MPI_Abort does not return; should it, this rank still ends
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!finalized)
        {
            finalized = true;
            MpiFinalize();
        }
    }

    private static void Check(int code, string function)
    {
        if (code != 0)
        {
            var text = new byte[1024];
            string reason = MpiErrorString(code, text, out int length) == 0 ? Encoding.UTF8.GetString(text, 0, Math.Clamp(length, 0, text.Length)) : $"error {code}";
            throw new DistributedTrainingException($"{function} failed ({reason.ReplaceLineEndings(" ").Trim()}): another rank has probably died");
        }
    }

    [LibraryImport(Library, EntryPoint = "MPI_Init")]
    private static partial int MpiInit(nint argc, nint argv);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_set_errhandler")]
    private static partial int MpiCommSetErrhandler(int communicator, int handler);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_rank")]
    private static partial int MpiCommRank(int communicator, out int rank);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_size")]
    private static partial int MpiCommSize(int communicator, out int size);

    [LibraryImport(Library, EntryPoint = "MPI_Allreduce")]
    private static partial int MpiAllreduce(nint send, ref float receive, int count, int type, int operation, int communicator);

    [LibraryImport(Library, EntryPoint = "MPI_Allreduce")]
    private static partial int MpiAllreduce(nint send, ref double receive, int count, int type, int operation, int communicator);

    [LibraryImport(Library, EntryPoint = "MPI_Allgather")]
    private static partial int MpiAllgather(byte[] send, int sendCount, int sendType, [Out] byte[] receive, int receiveCount, int receiveType, int communicator);

    [LibraryImport(Library, EntryPoint = "MPI_Abort")]
    private static partial int MpiAbort(int communicator, int code);

    [LibraryImport(Library, EntryPoint = "MPI_Finalize")]
    private static partial int MpiFinalize();

    [LibraryImport(Library, EntryPoint = "MPI_Error_string")]
    private static partial int MpiErrorString(int code, [Out] byte[] text, out int length);
}
