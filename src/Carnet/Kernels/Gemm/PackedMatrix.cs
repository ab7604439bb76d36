// Dimension legend: K = rows of op(B) (the summed dimension of a product), N = columns of op(B),
// NR = columns of one packed panel (the micro-kernel's width), KC = depth of one K block, Np = N rounded up to NR.
namespace Carnet.Kernels;

/// <summary>
/// A right-hand operand op(B) (K, N) packed once into the layout the SIMD micro-kernels read, for products that
/// reuse the same matrix many times: the recurrent weights, multiplied every time step of a forward or backward
/// pass. Create one with <see cref="Gemm.PackB(bool, ReadOnlySpan{float}, int, int, int)"/> (or pack into an existing
/// one to reuse its buffer) and pass it to <see cref="Gemm.Multiply(bool, ReadOnlySpan{float}, int, PackedMatrix, int, Span{float}, int, bool)"/>;
/// the results are bit-identical to the unpacked <see cref="Gemm.Multiply{T}"/> on the same matrix.
/// </summary>
/// <remarks>
/// Layout, for K blocks of depth KC (the last one shorter) and panels of NR columns (the last one zero-padded):
/// block p0 starts at p0·Np; panel j of that block at p0·Np + j·NR·kc and holds its kc rows one after another,
/// NR values each, so a micro-kernel streams a panel front to back and a one-row product (batch 1) reads the
/// whole matrix once, sequentially.
/// </remarks>
internal sealed class PackedMatrix
{
    private AlignedBuffer buffer;

    /// <summary>Creates an empty matrix, to be filled (and sized) by the first pack into it.</summary>
    public PackedMatrix()
    {
    }

    /// <summary>Creates an empty matrix whose buffer already holds any op(B) up to the given size.</summary>
    public PackedMatrix(int maximumRows, int maximumColumns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maximumRows);
        ArgumentOutOfRangeException.ThrowIfNegative(maximumColumns);
        var layout = GemmLayout.Current;
        buffer.EnsureCapacity(checked(maximumRows * PaddedWidth(maximumColumns, layout.PanelWidth)));
    }

    /// <summary>K: rows of op(B).</summary>
    public int Rows { get; private set; }

    /// <summary>N: columns of op(B).</summary>
    public int Columns { get; private set; }

    /// <summary>The micro-kernel family this matrix is packed for (which fixes NR and KC).</summary>
    internal GemmLayout Layout { get; private set; } = GemmLayout.Current;

    /// <summary>Np: columns rounded up to a whole number of panels.</summary>
    internal int PaddedColumns => PaddedWidth(Columns, Layout.PanelWidth);

    /// <summary>The packed values, K · Np of them, 64-byte aligned.</summary>
    internal Span<float> Data => buffer.AsSpan(Rows * PaddedColumns);

    /// <summary>Element (p, j) of op(B), read from the packed layout.</summary>
    public float this[int p, int j]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)p, (uint)Rows, nameof(p));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)j, (uint)Columns, nameof(j));
            int depth = Layout.BlockDepth, width = Layout.PanelWidth;
            int p0 = p / depth * depth;
            int kc = Math.Min(depth, Rows - p0);
            int panel = j / width;
            return Data[p0 * PaddedColumns + panel * width * kc + (p - p0) * width + (j - panel * width)];
        }
    }

    /// <summary>Sets the shape and layout for a new pack, growing the buffer when it is too small.</summary>
    internal void Reset(int rows, int columns, GemmLayout layout)
    {
        Layout = layout;
        buffer.EnsureCapacity(checked(rows * PaddedWidth(columns, layout.PanelWidth)));
        Rows = rows;
        Columns = columns;
    }

    private static int PaddedWidth(int columns, int panelWidth) => (columns + panelWidth - 1) / panelWidth * panelWidth;
}
