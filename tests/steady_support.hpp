#pragma once
// Helpers of the steady-state tests: in-process solves on MPI_COMM_WORLD and
// dense references (the full d^2 x d^2 Liouvillian and LAPACK's zgeev).
#include <petscmat.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "physics_support.hpp"
#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/model/sandwich.hpp"
#include "qcoll/solvers/steady.hpp"

extern "C" void zgeev_(const char* jobvl, const char* jobvr, const int* n, qcoll::cplx* a,
                       const int* lda, qcoll::cplx* w, qcoll::cplx* vl, const int* ldvl,
                       qcoll::cplx* vr, const int* ldvr, qcoll::cplx* work, const int* lwork,
                       double* rwork, int* info);

namespace qcoll::testing {

// xxz_chain.toml cut to 4 sites (d = 16), the cold bath on the last site.
inline std::vector<Override> chain4_overrides() {
  return {{"system.model.sites", "4"},
          {"species.cold.coupling", R"([["g", "sp", 3, "sm", "A"], ["g", "sm", 3, "sp", "A"]])"},
          {"evolve.observables", R"([{ name = "sz0", terms = [[1.0, "sz", 0]] }])"}};
}

// L's sandwich terms with the problem's lambdas.
inline SuperOperatorTerms all_terms(const Problem& p) {
  return liouvillian_terms(p.me, p.lambdas);
}

// Steady state of `deck` with SteadySolver (rho gathered on every rank),
// given the model's structure (Sylvester preconditioner, invariant blocks) as
// the steady task does, unless `with_structure` is false.
inline PetscErrorCode SolveSteady(const Deck& deck, SteadyOptions options, DenseMatrix* rho,
                                  SteadyReport* report, bool with_structure = true) {
  PetscFunctionBeginUser;
  const Problem p = prepare_problem(deck);
  Liouvillian L;
  PetscCall(CreateLiouvillian(MPI_COMM_WORLD, p, &L));
  std::vector<Vec> trace;
  PetscCall(TraceCovectorsCreate(L.total, {&p.ops.identity}, &trace));
  Vec v;
  PetscCall(CreateInitialVector(p, L, &v));
  {
    options.verbose = false;
    SteadySolver solver;
    const SteadyStructure structure =
        steady_structure(p.me.dim, all_terms(p), fixed_liouvillian_terms(p.me));
    PetscCall(
        solver.Setup(L.total, L.layout, trace[0], options, with_structure ? &structure : nullptr));
    PetscCall(solver.Solve(v, report));
  }
  PetscCall(GatherDensity(v, p.me.dim, rho));
  PetscCall(VecDestroy(&v));
  PetscCall(VecsDestroy(&trace));
  PetscCall(LiouvillianDestroy(&L));
  PetscFunctionReturn(0);
}

inline double max_abs_diff(const DenseMatrix& a, const DenseMatrix& b) {
  double m = 0;
  for (index_t i = 0; i < a.rows(); ++i)
    for (index_t j = 0; j < a.cols(); ++j) m = std::max(m, std::abs(a(i, j) - b(i, j)));
  return m;
}

// The dense d^2 x d^2 Liouvillian L_0 + sum_j lambda_j L_Gj.
inline DenseMatrix dense_liouvillian(const Problem& p) {
  return dense_superoperator(p.me.dim, all_terms(p));
}

struct DenseEigen {
  std::vector<cplx> values;
  std::vector<std::vector<cplx>> vectors;  // right eigenvectors
};

// All eigenvalues (and right eigenvectors) of a general complex matrix, zgeev.
inline DenseEigen dense_eigen(const DenseMatrix& m) {
  const int n = static_cast<int>(m.rows());
  std::vector<cplx> a(static_cast<size_t>(n) * n), vr(a.size()), w(n), work(4 * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) a[i + static_cast<size_t>(n) * j] = m(i, j);  // column-major
  std::vector<double> rwork(2 * n);
  const int lwork = 4 * n, one = 1;
  int info = 0;
  zgeev_("N", "V", &n, a.data(), &n, w.data(), nullptr, &one, vr.data(), &n, work.data(), &lwork,
         rwork.data(), &info);
  DenseEigen out;
  if (info != 0) return out;
  out.values = w;
  for (int k = 0; k < n; ++k)
    out.vectors.emplace_back(vr.begin() + static_cast<size_t>(n) * k,
                             vr.begin() + static_cast<size_t>(n) * (k + 1));
  return out;
}

// Eigenvalues sorted by modulus.
inline std::vector<cplx> sorted_by_modulus(std::vector<cplx> v) {
  std::sort(v.begin(), v.end(), [](const cplx& a, const cplx& b) {
    return std::abs(a) != std::abs(b) ? std::abs(a) < std::abs(b) : a.imag() < b.imag();
  });
  return v;
}

// The null vector of the dense Liouvillian as a unit-trace density matrix.
inline DenseMatrix dense_steady_state(const Problem& p) {
  const DenseEigen e = dense_eigen(dense_liouvillian(p));
  size_t k0 = 0;
  for (size_t k = 1; k < e.values.size(); ++k)
    if (std::abs(e.values[k]) < std::abs(e.values[k0])) k0 = k;
  const index_t d = p.me.dim;
  DenseMatrix rho(d, d);
  cplx trace = 0;
  for (index_t i = 0; i < d; ++i) trace += e.vectors[k0][i + d * i];
  for (index_t j = 0; j < d; ++j)
    for (index_t i = 0; i < d; ++i) rho(i, j) = e.vectors[k0][i + d * j] / trace;
  return rho;
}

}  // namespace qcoll::testing
