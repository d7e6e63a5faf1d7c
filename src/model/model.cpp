// Thermal states of small Hermitian Hamiltonians.
#include "qcoll/model/model.hpp"

#include <algorithm>
#include <cmath>

namespace qcoll {

DenseMatrix thermal_state(const DenseMatrix& h, double beta) {
  if (std::isnan(beta)) throw InputError("inverse temperature beta is not a number");
  if (h.rows() == 0 || !h.is_hermitian(1e-10))
    throw InputError("thermal state: the Hamiltonian must be a non-empty Hermitian matrix");
  const index_t n = h.rows();
  if (beta == 0.0) return cplx(1.0 / static_cast<double>(n)) * DenseMatrix::identity(n);

  const HermitianEigen e = eigh(h);
  const double wmin = e.values.front(), wmax = e.values.back();
  // Shift by the extreme energy the Boltzmann weight favours, so every
  // exponent is <= 0 (beta < 0 describes population inversion).
  const double wref = beta > 0.0 ? wmin : wmax;
  const double tol = 1e-12 * std::max(std::abs(wmin), std::abs(wmax));
  std::vector<double> p(n);
  for (index_t k = 0; k < n; ++k) {
    const double dw = e.values[k] - wref;
    if (std::isinf(beta))
      p[k] = std::abs(dw) <= tol ? 1.0 : 0.0;
    else
      p[k] = std::exp(-beta * dw);
  }
  double z = 0.0;
  for (const double x : p) z += x;
  DenseMatrix rho(n, n);
  for (index_t k = 0; k < n; ++k) {
    if (p[k] == 0.0) continue;
    for (index_t i = 0; i < n; ++i) {
      const cplx vik = e.vectors(i, k) * (p[k] / z);
      for (index_t j = 0; j < n; ++j) rho(i, j) += vik * std::conj(e.vectors(j, k));
    }
  }
  // Remove rounding asymmetry so the result is Hermitian to machine precision.
  rho += rho.adjoint();
  rho *= 0.5;
  return rho;
}

}  // namespace qcoll
