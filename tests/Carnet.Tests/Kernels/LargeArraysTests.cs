// Dimension legend: N = elements of a buffer.
using System.Globalization;
using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>
/// <see cref="LargeArrays"/>: arrays come zeroed when asked, of every size, and writing a large one faults (almost) no
/// page (the minor faults of this thread, from <c>/proc/thread-self/stat</c>, so other tests running beside it do not
/// count; 0 off Linux, where the test proves less).
/// </summary>
public sealed class LargeArraysTests
{
    private const int Length = 32 << 20; // 128 MiB of float: 32,768 pages of 4 KiB
    private const int Pages = Length / 1024;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1025)]
    [InlineData(300_001)]
    public void ArraysAreZeroedWhenAsked(int length)
    {
        var array = LargeArrays.Allocate<float>(length, clear: true);
        Assert.Equal(length, array.Length);
        Assert.Equal(-1, array.AsSpan().IndexOfAnyExcept(0f));
        var doubles = LargeArrays.Allocate<double>(length, clear: false);
        Assert.Equal(length, doubles.Length);
    }

    [Fact]
    public void WritingALargeArrayFaultsNoPage()
    {
        // 128 MiB is new memory to the process (no freed block that large lies around): without the pages faulted in
        // first, filling it faults each of them (checked: 32,769 of the 32,768)
        var ready = LargeArrays.Allocate<float>(Length, clear: false);
        long faults = FaultsWhileFilling(ready);
        Assert.Equal(2f, ready[^1]);
        Assert.True(faults < Pages / 100, $"writing an array of LargeArrays faulted {faults} of its {Pages} pages");
    }

    private static long FaultsWhileFilling(float[] array)
    {
        long before = MinorFaults();
        array.AsSpan().Fill(2f);
        return MinorFaults() - before;
    }

    /// <summary>Minor page faults of the calling thread so far (field 10 of /proc/thread-self/stat), 0 off Linux.</summary>
    private static long MinorFaults()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        string stat = File.ReadAllText("/proc/thread-self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from 3 (state) on
        return long.Parse(fields[10 - 3], CultureInfo.InvariantCulture);
    }
}
