// Memory model for choosing between LU and iterative solves.
#include <mpi.h>
#include <petscmat.h>

#include <cmath>
#include <fstream>
#include <string>

#include "qcoll/solvers/steady.hpp"

namespace qcoll {

namespace {

// The fill measured for boundary-driven spin chains: about 10 n^1.5 factor
// entries of 16 bytes, spread over the ranks.
PetscErrorCode FillModelBytes(Mat L, double* bytes_per_rank) {
  PetscFunctionBeginUser;
  PetscInt n;
  PetscCall(MatGetSize(L, &n, nullptr));
  int size;
  PetscCallMPI(MPI_Comm_size(PetscObjectComm(reinterpret_cast<PetscObject>(L)), &size));
  *bytes_per_rank = 10.0 * std::pow(static_cast<double>(n), 1.5) * 16.0 / size;
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode EstimateFactorMemory(Mat L, const std::string& prefix, double available,
                                    double* bytes_per_rank, double* flops) {
  PetscFunctionBeginUser;
  // Far beyond the memory by the fill model: no need to ask MUMPS (whose PORD
  // ordering crashes on graphs of ~10^6 vertices, the N = 10 chain).
  double model = 0;
  PetscCall(FillModelBytes(L, &model));
  PetscInt n;
  PetscCall(MatGetSize(L, &n, nullptr));
  if (flops) *flops = 40.0 * static_cast<double>(n) * static_cast<double>(n);
  if (available > 0 && model > 4.0 * available) {
    *bytes_per_rank = model;
    PetscFunctionReturn(0);
  }
#if defined(PETSC_HAVE_MUMPS)
  // MUMPS's analysis phase (ordering and symbolic factorisation; cheap next
  // to the numeric factorisation) predicts the memory of the factorisation:
  // INFOG(16) is the in-core estimate in MB, maximum over the ranks. The
  // options prefix makes -<prefix>mat_mumps_icntl_* (e.g. the ordering) apply.
  Mat F;
  PetscCall(MatGetFactor(L, MATSOLVERMUMPS, MAT_FACTOR_LU, &F));
  PetscCall(MatSetOptionsPrefix(F, prefix.c_str()));
  MatFactorInfo info;
  PetscCall(MatFactorInfoInitialize(&info));
  PetscCall(MatLUFactorSymbolic(F, L, nullptr, nullptr, &info));
  PetscInt megabytes;
  PetscCall(MatMumpsGetInfog(F, 16, &megabytes));
  if (flops) {
    PetscReal ops;
    PetscCall(MatMumpsGetRinfog(F, 1, &ops));
    *flops = ops;
  }
  PetscCall(MatDestroy(&F));
  *bytes_per_rank = static_cast<double>(megabytes) * 1024.0 * 1024.0;
#else
  *bytes_per_rank = model;
#endif
  PetscFunctionReturn(0);
}

PetscErrorCode AvailableMemory(MPI_Comm comm, const std::string& prefix, double* bytes_per_rank) {
  PetscFunctionBeginUser;
  PetscReal limit_mb = 0;
  PetscBool set = PETSC_FALSE;
  PetscCall(PetscOptionsGetReal(nullptr, prefix.c_str(), "-memory_limit", &limit_mb, &set));
  if (set) {
    *bytes_per_rank = limit_mb * 1024.0 * 1024.0;
    PetscFunctionReturn(0);
  }
  // MemAvailable of each node, shared by the ranks on it; the smallest share wins.
  MPI_Comm node;
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  int node_rank, node_size;
  PetscCallMPI(MPI_Comm_rank(node, &node_rank));
  PetscCallMPI(MPI_Comm_size(node, &node_size));
  double available = 0;
  if (node_rank == 0) {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    double kb;
    std::string unit;
    while (meminfo >> key >> kb >> unit)
      if (key == "MemAvailable:") {
        available = kb * 1024.0;
        break;
      }
    if (available <= 0) available = 2.0 * 1024 * 1024 * 1024;  // unknown: assume 2 GB
  }
  PetscCallMPI(MPI_Bcast(&available, 1, MPI_DOUBLE, 0, node));
  PetscCallMPI(MPI_Comm_free(&node));
  const double share = available / node_size;
  PetscCallMPI(MPI_Allreduce(&share, bytes_per_rank, 1, MPI_DOUBLE, MPI_MIN, comm));
  PetscFunctionReturn(0);
}

}  // namespace qcoll
