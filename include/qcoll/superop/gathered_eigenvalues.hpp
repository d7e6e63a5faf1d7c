#pragma once
// The eigenvalues of a distributed d x d matrix X given as vec(X): gathered
// to rank 0, Hermitian part diagonalised with LAPACK (values only), the
// ascending eigenvalues broadcast to every rank. Linear algebra only; for
// d up to a few thousand (O(d^2) memory and O(d^3) time on rank 0).
#include <petscvec.h>

#include <vector>

#include "qcoll/model/types.hpp"

namespace qcoll {

// Collective.
PetscErrorCode HermitianEigenvaluesOfVec(Vec x, index_t d, std::vector<double>* eigenvalues);

}  // namespace qcoll
