// Dimension legend: M = rows of the left operand (the batch at one step), K = shared dimension, N = output columns.
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// A weight matrix prepared once as the right operand op(B) (K, N) of the products a layer repeats at every time step.
/// For float it is packed into the GEMM's panel layout (buffers come from a pool, so steady state allocates nothing);
/// for double, the reference kernels read it as it is.
/// </summary>
internal sealed class WeightOperand<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly ConcurrentBag<PackedMatrix> Pool = [];
    private readonly PackedMatrix? packed;
    private readonly QuantizedRows? quantized;
    private readonly ReadOnlyMemory<T> matrix;
    private readonly bool transposeB;
    private readonly int ldb, k, n;

    private WeightOperand(bool transposeB, ReadOnlyMemory<T> matrix, int ldb, int k, int n, WeightPrecision precision, QuantizedRows? given = null)
    {
        (this.transposeB, this.matrix, this.ldb, this.k, this.n) = (transposeB, matrix, ldb, k, n);
        if (given is not null)
        {
            quantized = given;
        }
        else if (precision == WeightPrecision.Int8)
        {
            if (typeof(T) != typeof(float) || !transposeB || ldb != k)
            {
                throw new ArgumentException("int8 weights are made from a float matrix stored one output per row");
            }

            quantized = new QuantizedRows(MemoryMarshal.Cast<T, float>(matrix.Span), k, n);
        }
        else if (typeof(T) == typeof(float) && !KernelSettings.UseReferenceKernels)
        {
            packed = Pool.TryTake(out var reused) ? reused : new PackedMatrix();
            Gemm.PackB(transposeB, MemoryMarshal.Cast<T, float>(matrix.Span), ldb, k, n, packed);
        }
    }

    /// <summary>Prepares op(B): B stored (K, N), or (N, K) when <paramref name="transposeB"/>, rows <paramref name="ldb"/> apart.</summary>
    public static WeightOperand<T> Create(bool transposeB, ReadOnlyMemory<T> matrix, int ldb, int k, int n) => new(transposeB, matrix, ldb, k, n, WeightPrecision.Float);

    /// <summary>
    /// Prepares op(B) in <paramref name="precision"/>: for <see cref="WeightPrecision.Int8"/>, B must be float stored (N, K), one
    /// output per row, which is quantised row by row; each row of A is then quantised when it is multiplied.
    /// </summary>
    public static WeightOperand<T> Create(bool transposeB, ReadOnlyMemory<T> matrix, int ldb, int k, int n, WeightPrecision precision)
        => new(transposeB, matrix, ldb, k, n, precision);

    /// <summary>
    /// Prepares Wᵀ (K, N) for a weight parameter W (N, K) stored one output per row: its own int8 rows when the parameter
    /// is quantised (<see cref="Parameter{T}.IsQuantized"/>), else W in <paramref name="precision"/>.
    /// </summary>
    public static WeightOperand<T> ForRows(Parameter<T> weight, int k, int n, WeightPrecision precision = WeightPrecision.Float)
        => new(true, weight.Value.Memory, k, k, n, precision, weight.Quantized);

    /// <summary>C (M, N) = A (M, K) · op(B), or C += … when accumulating; rows of C are <paramref name="ldc"/> apart.</summary>
    public void Multiply(ReadOnlySpan<T> a, int m, Span<T> c, int ldc, bool accumulate)
    {
        if (quantized is not null)
        {
            quantized.Multiply(MemoryMarshal.Cast<T, float>(a), m, MemoryMarshal.Cast<T, float>(c), ldc, accumulate, [0], n);
        }
        else if (packed is not null)
        {
            Gemm.Multiply(false, MemoryMarshal.Cast<T, float>(a), k, packed, m, MemoryMarshal.Cast<T, float>(c), ldc, accumulate);
        }
        else
        {
            Gemm.Multiply(false, transposeB, a, k, matrix.Span, ldb, m, n, k, c, ldc, accumulate);
        }
    }

    /// <summary>
    /// C (M, N) = bias [+ second] + A (M, K) · op(B), C's rows N apart: bit-identical to broadcasting the biases into C
    /// (<see cref="Elementwise.BroadcastRows{T}"/>) and then accumulating, which is what the int8 and double products do.
    /// </summary>
    public void MultiplyPlusBias(ReadOnlySpan<T> a, int m, Span<T> c, ReadOnlySpan<T> bias, ReadOnlySpan<T> second)
    {
        if (packed is not null)
        {
            Gemm.MultiplyPlusBias(
                MemoryMarshal.Cast<T, float>(a), k, packed, m, MemoryMarshal.Cast<T, float>(c), n,
                MemoryMarshal.Cast<T, float>(bias), MemoryMarshal.Cast<T, float>(second));
            return;
        }

        Elementwise.BroadcastRows(bias, second, m, n, c);
        Multiply(a, m, c, n, accumulate: true);
    }

    /// <summary>
    /// A range of columns handed to <see cref="MultiplyColumns"/> must start at a multiple of this: the packed panel
    /// width for float, 1 for the reference kernels.
    /// </summary>
    public int ColumnAlignment => packed is null ? 1 : Gemm.ColumnAlignment(packed);

    /// <summary>The precision the products run in.</summary>
    public WeightPrecision Precision => quantized is null ? WeightPrecision.Float : WeightPrecision.Int8;

    /// <summary>
    /// For each start s in <paramref name="columnStarts"/>, columns [s, s + <paramref name="columnCount"/>) of
    /// C (M, N) = A · op(B) (or += …), on the calling thread; C is addressed as in the whole product. Bit-identical to
    /// those columns of <see cref="Multiply"/>. With a <paramref name="bias"/> (N) and not accumulating, C = bias + A · op(B):
    /// bit-identical to copying the bias into those columns, then accumulating.
    /// </summary>
    public void MultiplyColumns(
        ReadOnlySpan<T> a, int m, Span<T> c, int ldc, bool accumulate, ReadOnlySpan<int> columnStarts, int columnCount, ReadOnlySpan<T> bias = default)
    {
        if (packed is not null)
        {
            Gemm.MultiplyColumns(
                MemoryMarshal.Cast<T, float>(a), k, packed, m, columnStarts, columnCount, MemoryMarshal.Cast<T, float>(c), ldc, accumulate,
                MemoryMarshal.Cast<T, float>(bias));
            return;
        }

        if (!bias.IsEmpty && !accumulate)
        {
            foreach (int start in columnStarts)
            {
                Elementwise.CopyRows(bias.Slice(start, columnCount), 0, m, columnCount, c[start..], ldc); // the bias in every row
            }

            accumulate = true;
        }

        if (quantized is not null)
        {
            quantized.Multiply(MemoryMarshal.Cast<T, float>(a), m, MemoryMarshal.Cast<T, float>(c), ldc, accumulate, columnStarts, columnCount);
            return;
        }

        foreach (int start in columnStarts)
        {
            Gemm.Multiply(
                false, transposeB, a, k, matrix.Span[(transposeB ? start * ldb : start)..], ldb, m, columnCount, k,
                c[start..], ldc, accumulate);
        }
    }

    /// <summary>Returns the packing buffer to the pool.</summary>
    public void Dispose()
    {
        if (packed is not null)
        {
            Pool.Add(packed);
        }
    }
}
