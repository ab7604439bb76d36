using System.Globalization;

namespace Carnet.Tasks.Text.Music;

/// <summary>
/// An exact duration in whole notes (3/8 is a dotted quarter), kept as a reduced fraction so that bars add up exactly
/// through tuplets and broken rhythms.
/// </summary>
/// <param name="Numerator">The numerator.</param>
/// <param name="Denominator">The denominator, positive.</param>
public readonly record struct MusicFraction(long Numerator, long Denominator) : IComparable<MusicFraction>
{
    /// <summary>Nothing.</summary>
    public static readonly MusicFraction Zero = new(0, 1);

    /// <summary>One whole note.</summary>
    public static readonly MusicFraction One = new(1, 1);

    /// <summary>The reduced fraction <paramref name="numerator"/>/<paramref name="denominator"/>.</summary>
    /// <exception cref="DivideByZeroException">The denominator is 0.</exception>
    public static MusicFraction Of(long numerator, long denominator)
    {
        if (denominator == 0)
        {
            throw new DivideByZeroException("a fraction with denominator 0");
        }

        long divisor = Gcd(Math.Abs(numerator), Math.Abs(denominator));
        divisor = divisor == 0 ? 1 : divisor;
        long sign = denominator < 0 ? -1 : 1;
        return new MusicFraction(sign * numerator / divisor, sign * denominator / divisor);
    }

    /// <summary>The sum.</summary>
    public static MusicFraction operator +(MusicFraction a, MusicFraction b)
        => Of(checked((a.Numerator * b.Denominator) + (b.Numerator * a.Denominator)), checked(a.Denominator * b.Denominator));

    /// <summary>The difference.</summary>
    public static MusicFraction operator -(MusicFraction a, MusicFraction b) => a + new MusicFraction(-b.Numerator, b.Denominator);

    /// <summary>The product.</summary>
    public static MusicFraction operator *(MusicFraction a, MusicFraction b) => Of(checked(a.Numerator * b.Numerator), checked(a.Denominator * b.Denominator));

    /// <summary>Whether <paramref name="a"/> is shorter.</summary>
    public static bool operator <(MusicFraction a, MusicFraction b) => a.CompareTo(b) < 0;

    /// <summary>Whether <paramref name="a"/> is longer.</summary>
    public static bool operator >(MusicFraction a, MusicFraction b) => a.CompareTo(b) > 0;

    /// <summary>Whether <paramref name="a"/> is at most <paramref name="b"/>.</summary>
    public static bool operator <=(MusicFraction a, MusicFraction b) => a.CompareTo(b) <= 0;

    /// <summary>Whether <paramref name="a"/> is at least <paramref name="b"/>.</summary>
    public static bool operator >=(MusicFraction a, MusicFraction b) => a.CompareTo(b) >= 0;

    /// <summary>The value as a double.</summary>
    public double Value => (double)Numerator / Denominator;

    /// <inheritdoc/>
    public int CompareTo(MusicFraction other) => (checked(Numerator * other.Denominator)).CompareTo(checked(other.Numerator * Denominator));

    /// <summary><c>3/8</c>, or <c>1</c> for a whole.</summary>
    public override string ToString() => Denominator == 1
        ? Numerator.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
}
