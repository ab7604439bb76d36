// Dimension legend: N = samples of a signal, W = samples of a window (25 ms), F = frames (one every hop of 10 ms),
// Nfft = the FFT size (the power of two at or above W), Nb = Nfft / 2 + 1 spectrum bins, M = mel bands, D = feature
// dimensions (M log-mel energies, or the first D cepstra of them).
// Everything is computed in double precision, scalar: the arithmetic is the reference.
namespace Carnet.Kernels;

/// <summary>Audio arithmetic for speech features: resampling, pre-emphasis, framing, FFT, mel filterbanks, DCT, deltas.</summary>
internal static class AudioKernels
{
    /// <summary>Zero crossings of the resampling filter on each side of its centre, at the lower of the two rates.</summary>
    public const int ResamplingHalfWidth = 16;

    /// <summary>
    /// Band-limited resampling from <paramref name="fromRate"/> to <paramref name="toRate"/>: each output sample is
    /// Σ x[n] · h(t − n), h a sinc low-pass at 0.95 of the lower rate's Nyquist frequency under a Blackman window of
    /// <see cref="ResamplingHalfWidth"/> zero crossings a side, scaled for unit gain in the pass band.
    /// </summary>
    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate) // (N) → (N · toRate / fromRate)
    {
        if (fromRate == toRate)
        {
            return input.ToArray();
        }

        int outputs = (int)((long)input.Length * toRate / fromRate);
        var output = new float[outputs];
        var filter = new ResamplingFilter(fromRate, toRate);
        for (int m = 0; m < outputs; m++)
        {
            output[m] = filter.Sample(input, 0, input.Length, m);
        }

        return output;
    }

    /// <summary>The low-pass of <see cref="Resample"/> between two rates: which input samples make each output sample, and their sum.</summary>
    public readonly struct ResamplingFilter(int fromRate, int toRate)
    {
        private readonly double cutoff = 0.95 * Math.Min(fromRate, toRate) / 2; // Hz

        /// <summary>Input samples on each side of an output sample's centre.</summary>
        public double HalfWidth => ResamplingHalfWidth * fromRate / (2 * cutoff);

        /// <summary>Output sample m's place in input samples.</summary>
        public double Centre(long m) => (double)m * fromRate / toRate;

        /// <summary>The first input sample output sample m reads (before clipping to the signal).</summary>
        public long First(long m) => (long)Math.Ceiling(Centre(m) - HalfWidth);

        /// <summary>The last input sample output sample m reads (before clipping to the signal).</summary>
        public long Last(long m) => (long)Math.Floor(Centre(m) + HalfWidth);

        /// <summary>
        /// Output sample m of a signal of <paramref name="length"/> samples whose samples from <paramref name="offset"/> on
        /// are in <paramref name="input"/> (those m reads, at least).
        /// </summary>
        public float Sample(ReadOnlySpan<float> input, long offset, long length, long m)
        {
            double centre = Centre(m), halfWidth = HalfWidth, step = cutoff / fromRate; // step: the cut-off in cycles per input sample
            long first = Math.Max(0, First(m)), last = Math.Min(length - 1, Last(m));
            double sum = 0;
            for (long n = first; n <= last; n++)
            {
                double distance = n - centre;
                sum += input[(int)(n - offset)] * 2 * step * Sinc(2 * step * distance) * Blackman(distance / halfWidth);
            }

            return (float)sum;
        }
    }

    private static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>The Blackman window at u ∈ [−1, 1] (1 at the centre, 0 at the ends).</summary>
    private static double Blackman(double u) => Math.Abs(u) >= 1 ? 0 : 0.42 + (0.5 * Math.Cos(Math.PI * u)) + (0.08 * Math.Cos(2 * Math.PI * u));

    /// <summary>
    /// The frames of a signal after pre-emphasis y[n] = x[n] − k·x[n − 1] (y[0] = x[0]): frame f holds y[f·hop ..
    /// f·hop + W) times a Hamming window, zero-padded to Nfft. F = 1 + (N − W) / hop (at least 1: a short signal is
    /// one zero-padded frame).
    /// </summary>
    public static double[] WindowedFrames(ReadOnlySpan<float> signal, int window, int hop, int fftSize, double preEmphasis, out int frames) // (F, Nfft)
    {
        frames = signal.Length <= window ? 1 : 1 + ((signal.Length - window) / hop);
        var result = new double[frames * fftSize];
        for (int f = 0; f < frames; f++)
        {
            int start = f * hop;
            var samples = signal.Slice(start, Math.Min(window, signal.Length - start));
            WindowFrame(samples, start > 0 ? signal[start - 1] : 0, window, preEmphasis, result.AsSpan(f * fftSize, fftSize));
        }

        return result;
    }

    /// <summary>
    /// One frame of <see cref="WindowedFrames"/>: its samples (W, or fewer at the end of a short signal, the rest left
    /// zero) after pre-emphasis, <paramref name="previous"/> being the sample before them (0 at the start), times the
    /// Hamming window.
    /// </summary>
    public static void WindowFrame(ReadOnlySpan<float> samples, float previous, int window, double preEmphasis, Span<double> frame) // (≤ W) → (Nfft)
    {
        for (int i = 0; i < samples.Length; i++)
        {
            double emphasised = samples[i] - (preEmphasis * (i > 0 ? samples[i - 1] : previous));
            frame[i] = emphasised * (0.54 - (0.46 * Math.Cos(2 * Math.PI * i / (window - 1))));
        }
    }

    /// <summary>|X_k|² for k = 0 … Nfft/2 of each frame's discrete Fourier transform X (radix-2, in place on copies).</summary>
    public static double[] PowerSpectra(ReadOnlySpan<double> frames, int fftSize) // (F, Nfft) → (F, Nb)
    {
        int count = frames.Length / fftSize, bins = (fftSize / 2) + 1;
        var power = new double[count * bins];
        var real = new double[fftSize];
        var imaginary = new double[fftSize];
        for (int f = 0; f < count; f++)
        {
            frames.Slice(f * fftSize, fftSize).CopyTo(real);
            Array.Clear(imaginary);
            Fft(real, imaginary);
            for (int k = 0; k < bins; k++)
            {
                power[(f * bins) + k] = (real[k] * real[k]) + (imaginary[k] * imaginary[k]);
            }
        }

        return power;
    }

    /// <summary>The discrete Fourier transform X_k = Σ x_n e^(−2πikn/N) in place, N a power of two (iterative radix-2).</summary>
    public static void Fft(Span<double> real, Span<double> imaginary) // (N), (N)
    {
        int n = real.Length;
        if ((n & (n - 1)) != 0)
        {
            throw new ArgumentException($"an FFT of {n} points: a power of two expected", nameof(real));
        }

        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }

            j ^= bit;
            if (i < j)
            {
                (real[i], real[j]) = (real[j], real[i]);
                (imaginary[i], imaginary[j]) = (imaginary[j], imaginary[i]);
            }
        }

        for (int length = 2; length <= n; length <<= 1)
        {
            double angle = -2 * Math.PI / length;
            for (int start = 0; start < n; start += length)
            {
                for (int k = 0; k < length / 2; k++)
                {
                    double wr = Math.Cos(angle * k), wi = Math.Sin(angle * k);
                    int a = start + k, b = a + (length / 2);
                    double tr = (real[b] * wr) - (imaginary[b] * wi), ti = (real[b] * wi) + (imaginary[b] * wr);
                    (real[b], imaginary[b]) = (real[a] - tr, imaginary[a] - ti);
                    (real[a], imaginary[a]) = (real[a] + tr, imaginary[a] + ti);
                }
            }
        }
    }

    /// <summary>The mel scale of HTK: 2595 · log10(1 + f / 700).</summary>
    public static double Mel(double hertz) => 2595 * Math.Log10(1 + (hertz / 700));

    /// <summary>
    /// M triangular filters (M, Nb) evenly spaced on the mel scale between <paramref name="low"/> and
    /// <paramref name="high"/> Hz: filter m rises from mel edge m to m + 1 and falls to m + 2, evaluated at each bin's
    /// frequency k · rate / Nfft (on the mel scale, so the triangles are straight in mel).
    /// </summary>
    public static double[] MelFilterbank(int bands, int fftSize, int sampleRate, double low, double high) // (M, Nb)
    {
        int bins = (fftSize / 2) + 1;
        var filters = new double[bands * bins];
        double lowMel = Mel(low), highMel = Mel(high), spacing = (highMel - lowMel) / (bands + 1);
        for (int m = 0; m < bands; m++)
        {
            double left = lowMel + (m * spacing), centre = left + spacing, right = centre + spacing;
            for (int k = 0; k < bins; k++)
            {
                double mel = Mel((double)k * sampleRate / fftSize);
                double weight = mel <= left || mel >= right ? 0 : mel <= centre ? (mel - left) / spacing : (right - mel) / spacing;
                filters[(m * bins) + k] = weight;
            }
        }

        return filters;
    }

    /// <summary>log(max(Σ_k filter[m, k] · power[f, k], floor)) for every frame and band.</summary>
    public static double[] LogFilterbankEnergies(ReadOnlySpan<double> power, ReadOnlySpan<double> filters, int bins, double floor) // (F, Nb), (M, Nb) → (F, M)
    {
        int frames = power.Length / bins, bands = filters.Length / bins;
        var energies = new double[frames * bands];
        for (int f = 0; f < frames; f++)
        {
            for (int m = 0; m < bands; m++)
            {
                double sum = 0;
                for (int k = 0; k < bins; k++)
                {
                    sum += filters[(m * bins) + k] * power[(f * bins) + k];
                }

                energies[(f * bands) + m] = Math.Log(Math.Max(sum, floor));
            }
        }

        return energies;
    }

    /// <summary>The first D coefficients of each row's orthonormal DCT-II: c_d = s_d Σ_m x_m cos(π d (m + ½) / M), s_0 = √(1/M), s_d = √(2/M).</summary>
    public static double[] Dct(ReadOnlySpan<double> rows, int width, int coefficients) // (F, M) → (F, D)
    {
        int count = rows.Length / width;
        var result = new double[count * coefficients];
        for (int f = 0; f < count; f++)
        {
            for (int d = 0; d < coefficients; d++)
            {
                double sum = 0;
                for (int m = 0; m < width; m++)
                {
                    sum += rows[(f * width) + m] * Math.Cos(Math.PI * d * (m + 0.5) / width);
                }

                result[(f * coefficients) + d] = sum * Math.Sqrt((d == 0 ? 1.0 : 2.0) / width);
            }
        }

        return result;
    }

    /// <summary>
    /// Regression deltas over ±2 frames: Δ_t = Σ_{n=1..2} n (x_{t+n} − x_{t−n}) / (2 Σ n²) = (… ) / 10, the first and last
    /// frames repeated beyond the ends.
    /// </summary>
    public static double[] Deltas(ReadOnlySpan<double> rows, int width) // (F, D) → (F, D)
    {
        int count = rows.Length / width;
        var deltas = new double[rows.Length];
        for (int t = 0; t < count; t++)
        {
            Delta(Row(rows, t - 2), Row(rows, t - 1), Row(rows, t + 1), Row(rows, t + 2), deltas.AsSpan(t * width, width));
        }

        ReadOnlySpan<double> Row(ReadOnlySpan<double> all, int index) => all.Slice(Math.Clamp(index, 0, count - 1) * width, width);

        return deltas;
    }

    /// <summary>One frame's regression deltas from the two frames before it and the two after it (D each).</summary>
    public static void Delta(ReadOnlySpan<double> before2, ReadOnlySpan<double> before1, ReadOnlySpan<double> after1, ReadOnlySpan<double> after2, Span<double> delta)
    {
        for (int d = 0; d < delta.Length; d++)
        {
            delta[d] = ((after1[d] - before1[d]) + (2 * (after2[d] - before2[d]))) / 10;
        }
    }

    /// <summary>Each column to mean 0 and standard deviation 1 over the rows (a constant column to 0): per-utterance normalisation.</summary>
    public static void NormalizeColumns(Span<double> rows, int width) // (F, D)
    {
        var means = new double[width];
        var deviations = new double[width];
        ScalingKernels.ColumnMoments(rows, width, rows.Length / width, means, deviations);
        for (int d = 0; d < width; d++)
        {
            deviations[d] = deviations[d] > 1e-8 ? deviations[d] : double.PositiveInfinity; // (v − mean) / ∞ = 0
        }

        ScalingKernels.Standardize(rows, means, deviations, rows);
    }

    /// <summary>
    /// Running (causal) normalisation of one frame, the <paramref name="count"/>-th: the running mean and sum of squared
    /// deviations of each column (D) take the frame in (Welford's update), then the frame becomes (x − mean) / deviation
    /// over the frames so far (0 where the deviation is below 1e-8, as on the first frame).
    /// </summary>
    public static void NormalizeRunning(Span<double> row, Span<double> means, Span<double> squares, long count) // (D), (D), (D)
    {
        for (int d = 0; d < row.Length; d++)
        {
            double value = row[d], change = value - means[d];
            means[d] += change / count;
            squares[d] += change * (value - means[d]);
            double deviation = Math.Sqrt(squares[d] / count);
            row[d] = deviation > 1e-8 ? (value - means[d]) / deviation : 0;
        }
    }

    /// <summary>Zeroes rows [rowStart, rowStart + rowCount) × columns [columnStart, columnStart + columnCount) of (F, D): one SpecAugment mask.</summary>
    public static void Mask(Span<float> rows, int width, int rowStart, int rowCount, int columnStart, int columnCount) // (F, D)
    {
        for (int t = rowStart; t < rowStart + rowCount; t++)
        {
            rows.Slice((t * width) + columnStart, columnCount).Clear();
        }
    }

    /// <summary>
    /// Frame stacking: output frame f holds input frames f·k … f·k + k − 1 side by side (the last group repeats the
    /// final frame to fill), so k times fewer frames of k times the width.
    /// </summary>
    public static float[] StackFrames(ReadOnlySpan<float> rows, int width, int factor, out int frames) // (F, D) → (⌈F/k⌉, k·D)
    {
        int count = rows.Length / width;
        frames = (count + factor - 1) / factor;
        var stacked = new float[frames * factor * width];
        for (int f = 0; f < frames; f++)
        {
            for (int j = 0; j < factor; j++)
            {
                int source = Math.Min((f * factor) + j, count - 1);
                rows.Slice(source * width, width).CopyTo(stacked.AsSpan(((f * factor) + j) * width));
            }
        }

        return stacked;
    }
}
