/* STREAM triad a[i] = b[i] + s * c[i] on every MPI rank at once.
 *
 *   mpiexec -n P stream_triad [MiB_per_array]     (default 256 MiB per array and rank)
 *
 * Bandwidth counts 3 arrays of doubles per pass (STREAM's convention: no
 * write-allocate traffic), summed over the ranks, best of 10 passes, each
 * pass timed between barriers. Prints "TRIAD_JSON {...}" on rank 0. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const double mib = argc > 1 ? atof(argv[1]) : 256.0;
  const size_t n = (size_t)(mib * 1048576.0 / sizeof(double));
  double* a = malloc(n * sizeof(double));
  double* b = malloc(n * sizeof(double));
  double* c = malloc(n * sizeof(double));
  if (!a || !b || !c) {
    fprintf(stderr, "stream_triad: out of memory\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  for (size_t i = 0; i < n; ++i) {
    a[i] = 0.0;
    b[i] = 1.0;
    c[i] = 2.0;
  }
  const double s = 3.0;
  double best = 1e30;
  for (int pass = 0; pass < 10; ++pass) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    for (size_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
    const double local = MPI_Wtime() - t0;
    double t;
    MPI_Allreduce(&local, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    if (t < best) best = t;
  }
  double check = 0.0, total = 0.0;
  for (size_t i = 0; i < n; i += 4096) check += a[i];
  MPI_Reduce(&check, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  const double bytes = 3.0 * sizeof(double) * (double)n * size;
  if (rank == 0)
    printf(
        "TRIAD_JSON {\"ranks\": %d, \"mib_per_array\": %g, \"seconds\": %.6f, \"gbs\": %.3f, "
        "\"check\": %g}\n",
        size, mib, best, bytes / best / 1e9, total);
  free(a);
  free(b);
  free(c);
  MPI_Finalize();
  return 0;
}
