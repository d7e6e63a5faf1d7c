#pragma once
// Resource checks made before anything large is allocated: the memory a run
// will need per rank against what the node has, and a launcher sanity check.
#include <mpi.h>

#include "qcoll/derive/master_equation.hpp"

namespace qcoll {

struct MemoryEstimate {
  double nonzeros = 0;        // upper bound on the Liouvillian's non-zeros
  double bytes_per_rank = 0;  // assembled matrices + work vectors
  double available_per_rank = 0;
};

// Upper bound on the non-zeros of the assembled Liouvillian: each sandwich
// term A rho B contributes at most nnz(A) nnz(B) entries (identity: d).
double estimated_liouvillian_nonzeros(const MasterEquation& me);

// Collective. Storage of L_0, L and the coherent parts (CSR: complex value +
// column index) and about twelve work vectors of length d^2, over the ranks;
// available memory is MemAvailable of the node shared by its ranks (or
// SLURM_MEM_PER_NODE / SLURM_MEM_PER_CPU when those are smaller).
// `fraction`: the part of the d^2 entries of rho the task's matrices and
// most vectors cover (a steady state in invariant blocks, solved_fraction).
MemoryEstimate estimate_memory(MPI_Comm comm, const MasterEquation& me, double fraction = 1.0);

// Throws InputError when the estimate exceeds the available memory (unless force).
void check_memory(const MemoryEstimate& m, bool force);

// Throws InputError when this process is one of several MPI singletons: the
// communicator has one rank while the launcher's environment (SLURM step,
// OpenMPI, PMI) says the job has more tasks. That happens when srun/mpirun
// cannot talk to this MPI library, and would run the same job N times.
void check_launcher(MPI_Comm comm);

std::string human_bytes(double bytes);

}  // namespace qcoll
