#pragma once
// Von Neumann entropy S = -tr(rho ln rho) and its rate dS/dt = -tr(rho' ln rho)
// of a distributed vec(rho). These need the eigenvalues of rho: rho and rho'
// are gathered to rank 0 and diagonalised with LAPACK, so they are practical
// up to d of about a thousand (cost O(d^3) per output; d = 1024 takes
// about a second); beyond kMaxEntropyDimension the caller
// skips them. Eigenvalues below kEigenvalueFloor are clipped in ln rho.
#include <petscvec.h>

#include <vector>

#include "qcoll/model/types.hpp"

namespace qcoll {

inline constexpr index_t kMaxEntropyDimension = 2048;
inline constexpr double kEigenvalueFloor = 1e-14;

struct EntropyData {
  double entropy = 0.0;
  double entropy_rate = 0.0;
  double min_eigenvalue = 0.0;
};

// -sum_k p_k ln p_k over the positive eigenvalues p_k of rho.
double von_neumann_entropy(const std::vector<double>& eigenvalues);

// Collective. drho may be nullptr (then entropy_rate = 0).
PetscErrorCode EntropyOfDistributed(Vec rho, Vec drho, index_t d, EntropyData* out);

}  // namespace qcoll
