#pragma once
// The tasks of the command line. Each writes its group of the HDF5 file.
#include <petscsys.h>

#include <optional>
#include <string>

#include "qcoll/io/deck_problem.hpp"
#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/problem/problem.hpp"

namespace qcoll {

// What a task needs to know about the run beyond the problem itself.
struct RunContext {
  std::string output_path;  // the HDF5 file being written
  bool restart = false;     // continue from output_path's checkpoint
  bool stopped = false;     // set by a task that checkpointed and stopped early
  // --sweep-index: solve only this point of the deck's [sweep].
  std::optional<long long> sweep_index;
};

// [evolve]: master-equation time evolution, /evolve. Checkpoints every
// [checkpoint] every_seconds and on SIGTERM/SIGUSR1 (see checkpoint.hpp).
PetscErrorCode RunEvolve(MPI_Comm comm, const Problem& p, Hdf5File& out, RunContext& ctx);

// [collide]: the exact finite-tau collisional map for each tau (spread over
// the ranks of comm), per-collision thermodynamics and the convergence
// summary, /collide. Throws InputError (check_collide_input, before any PETSc
// call) when rho_A is not PSD at some tau or d * d_A is above the limit.
// Checkpoints like RunEvolve (collide_checkpoint.hpp); ctx.restart continues
// from the checkpoint of ctx.output_path.
PetscErrorCode RunCollide(MPI_Comm comm, const Problem& p, Hdf5File& out, RunContext& ctx);

// [steady]: steady state of the master equation and its thermodynamics,
// /steady (with [steady] gap = true also the Liouvillian spectrum near 0).
PetscErrorCode RunSteady(MPI_Comm comm, const Problem& p, Hdf5File& out);

// `qcoll spectrum`: the [steady] nev eigenvalues of L nearest 0 and the gap,
// /spectrum.
PetscErrorCode RunSpectrum(MPI_Comm comm, const Problem& p, Hdf5File& out);

// [sweep]: `task` (steady or spectrum; evolve: RunEvolveSweep) at every
// value of the swept key, or only at point `only` (--sweep-index):
// /sweep/values, per-point tables /sweep/<quantity>[npoints, ...] and
// groups /sweep/<k>/.
PetscErrorCode RunSweep(MPI_Comm comm, const std::string& task, const Deck& deck,
                        const Problem& base, std::optional<long long> only, Hdf5File& out);

// [sweep] with the evolve task: the evolution at every value of the swept
// key, or only at ctx.sweep_index: each point's /evolve layout in
// /sweep/<k>/, the final-time table /sweep/<quantity>[npoints, ...],
// /sweep/values and /sweep/t_final. Checkpoints to ctx.output_path's
// checkpoint; with ctx.restart keeps the points already finished in `out`
// and resumes the first unfinished one from the checkpoint written with its
// deck (see evolve_sweep.cpp). Sets ctx.stopped after a stop signal.
PetscErrorCode RunEvolveSweep(MPI_Comm comm, const Deck& deck, const Problem& base, Hdf5File& out,
                              RunContext& ctx);

// Throws InputError (key sweep.values, naming the point and its value)
// unless the deck with the override of every [sweep] point (or only of point
// `only`) is valid; cheap (decks only), so a sweep fails before it starts
// instead of at the bad point. Does nothing for a deck without [sweep].
void check_sweep_points(const Deck& deck, std::optional<long long> only);

// The part of the d^2 entries of rho a task's matrices cover: below 1 for a
// steady state solved in invariant blocks (steady_runner.cpp), else 1.
double solved_fraction(const std::string& task, const Problem& p);

// `qcoll check`: the summary of interface.md (rank 0 prints). Throws InputError.
void print_check_summary(MPI_Comm comm, const Deck& deck);

// Local part of a distributed vector as complex numbers (for HDF5 hyperslabs).
PetscErrorCode LocalValues(Vec v, std::vector<cplx>* out);

}  // namespace qcoll
