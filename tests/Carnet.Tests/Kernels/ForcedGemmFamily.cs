using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>Runs this thread's products with one kernel family ("Vector128", "Vector256", "Vector512") until disposed.</summary>
internal readonly struct ForcedGemmFamily : IDisposable
{
    public ForcedGemmFamily(string family)
    {
        Layout = LayoutOf(family);
        GemmLayout.Force(Layout);
    }

    /// <summary>The forced layout.</summary>
    public GemmLayout Layout { get; }

    /// <summary>The layout of a kernel family named as the tests' theory data name it.</summary>
    public static GemmLayout LayoutOf(string family) => family switch
    {
        "Vector128" => GemmLayout.Vector128,
        "Vector256" => GemmLayout.Vector256,
        _ => GemmLayout.Vector512,
    };

    public void Dispose() => GemmLayout.Force(null);
}
