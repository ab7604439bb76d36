using System.Globalization;

namespace Carnet.Cli.Reporting;

/// <summary>
/// The tick values of one axis and the range they cover: "nice" numbers 1, 2 or 5 × 10^k apart on a linear axis,
/// powers of ten (with 2 and 5 multiples over short spans) on a logarithmic one.
/// </summary>
internal sealed class AxisTicks
{
    private AxisTicks(double[] values, double lower, double upper, int exponent, bool logarithmic)
    {
        Values = values;
        Lower = lower;
        Upper = upper;
        Exponent = exponent;
        IsLogarithmic = logarithmic;
    }

    /// <summary>The ticks, ascending; the first is <see cref="Lower"/> and the last <see cref="Upper"/>.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>The low end of the axis (a tick at or below the data).</summary>
    public double Lower { get; }

    /// <summary>The high end of the axis (a tick at or above the data).</summary>
    public double Upper { get; }

    /// <summary>The power of ten of a linear axis's step (the step is 1, 2 or 5 × 10^<see cref="Exponent"/>).</summary>
    public int Exponent { get; }

    /// <summary>Whether the ticks are on a logarithmic axis.</summary>
    public bool IsLogarithmic { get; }

    /// <summary>
    /// Ticks covering [<paramref name="minimum"/>, <paramref name="maximum"/>] in about <paramref name="target"/> steps:
    /// the smallest step of 1, 2, 5 × 10^k that covers the range in at most target + 1 steps. An empty range is
    /// widened (by 10% of the value each side, or to ±1 around zero) so a constant series still gets an axis.
    /// </summary>
    public static AxisTicks Linear(double minimum, double maximum, int target)
    {
        if (!double.IsFinite(minimum) || !double.IsFinite(maximum) || minimum > maximum)
        {
            throw new ArgumentException($"invalid axis range [{minimum.ToString(CultureInfo.InvariantCulture)}, {maximum.ToString(CultureInfo.InvariantCulture)}]");
        }

        if (maximum - minimum <= Math.Max(Math.Abs(minimum), Math.Abs(maximum)) * 1e-12)
        {
            double pad = minimum == 0 ? 1 : Math.Abs(minimum) * 0.1;
            minimum -= pad;
            maximum += pad;
        }

        target = Math.Max(1, target);
        double raw = (maximum - minimum) / target;
        int exponent = (int)Math.Floor(Math.Log10(raw));
        double residual = raw / Math.Pow(10, exponent);
        int multiple = residual >= 5 ? 5 : residual >= 2 ? 2 : 1;
        long first, last;
        while (true)
        {
            double step = Value(1, multiple, exponent);
            first = (long)Math.Floor(minimum / step + 1e-9);
            last = (long)Math.Ceiling(maximum / step - 1e-9);
            if (last - first <= target + 1)
            {
                break;
            }

            (multiple, exponent) = multiple switch { 1 => (2, exponent), 2 => (5, exponent), _ => (1, exponent + 1) };
        }

        var values = new double[last - first + 1];
        for (long k = first; k <= last; k++)
        {
            values[k - first] = Value(k, multiple, exponent);
        }

        return new AxisTicks(values, values[0], values[^1], exponent, logarithmic: false);
    }

    /// <summary>
    /// Ticks of a logarithmic axis over positive [<paramref name="minimum"/>, <paramref name="maximum"/>]: 1, 2, 5 × 10^k
    /// when the span is at most two decades, otherwise powers of ten (every k-th when there are more than
    /// <paramref name="target"/>).
    /// </summary>
    public static AxisTicks Logarithmic(double minimum, double maximum, int target)
    {
        if (!double.IsFinite(minimum) || !double.IsFinite(maximum) || minimum <= 0 || minimum > maximum)
        {
            throw new ArgumentException($"invalid logarithmic axis range [{minimum.ToString(CultureInfo.InvariantCulture)}, {maximum.ToString(CultureInfo.InvariantCulture)}]");
        }

        if (maximum <= minimum * (1 + 1e-12))
        {
            minimum /= Math.Sqrt(10);
            maximum *= Math.Sqrt(10);
        }

        int low = (int)Math.Floor(Math.Log10(minimum));
        int high = (int)Math.Ceiling(Math.Log10(maximum));
        high = Math.Max(high, low + 1);
        var values = new List<double>();
        if (high - low <= 2)
        {
            for (int decade = low; decade <= high; decade++)
            {
                foreach (int multiple in (ReadOnlySpan<int>)[1, 2, 5])
                {
                    values.Add(Value(multiple, 1, decade));
                }
            }

            int firstIndex = Math.Max(0, values.FindLastIndex(v => v <= minimum * (1 + 1e-12)));
            int lastIndex = values.FindIndex(v => v >= maximum * (1 - 1e-12));
            lastIndex = lastIndex < firstIndex ? values.Count - 1 : lastIndex;
            values = values.GetRange(firstIndex, lastIndex - firstIndex + 1);
        }
        else
        {
            int stride = Math.Max(1, (int)Math.Ceiling((high - low) / (double)Math.Max(1, target)));
            int first = (int)Math.Floor(low / (double)stride) * stride;
            int last = (int)Math.Ceiling(high / (double)stride) * stride;
            for (int decade = first; decade <= last; decade += stride)
            {
                values.Add(Value(1, 1, decade));
            }
        }

        return new AxisTicks([.. values], values[0], values[^1], 0, logarithmic: true);
    }

