#include "qcoll/collide/ancilla_state.hpp"

#include <cmath>
#include <sstream>

namespace qcoll {
namespace {
bool is_psd(const DenseMatrix& rho_th, const DenseMatrix& chi, double s) {
  const double tol = 1e-13;
  return eigvalsh(rho_th + cplx(s) * chi).front() >= -tol;
}
}  // namespace

double max_coherence_amplitude(const DenseMatrix& rho_th, const DenseMatrix& chi) {
  if (chi.max_abs() == 0.0) return kInfinity;
  // Bracket, then bisect: the PSD set {s : rho_th + s chi >= 0} is an interval containing 0.
  double lo = 0.0, hi = 1.0;
  while (is_psd(rho_th, chi, hi)) {
    lo = hi;
    hi *= 2.0;
    if (hi > 1e15) return kInfinity;
  }
  for (int it = 0; it < 200 && hi - lo > 1e-15 * std::max(1.0, hi); ++it) {
    const double mid = 0.5 * (lo + hi);
    (is_psd(rho_th, chi, mid) ? lo : hi) = mid;
  }
  return lo;
}

double max_admissible_lambda(const Species& s, double tau) {
  // The admissible interval need not be symmetric: look in the direction of lambda's sign.
  const DenseMatrix chi = s.lambda < 0 ? cplx(-1.0) * s.chi : s.chi;
  return max_coherence_amplitude(thermal_state(s.hamiltonian, s.beta), chi) / std::sqrt(tau);
}

DenseMatrix ancilla_initial_state(const Species& s, double tau) {
  return thermal_state(s.hamiltonian, s.beta) + cplx(std::sqrt(tau) * s.lambda) * s.chi;
}

void check_ancilla_state(const Species& s, double tau) {
  const double limit = max_admissible_lambda(s, tau);
  if (std::abs(s.lambda) <= limit * (1.0 + 1e-12)) return;
  std::ostringstream msg;
  msg << "the ancilla state rho_th + sqrt(tau) lambda chi of species '" << s.name
      << "' is not positive semidefinite at tau = " << tau << " with lambda = " << s.lambda
      << "; the largest admissible |lambda| at this tau is " << limit;
  throw InputError(msg.str(), "species." + s.name + ".lambda");
}

}  // namespace qcoll
