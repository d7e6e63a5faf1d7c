#pragma once
// The tasks of the command line. Each writes its group of the HDF5 file.
#include <petscsys.h>

#include <optional>
#include <string>

#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/problem/point_source.hpp"
#include "qcoll/problem/problem.hpp"
#include "qcoll/solvers/steady.hpp"

namespace qcoll {

// What a task needs to know about the run beyond the problem itself.
struct RunContext {
  std::string output_path;  // the HDF5 file being written
  bool restart = false;     // continue from output_path's checkpoint
  bool stopped = false;     // set by a task that checkpointed and stopped early
  // --sweep-index: solve only this point of the deck's [sweep].
  std::optional<long long> sweep_index;
};

// Runs `task` (steady, spectrum, evolve or collide) at every point of
// `points` (run_driver.cpp): without a sweep the task's group (/steady,
// /spectrum, /evolve, /collide), with one /sweep/<k> per point and the
// tables /sweep/<quantity>[np, ...]. --sweep-index (ctx.sweep_index) solves
// one point. Evolve and collide checkpoint to checkpoint_path(ctx.output_path)
// every [checkpoint] every_seconds and on SIGTERM/SIGUSR1; every task stops
// between sweep points on those signals (ctx.stopped is set). ctx.restart
// keeps the sweep points finished in `out` and continues the first other
// point from the checkpoint written for it.
PetscErrorCode RunTask(MPI_Comm comm, const std::string& task, const PointSource& points,
                       Hdf5File& out, RunContext& ctx);

// RunTask on the one point `p` (no sweep).
PetscErrorCode RunProblem(MPI_Comm comm, const std::string& task, const Problem& p, Hdf5File& out,
                          RunContext& ctx);

// The part of the d^2 entries of rho a task's matrices cover: below 1 for a
// steady state solved in invariant blocks (steady_runner.cpp), else 1.
double solved_fraction(const std::string& task, const Problem& p);

// The plan of the steady solver for `p` (method, memory and time estimates;
// qcoll check), and the number of entries of rho it would solve for.
// With [steady] gap = true, plan->spectrum is the spectrum's plan.
PetscErrorCode PlanSteady(MPI_Comm comm, const Problem& p, SteadyPlan* plan, index_t* unknowns);
// The plan of `qcoll spectrum` for `p` (method, classes, memory, time).
PetscErrorCode PlanSpectrum(MPI_Comm comm, const Problem& p, SpectrumPlan* plan);

// Local part of a distributed vector as complex numbers (for HDF5 hyperslabs).
PetscErrorCode LocalValues(Vec v, std::vector<cplx>* out);

}  // namespace qcoll
