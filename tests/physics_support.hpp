#pragma once
// In-process runs of the engine for the physics tests: load a deck, build the
// distributed Liouvillian on MPI_COMM_WORLD, evolve, collect the thermodynamic
// values and the final state (gathered on every rank).
#include <petscmat.h>

#include <string>
#include <vector>

#include "qcoll/io/deck.hpp"
#include "qcoll/io/deck_problem.hpp"
#include "qcoll/thermo/operators.hpp"

namespace qcoll::testing {

struct Trajectory {
  std::vector<double> t;
  std::vector<ThermoValues> values;
  DenseMatrix rho_final;
};

Deck deck_from_inputs(const std::string& name, const std::vector<Override>& overrides = {});

// Evolves `deck` to its [evolve] t_final with the given method ("ts"/"expm").
PetscErrorCode EvolveDeck(const Deck& deck, const std::string& method, Trajectory* out);

// The whole vector on every rank, as a d x d matrix.
PetscErrorCode GatherDensity(Vec v, index_t d, DenseMatrix* out);

// Builds the Liouvillian of a deck on `comm` (caller destroys).
PetscErrorCode BuildLiouvillian(MPI_Comm comm, const Deck& deck, Liouvillian* out);

double trace_norm_hermitian(const DenseMatrix& a);

// A temporary file name chosen on rank 0 and shared by every rank (collective).
std::string shared_temp_path(const std::string& stem, const std::string& suffix = ".h5");

// What `qcoll steady DECK -o FILE` writes (run header, /steady, complete),
// in a shared temporary file whose path is returned (collective).
std::string run_steady_like_command_line(const Deck& deck, const std::string& stem);

}  // namespace qcoll::testing
