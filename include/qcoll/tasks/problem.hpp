#pragma once
// Everything a task needs that can fail on bad input is prepared here, before
// any PETSc object exists, so input errors surface as InputError.
#include <petscmat.h>

#include "qcoll/derive/initial_state.hpp"
#include "qcoll/io/deck.hpp"
#include "qcoll/superop/liouvillian.hpp"
#include "qcoll/thermo/operators.hpp"

namespace qcoll {

struct Problem {
  const Deck* deck = nullptr;
  MasterEquation me;
  ThermoOperators ops;
  std::vector<double> betas;
  std::vector<double> lambdas;
  InitialDensity initial;
};

Problem prepare_problem(const Deck& deck);

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
// products with L (deck method "ts" with the default or an explicit -ts_type
// rk|euler|ssp, and "expm"), assembled for any other -ts_type (implicit
// steppers form shift - L and factorise it); -qcoll_matrix_free true with an
// implicit -ts_type is an error. The caller destroys `op` (MatDestroy) and `l`.
PetscErrorCode CreateEvolutionOperator(MPI_Comm comm, const Problem& p, Liouvillian* l, Mat* op);

}  // namespace qcoll
