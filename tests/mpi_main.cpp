// GoogleTest main for MPI runs: initialises PETSc/SLEPc (and so MPI), lets
// only rank 0 print results, and makes the exit status agree on all ranks.
#include <gtest/gtest.h>
#include <mpi.h>
#include <slepcsys.h>

namespace {
// Silences GoogleTest's printer on ranks other than 0.
void silence_non_root_ranks() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) return;
  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  delete listeners.Release(listeners.default_result_printer());
}
}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  PetscCall(SlepcInitialize(&argc, &argv, nullptr, nullptr));
  silence_non_root_ranks();
  int local_failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  int any_failed = 0;
  MPI_Allreduce(&local_failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  PetscCall(SlepcFinalize());
  return any_failed;
}
