#include "qcoll/solvers/counting_statistics.hpp"

namespace qcoll {
namespace {

// tr(M x) (real part: the cumulants of a Hermiticity-preserving tilt are real).
PetscErrorCode TraceOf(Mat m, Vec x, Vec trace, Vec work, double* out) {
  PetscFunctionBeginUser;
  PetscCall(MatMult(m, x, work));
  PetscScalar t;
  PetscCall(VecDot(work, trace, &t));
  *out = PetscRealPart(t);
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode ComputeCountingCumulants(const std::vector<CountingDerivatives>& processes, Vec rho,
                                        Vec trace, const TracelessSolve& solve,
                                        CountingCumulants* out) {
  PetscFunctionBeginUser;
  const size_t n = processes.size();
  out->mean.assign(n, 0.0);
  out->covariance.assign(n * n, 0.0);
  out->third.assign(n, 0.0);
  Vec work, rhs, rho2;
  PetscCall(VecDuplicate(rho, &work));
  PetscCall(VecDuplicate(rho, &rhs));
  PetscCall(VecDuplicate(rho, &rho2));
  std::vector<Vec> first(n, nullptr);  // rho_j
  std::vector<double> second(n, 0.0);  // tr(D_j'' rho)
  for (size_t j = 0; j < n; ++j) {
    const CountingDerivatives& d = processes[j];
    PetscCall(TraceOf(d.first, rho, trace, work, &out->mean[j]));
    PetscCall(TraceOf(d.second, rho, trace, work, &second[j]));
    // L rho_j = mean_j rho - D_j' rho
    PetscCall(MatMult(d.first, rho, rhs));
    PetscCall(VecScale(rhs, -1.0));
    PetscCall(VecAXPY(rhs, out->mean[j], rho));
    PetscCall(VecDuplicate(rho, &first[j]));
    PetscCall(solve(rhs, first[j]));
  }
  for (size_t j = 0; j < n; ++j)
    for (size_t k = 0; k <= j; ++k) {
      double a = 0.0, b = 0.0;
      PetscCall(TraceOf(processes[j].first, first[k], trace, work, &a));
      PetscCall(TraceOf(processes[k].first, first[j], trace, work, &b));
      const double c = a + b + (j == k ? second[j] : 0.0);
      out->covariance[j * n + k] = out->covariance[k * n + j] = c;
    }
  for (size_t j = 0; j < n; ++j) {
    const CountingDerivatives& d = processes[j];
    const double theta2 = 0.5 * out->covariance[j * n + j];
    // L rho2 = theta2 rho + mean rho_j - D' rho_j - 1/2 D'' rho
    PetscCall(MatMult(d.first, first[j], rhs));
    PetscCall(VecScale(rhs, -1.0));
    PetscCall(VecAXPY(rhs, out->mean[j], first[j]));
    PetscCall(VecAXPY(rhs, theta2, rho));
    PetscCall(MatMult(d.second, rho, work));
    PetscCall(VecAXPY(rhs, -0.5, work));
    PetscCall(solve(rhs, rho2));
    double t1 = 0.0, t2 = 0.0, t3 = 0.0;
    PetscCall(TraceOf(d.first, rho2, trace, work, &t1));
    PetscCall(TraceOf(d.second, first[j], trace, work, &t2));
    PetscCall(TraceOf(d.third, rho, trace, work, &t3));
    out->third[j] = 6.0 * t1 + 3.0 * t2 + t3;
  }
  for (Vec& v : first) PetscCall(VecDestroy(&v));
  PetscCall(VecDestroy(&work));
  PetscCall(VecDestroy(&rhs));
  PetscCall(VecDestroy(&rho2));
  PetscFunctionReturn(0);
}

}  // namespace qcoll
