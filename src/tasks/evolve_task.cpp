// The evolve task (interface.md: /evolve); the evolution itself and its
// checkpoints are in evolve_runner.cpp, sweeps in evolve_sweep.cpp.
#include <petscvec.h>

#include <cstdio>

#include "evolve_runner.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/tasks.hpp"

namespace qcoll {

PetscErrorCode LocalValues(Vec v, std::vector<cplx>* out) {
  PetscFunctionBeginUser;
  PetscInt n;
  const PetscScalar* a;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArrayRead(v, &a));
  out->assign(a, a + n);
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode RunEvolve(MPI_Comm comm, const Problem& p, Hdf5File& out, RunContext& ctx) {
  PetscFunctionBeginUser;
  EvolutionOperator op;
  PetscCall(op.Setup(comm, p));
  EvolveTarget target;
  target.group = "/evolve";
  target.checkpoint = checkpoint_path(ctx.output_path);
  target.resume = ctx.restart;
  EvolveResult result;
  PetscCall(EvolveProblem(comm, p, op, out, target, &result));
  ctx.stopped = result.stopped;
  int rank;
  MPI_Comm_rank(comm, &rank);
  if (!result.stopped && rank == 0) std::remove(target.checkpoint.c_str());  // the run is complete
  PetscFunctionReturn(0);
}

}  // namespace qcoll
