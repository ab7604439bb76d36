using System.Globalization;
using Carnet;

namespace Carnet.Tests.Support;

/// <summary>Central finite differences in double precision, element by element, against an analytic gradient.</summary>
internal static class GradientCheck
{
    public const double Step = 1e-6;
    public const double Tolerance = 1e-7;

    /// <summary>
    /// For every element of <paramref name="values"/>: (L(x + ε) − L(x − ε)) / 2ε must equal the analytic gradient
    /// within <see cref="Tolerance"/> · max(1, |gradient|). Returns the number of elements checked.
    /// </summary>
    public static int Check(string name, Tensor<double> values, ReadOnlySpan<double> analytic, Func<double> loss)
    {
        Span<double> x = values.Span;
        Assert.Equal(x.Length, analytic.Length);
        for (int i = 0; i < x.Length; i++)
        {
            double original = x[i];
            x[i] = original + Step;
            double plus = loss();
            x[i] = original - Step;
            double minus = loss();
            x[i] = original;
            double numeric = (plus - minus) / (2 * Step);
            double error = Math.Abs(numeric - analytic[i]) / Math.Max(1.0, Math.Abs(analytic[i]));
            if (!(error <= Tolerance))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"d/d{name}[{i}]: analytic {analytic[i]:R}, finite difference {numeric:R} (error {error:E2})."));
            }
        }

        return x.Length;
    }

    /// <summary>Σ a ⊙ b, the test loss's building block.</summary>
    public static double Dot(Tensor<double> a, Tensor<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a.Span[i] * b.Span[i];
        }

        return sum;
    }

    /// <summary>A tensor of standard normal draws.</summary>
    public static Tensor<double> Normal(RandomSource random, params int[] shape)
    {
        var tensor = Tensor<double>.Zeros(shape);
        random.FillGaussian(tensor.Span, 0, 1);
        return tensor;
    }
}
