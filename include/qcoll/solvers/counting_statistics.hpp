#pragma once
// Scaled cumulants of counting processes from the derivatives of a tilted
// generator (linear algebra only; docs/solvers.md, "Counting statistics").
// For L_s = L + sum_j sum_n s_j^n / n! D_j^(n) with the steady state rho of
// L (tr rho = 1), the eigenvalue theta(s) of L_s through 0 has the
// derivatives (Rayleigh-Schroedinger, tr rho_k = 0 for k >= 1):
//   mean_j     = tr(D_j' rho)
//   rho_j      : L rho_j = mean_j rho - D_j' rho
//   cov_jk     = tr(D_j' rho_k) + tr(D_k' rho_j) + delta_jk tr(D_j'' rho)
//   rho2_j     : L rho2_j = theta2_j rho + mean_j rho_j - D_j' rho_j - 1/2 D_j'' rho,
//                theta2_j = cov_jj / 2
//   cumulant3_j = 6 [tr(D_j' rho2_j) + 1/2 tr(D_j'' rho_j) + 1/6 tr(D_j''' rho)]
// One traceless solve per process for the covariance, one more for the third
// cumulant, all with the steady state's factorisation or preconditioner.
#include <petscmat.h>

#include <functional>
#include <vector>

namespace qcoll {

// D^(1), D^(2), D^(3) of one counting process (same layout as rho).
struct CountingDerivatives {
  Mat first = nullptr, second = nullptr, third = nullptr;
};

struct CountingCumulants {
  std::vector<double> mean;        // [n]
  std::vector<double> covariance;  // [n, n] row-major
  std::vector<double> third;       // [n]
};

// y with L y = b, tr y = 0 for a traceless b (SteadySolver::SolveTraceless).
using TracelessSolve = std::function<PetscErrorCode(Vec b, Vec y)>;

// Collective. `rho` the steady state, `trace` the covector of tr.
PetscErrorCode ComputeCountingCumulants(const std::vector<CountingDerivatives>& processes, Vec rho,
                                        Vec trace, const TracelessSolve& solve,
                                        CountingCumulants* out);

}  // namespace qcoll
