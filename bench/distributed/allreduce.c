/* The cost of the gradient all-reduce distributed training does before every step: MPI_Allreduce, in place, of
 * float sums, for a range of message sizes (a model's parameter bytes), timed as the median of many calls.
 * Build and run (bench/distributed/throughput.sh does both): mpicc -O2 allreduce.c -o allreduce && mpiexec -n 2 ./allreduce
 * Prints one JSON line per size: {"ranks":N,"bytes":...,"median_us":...,"gb_per_s":...}, where gb_per_s is the bus
 * bandwidth of a ring all-reduce, 2 (N - 1) / N x bytes / time (the quantity a link's speed is compared with). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, ranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const long sizes[] = {4096, 65536, 1L << 20, 4L << 20, 16L << 20, 64L << 20};
  for (int s = 0; s < (int)(sizeof sizes / sizeof sizes[0]); s++) {
    long count = sizes[s] / 4;
    float *values = malloc(count * sizeof(float));
    for (long i = 0; i < count; i++) values[i] = (float)(i % 97) * 0.001f;
    int calls = sizes[s] >= (16L << 20) ? 15 : 101;
    double *times = malloc(calls * sizeof(double));
    MPI_Allreduce(MPI_IN_PLACE, values, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); /* warm-up */
    for (int c = 0; c < calls; c++) {
      MPI_Barrier(MPI_COMM_WORLD);
      double start = MPI_Wtime();
      MPI_Allreduce(MPI_IN_PLACE, values, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      times[c] = MPI_Wtime() - start;
    }
    qsort(times, calls, sizeof(double), compare);
    double median = times[calls / 2];
    if (rank == 0)
      printf("{\"ranks\":%d,\"bytes\":%ld,\"median_us\":%.1f,\"gb_per_s\":%.2f}\n", ranks, sizes[s], median * 1e6,
             2.0 * (ranks - 1) / ranks * sizes[s] / median / 1e9);
    free(times);
    free(values);
  }
  MPI_Finalize();
  return 0;
}
