#include "qcoll/collide/quantum_info.hpp"

#include <cmath>

#include "dense_kernels.hpp"
#include "qcoll/model/model.hpp"

namespace qcoll {

double entropy_of_spectrum(const std::vector<double>& p) {
  double s = 0.0;
  for (double x : p)
    if (x > 0.0) s -= x * std::log(x);
  return s;
}

double von_neumann_entropy(const DenseMatrix& rho) {
  return entropy_of_spectrum(eigvalsh(collide::hermitian_part(rho)));
}

double relative_entropy(const DenseMatrix& rho, const HermitianEigen& sigma) {
  const DenseMatrix h = collide::hermitian_part(rho);
  // tr(rho ln sigma) = sum_k ln s_k <k|rho|k>.
  const DenseMatrix in_sigma_basis =
      collide::product(collide::product(sigma.vectors, collide::Op::Adjoint, h, collide::Op::None),
                       collide::Op::None, sigma.vectors, collide::Op::None);
  double cross = 0.0;
  for (index_t k = 0; k < h.rows(); ++k) {
    const double weight = in_sigma_basis(k, k).real();
    if (sigma.values[k] < kLogFloor) {
      if (weight > 1e-12) return kInfinity;
      continue;
    }
    cross += weight * std::log(sigma.values[k]);
  }
  return -von_neumann_entropy(h) - cross;
}

double relative_entropy_of_coherence(const DenseMatrix& rho, const DenseMatrix& basis) {
  const DenseMatrix h = collide::hermitian_part(rho);
  const DenseMatrix in_basis =
      collide::product(collide::product(basis, collide::Op::Adjoint, h, collide::Op::None),
                       collide::Op::None, basis, collide::Op::None);
  std::vector<double> diagonal(h.rows());
  for (index_t k = 0; k < h.rows(); ++k) diagonal[k] = in_basis(k, k).real();
  return entropy_of_spectrum(diagonal) - von_neumann_entropy(h);
}

double trace_norm(const DenseMatrix& m) {
  double s = 0.0;
  for (double x : eigvalsh(collide::hermitian_part(m))) s += std::abs(x);
  return s;
}

}  // namespace qcoll
