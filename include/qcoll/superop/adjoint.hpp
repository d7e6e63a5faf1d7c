#pragma once
// vec(rho) -> vec(rho^dag) for a distributed, column-stacked vec(rho)
// (vec(rho)[i + d*j] = rho_ij). The transpose moves entries between ranks, so
// it is one VecScatter (built once, reused), followed by a conjugation.
#include <petscvec.h>

#include "qcoll/model/types.hpp"

namespace qcoll {

struct AdjointScatter {
  index_t d = 0;
  VecScatter scatter = nullptr;  // vec(rho) -> vec(rho^T)
  Vec work = nullptr;
};

// `like` fixes the layout (any vector of length d*d).
PetscErrorCode AdjointScatterCreate(Vec like, index_t d, AdjointScatter* out);
PetscErrorCode AdjointScatterDestroy(AdjointScatter* a);

// out = vec(rho^dag); out must not be rho.
PetscErrorCode VecAdjoint(AdjointScatter* a, Vec rho, Vec out);

// rho <- (rho + rho^dag) / 2. `antihermitian_norm` (may be null) receives
// ||rho - rho^dag||_F of the input.
PetscErrorCode VecHermitianPart(AdjointScatter* a, Vec rho, PetscReal* antihermitian_norm);

}  // namespace qcoll
