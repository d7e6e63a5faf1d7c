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

// L = L_0 + sum_j lambda_j L_Gj on comm.
PetscErrorCode CreateLiouvillian(MPI_Comm comm, const Problem& p, Liouvillian* out);
// vec(rho_0) with the Liouvillian's layout.
PetscErrorCode CreateInitialVector(const Problem& p, const Liouvillian& l, Vec* out);

}  // namespace qcoll
