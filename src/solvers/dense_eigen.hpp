#pragma once
// Internal to src/solvers: eigenvalues and right eigenvectors of a small
// dense general complex matrix (LAPACK zgeev), e.g. a Rayleigh-Ritz projection.
#include <vector>

#include "qcoll/model/types.hpp"

namespace qcoll {

struct DenseEigen {
  std::vector<cplx> values;   // n eigenvalues
  std::vector<cplx> vectors;  // column-major n x n: eigenvector k at [k * n, (k + 1) * n)
};

// a: column-major n x n (copied). False if LAPACK reports an error.
bool dense_eigen_column_major(index_t n, const std::vector<cplx>& a, DenseEigen* out);

}  // namespace qcoll