    /// <summary>The smallest of 1, 2, 5, 10, 20, 50, … that is at least <paramref name="minimum"/>: a label stride that counts in round steps.</summary>
    public static int NiceStride(double minimum)
    {
        int stride = 1;
        while (true)
        {
            foreach (int multiple in (ReadOnlySpan<int>)[1, 2, 5])
            {
                if (stride * multiple >= minimum)
                {
                    return stride * multiple;
                }
            }

            stride *= 10;
        }
    }

    /// <summary>
    /// The default label of a tick: three significant digits on a logarithmic axis; on a linear one, the decimals the
    /// step needs (<c>0.2</c>, <c>20</c>), or scientific notation with the digits the step needs for very large or very
    /// small values (<c>2E+08</c>, <c>1.5E-06</c>).
    /// </summary>
    public string Label(double value)
    {
        if (IsLogarithmic)
        {
            return Markup.Significant(value, 3);
        }

        double largest = Math.Max(Math.Abs(Lower), Math.Abs(Upper));
        if (largest >= 1e7 || largest < 1e-3)
        {
            int digits = Math.Clamp((int)Math.Floor(Math.Log10(largest)) - Exponent + 1, 1, 15);
            string format = "0." + new string('#', digits - 1) + "E+00";
            return value == 0 ? "0" : value.ToString(format, CultureInfo.InvariantCulture);
        }

        int decimals = Math.Clamp(-Exponent, 0, 15);
        return (Math.Round(value, decimals) + 0.0).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>k × m × 10^e computed so that decimal ticks are the doubles nearest their decimal values (0.3, not 0.30000000000000004).</summary>
    private static double Value(long k, int multiple, int exponent) =>
        exponent >= 0 ? k * multiple * Math.Pow(10, exponent) : k * multiple / Math.Pow(10, -exponent);
}

/// <summary>A map from data values to pixels along one axis, linear or logarithmic.</summary>
internal sealed class AxisScale
{
    private readonly double lower;
    private readonly double span;

    /// <summary>Maps [<paramref name="minimum"/>, <paramref name="maximum"/>] onto [<paramref name="pixelStart"/>, <paramref name="pixelEnd"/>].</summary>
    public AxisScale(double minimum, double maximum, double pixelStart, double pixelEnd, bool logarithmic = false)
    {
        Minimum = minimum;
        Maximum = maximum;
        PixelStart = pixelStart;
        PixelEnd = pixelEnd;
        Logarithmic = logarithmic;
        lower = logarithmic ? Math.Log10(minimum) : minimum;
        span = (logarithmic ? Math.Log10(maximum) : maximum) - lower;
    }

    /// <summary>The scale of a tick set's range.</summary>
    public AxisScale(AxisTicks ticks, double pixelStart, double pixelEnd)
        : this(ticks.Lower, ticks.Upper, pixelStart, pixelEnd, ticks.IsLogarithmic)
    {
    }

    /// <summary>The value at <see cref="PixelStart"/>.</summary>
    public double Minimum { get; }

    /// <summary>The value at <see cref="PixelEnd"/>.</summary>
    public double Maximum { get; }

    /// <summary>The pixel of <see cref="Minimum"/>.</summary>
    public double PixelStart { get; }

    /// <summary>The pixel of <see cref="Maximum"/>.</summary>
    public double PixelEnd { get; }

    /// <summary>Whether values map by their logarithm.</summary>
    public bool Logarithmic { get; }

    /// <summary>The pixel of <paramref name="value"/>; the middle of the axis when the range is empty.</summary>
    public double Map(double value)
    {
        double v = Logarithmic ? Math.Log10(value) : value;
        double t = span == 0 ? 0.5 : (v - lower) / span;
        return PixelStart + t * (PixelEnd - PixelStart);
    }
}
