// Dimension legend: R = rows, C = columns of a row-major matrix.
using System.Numerics;

namespace Carnet.Kernels;

/// <summary>Small dense linear algebra used by initialisers.</summary>
internal static class LinearAlgebra
{
    /// <summary>
    /// Writes a random (R, C) matrix with orthonormal columns (R ≥ C) or rows (R &lt; C): the Q factor of a
    /// Gaussian matrix with R's diagonal made positive, as <c>torch.nn.init.orthogonal_</c> defines it.
    /// Modified Gram–Schmidt in double precision.
    /// </summary>
    public static void Orthogonal<T>(RandomSource random, int rows, int columns, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool transpose = rows < columns;
        int tall = transpose ? columns : rows, narrow = transpose ? rows : columns;
        var q = new double[tall * narrow]; // (tall, narrow), column vectors to orthonormalise
        for (int i = 0; i < q.Length; i++)
        {
            q[i] = random.NextGaussian();
        }

        for (int j = 0; j < narrow; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < tall; i++)
                {
                    dot += q[i * narrow + k] * q[i * narrow + j];
                }

                for (int i = 0; i < tall; i++)
                {
                    q[i * narrow + j] -= dot * q[i * narrow + k];
                }
            }

            double norm = 0;
            for (int i = 0; i < tall; i++)
            {
                norm += q[i * narrow + j] * q[i * narrow + j];
            }

            norm = Math.Sqrt(norm);
            for (int i = 0; i < tall; i++)
            {
                q[i * narrow + j] /= norm;
            }
        }

        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                double value = transpose ? q[c * narrow + r] : q[r * narrow + c];
                destination[r * columns + c] = T.CreateTruncating(value);
            }
        }
    }
}
