using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Carnet.IO;

/// <summary>What a path names, as far as reading it goes.</summary>
internal enum FileKind
{
    /// <summary>The type could not be read (not Linux, or the C library lacks <c>stat</c>): read it as a regular file.</summary>
    Unknown,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A named pipe (FIFO): opening it waits for a writer, reading it may never end.</summary>
    NamedPipe,

    /// <summary>A character device (<c>/dev/zero</c>, a terminal): reading it may never end.</summary>
    CharacterDevice,

    /// <summary>A block device (a disk).</summary>
    BlockDevice,

    /// <summary>A socket.</summary>
    Socket,

    /// <summary>Nothing: the path does not exist.</summary>
    Missing,
}

/// <summary>
/// The kind of a path without opening it (opening a named pipe blocks until someone writes to it), from the C
/// library's <c>stat</c>, which follows symbolic links. .NET has no public API for a file's type on Unix.
/// </summary>
internal static partial class FileKinds
{
    // S_IFMT and its values are the same on Linux and macOS.
    private const int TypeMask = 0xF000, Pipe = 0x1000, Character = 0x2000, Folder = 0x4000, Block = 0x6000, Regular = 0x8000, SocketType = 0xC000;

    /// <summary>The kind of <paramref name="path"/>.</summary>
    public static FileKind Of(string path)
    {
        if (ModeOffset() is not { } offset)
        {
            return File.Exists(path) ? FileKind.Unknown : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
        }

        var status = new byte[256]; // struct stat: 144 bytes on Linux x64, 128 on arm64
        int result;
        try
        {
            result = Stat(path, status);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return File.Exists(path) ? FileKind.Unknown : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
        }

        if (result != 0)
        {
            return File.Exists(path) || Directory.Exists(path) ? FileKind.Unknown : FileKind.Missing;
        }

        int mode = BinaryPrimitives.ReadInt32LittleEndian(status.AsSpan(offset));
        return (mode & TypeMask) switch
        {
            Regular => FileKind.Regular,
            Folder => FileKind.Directory,
            Pipe => FileKind.NamedPipe,
            Character => FileKind.CharacterDevice,
            Block => FileKind.BlockDevice,
            SocketType => FileKind.Socket,
            _ => FileKind.Unknown,
        };
    }

    /// <summary>
    /// Where <c>st_mode</c> sits in Linux's <c>struct stat</c>, or null elsewhere (macOS has several layouts under
    /// one name, Windows has no named pipes among its paths): there files are read as regular ones, within the limit.
    /// </summary>
    private static int? ModeOffset() => (OperatingSystem.IsLinux(), RuntimeInformation.ProcessArchitecture) switch
    {
        (true, Architecture.X64) => 24,   // st_dev, st_ino, st_nlink (8 bytes each), then st_mode (4)
        (true, Architecture.Arm64) => 16, // st_dev, st_ino, then st_mode
        _ => null,
    };

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, [Out] byte[] status);
}
