#pragma once
// Everything one point of a run needs, typed: the model, its master equation
// and thermodynamic operators, the initial state and the settings. Prepared
// before any PETSc object exists, so input errors surface as InputError.
// No deck here: io builds a Problem from a deck (io/deck_problem.hpp).
#include <petscmat.h>

#include <string>

#include "qcoll/collide/collide_input.hpp"
#include "qcoll/derive/initial_state.hpp"
#include "qcoll/problem/settings.hpp"
#include "qcoll/superop/liouvillian.hpp"
#include "qcoll/thermo/operators.hpp"

namespace qcoll {

struct Problem {
  Model model;
  MasterEquation me;
  ThermoOperators ops;
  std::vector<double> betas;
  std::vector<double> lambdas;
  InitialDensity initial;
  Settings settings;
  // The full input this point came from (the deck after overrides, as TOML):
  // what checkpoints and finished outputs are matched against.
  std::string identity;
};

// Derives the master equation, thermodynamic operators and initial state of
// `model`. Throws InputError.
Problem prepare_problem(const Model& model, const Settings& settings, std::string identity);

// What the collide layer reads of p (references into p).
inline CollideInput collide_input(const Problem& p) {
  return CollideInput{p.model, p.me, p.ops, p.betas, p.initial, p.settings.collide};
}

// L = L_0 + sum_j lambda_j L_Gj on comm (restricted to `space` if given).
PetscErrorCode CreateLiouvillian(MPI_Comm comm, const Problem& p, Liouvillian* out,
                                 const ReducedSpace* space = nullptr);
// vec(rho_0) with the Liouvillian's layout.
PetscErrorCode CreateInitialVector(const Problem& p, const Liouvillian& l, Vec* out);

// The operator the evolve task applies to vec(rho) (time stepping and dS/dt),
// returned referenced in `op`. PETSc option -qcoll_matrix_free [bool]: true
// gives the matrix-free MATSHELL of superop/matrix_free.hpp, and then
// l->total is that shell as well (no assembled matrix; l->fixed and l->parts
// empty, so LiouvillianSetCoefficients does not apply); false assembles L and
// `op` is l->total. Unset: matrix-free for the methods that need only
// products with L ([evolve] method "ts" with the default or an explicit
// -ts_type rk|euler|ssp, and "expm"), assembled for any other -ts_type
// (implicit steppers form shift - L and factorise it); -qcoll_matrix_free
// true with an implicit -ts_type is an error. The caller destroys `op`
// (MatDestroy) and `l`.
PetscErrorCode CreateEvolutionOperator(MPI_Comm comm, const Problem& p, Liouvillian* l, Mat* op);

}  // namespace qcoll
