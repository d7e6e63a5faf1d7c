#pragma once
// Internal to the evolve task and evolve sweeps: the evolution operator of a
// Problem, kept across the points of a lambda sweep, and one time evolution
// written under an HDF5 group (/evolve, or /sweep/<k> for a sweep point),
// with periodic and signal checkpoints.
#include <petscmat.h>

#include <string>
#include <vector>

#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/model/sandwich.hpp"
#include "qcoll/problem/problem.hpp"
#include "qcoll/superop/liouvillian.hpp"
#include "qcoll/thermo/operators.hpp"

namespace qcoll {

class EvolutionOperator {
 public:
  EvolutionOperator() = default;
  EvolutionOperator(const EvolutionOperator&) = delete;
  EvolutionOperator& operator=(const EvolutionOperator&) = delete;
  ~EvolutionOperator();

  // CreateEvolutionOperator for `p`: assembled or matrix-free (problem.hpp).
  PetscErrorCode Setup(MPI_Comm comm, const Problem& p);
  // The same model up to lambdas, L = L_0 + sum_j lambda_j L_Gj with p's
  // lambdas: assembled, new coefficients of the stored L_0 and L_Gj;
  // matrix-free, a new shell from the stored superoperator terms.
  PetscErrorCode SetLambdas(const Problem& p);
  Mat op() const { return op_; }
  const Liouvillian& liouvillian() const { return L_; }

 private:
  PetscErrorCode Release();

  MPI_Comm comm_ = MPI_COMM_NULL;
  Liouvillian L_;
  Mat op_ = nullptr;
  bool matrix_free_ = false;
  index_t d_ = 0;
  SuperOperatorTerms fixed_;               // matrix-free: the terms of L_0
  std::vector<SuperOperatorTerms> parts_;  // matrix-free: the terms of each L_Gj
};

// Where one evolution writes and whether it continues from a checkpoint.
struct EvolveTarget {
  std::string group = "/evolve";  // results: t, energy, ..., rho_final, rho
  std::string checkpoint;         // checkpoint file (checkpoint_path of the output)
  bool resume = false;            // continue from `checkpoint` (a deck that differs gets a note)
};

struct EvolveResult {
  std::vector<double> t;             // output times reached
  std::vector<ThermoValues> values;  // at each of them
  bool with_entropy = false;
  bool resumed = false;  // continued from the checkpoint
  bool stopped = false;  // checkpointed and stopped early (signal)
};

// Collective: whether `path` is a readable checkpoint written with the deck
// whose TOML is `deck` (a sweep resumes a point only from its own checkpoint).
bool checkpoint_has_deck(MPI_Comm comm, const std::string& path, const std::string& deck);

// Evolves p's initial state (or the checkpoint's state) with `op` to
// [evolve] t_final, writes the time series, rho_final and the stored states
// under target.group and checkpoints to target.checkpoint every [checkpoint]
// every_seconds and on SIGTERM/SIGUSR1. Does not remove the checkpoint.
PetscErrorCode EvolveProblem(MPI_Comm comm, const Problem& p, const EvolutionOperator& op,
                             Hdf5File& out, const EvolveTarget& target, EvolveResult* result);

}  // namespace qcoll
