#include "qcoll/solvers/spectrum.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace qcoll {

PetscErrorCode SetDefaultFactorSolver(PC pc, const std::string& prefix) {
  PetscFunctionBeginUser;
  char type[64] = MATSOLVERMUMPS;
  PetscBool set = PETSC_FALSE;
  PetscCall(PetscOptionsGetString(nullptr, prefix.c_str(), "-pc_factor_mat_solver_type", type,
                                  sizeof type, &set));
  PetscCall(PCFactorSetMatSolverType(pc, type));
  PetscFunctionReturn(0);
}

double spectral_gap(const std::vector<cplx>& eigenvalues, double zero_threshold) {
  double gap = std::numeric_limits<double>::quiet_NaN();
  for (const cplx& z : eigenvalues)
    if (std::abs(z) > zero_threshold && !(std::abs(z.real()) >= gap)) gap = std::abs(z.real());
  return gap;
}

SpectrumSolver::~SpectrumSolver() {
  EPSDestroy(&eps_);
}

PetscErrorCode SpectrumSolver::Setup(Mat L, const SpectrumOptions& options) {
  PetscFunctionBeginUser;
  L_ = L;
  options_ = options;
  PetscReal zero_tol = options.zero_tolerance;
  PetscCall(PetscOptionsGetReal(nullptr, options.prefix.c_str(), "-zero_tol", &zero_tol, nullptr));
  options_.zero_tolerance = zero_tol;

  PetscCall(EPSCreate(PetscObjectComm(reinterpret_cast<PetscObject>(L)), &eps_));
  PetscCall(EPSSetOptionsPrefix(eps_, options.prefix.c_str()));
  PetscCall(EPSSetOperators(eps_, L, nullptr));
  PetscCall(EPSSetProblemType(eps_, EPS_NHEP));
  PetscCall(EPSSetWhichEigenpairs(eps_, EPS_TARGET_MAGNITUDE));
  PetscCall(EPSSetTarget(eps_, 0.0));
  PetscCall(
      EPSSetDimensions(eps_, static_cast<PetscInt>(options.nev), PETSC_DEFAULT, PETSC_DEFAULT));
  PetscCall(EPSSetTolerances(eps_, options.tol, PETSC_DEFAULT));
  ST st;
  KSP ksp;
  PC pc;
  PetscCall(EPSGetST(eps_, &st));
  PetscCall(STSetType(st, STSINVERT));
  PetscReal scale;
  PetscCall(MatNorm(L, NORM_INFINITY, &scale));
  PetscCall(STSetShift(st, -options.shift * (scale > 0 ? scale : 1.0)));
  PetscCall(STGetKSP(st, &ksp));
  PetscCall(KSPSetType(ksp, KSPPREONLY));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCLU));
  PetscCall(SetDefaultFactorSolver(pc, options.prefix));
  PetscCall(EPSSetFromOptions(eps_));
  PetscFunctionReturn(0);
}

PetscErrorCode SpectrumSolver::Solve(SpectrumResult* out) {
  PetscFunctionBeginUser;
  const auto start = std::chrono::steady_clock::now();
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  // Re-setting the same operator makes EPS pick up changed values of L.
  PetscCall(EPSSetOperators(eps_, L_, nullptr));
  PetscCall(EPSSolve(eps_));
  EPSConvergedReason reason;
  PetscCall(EPSGetConvergedReason(eps_, &reason));
  PetscInt nconv, nev;
  PetscCall(EPSGetConverged(eps_, &nconv));
  PetscCall(EPSGetDimensions(eps_, &nev, nullptr, nullptr));
  PetscCheck(nconv > 0, comm, PETSC_ERR_NOT_CONVERGED,
             "the eigensolver (options prefix -%s) found no eigenvalue near 0 (%s); try "
             "-%seps_max_it or -%seps_tol",
             options_.prefix.c_str(), EPSConvergedReasons[reason], options_.prefix.c_str(),
             options_.prefix.c_str());
  if (nconv < nev)
    PetscCall(PetscPrintf(comm,
                          "spectrum: warning: only %" PetscInt_FMT " of %" PetscInt_FMT
                          " eigenvalues converged\n",
                          nconv, nev));
  *out = SpectrumResult();
  PetscReal scale;
  PetscCall(MatNorm(L_, NORM_INFINITY, &scale));
  out->scale = scale;
  out->zero_threshold = options_.zero_tolerance * (scale > 0 ? scale : 1.0);
  for (PetscInt k = 0; k < std::min(nconv, nev); ++k) {
    PetscScalar value;
    PetscCall(EPSGetEigenvalue(eps_, k, &value, nullptr));
    out->eigenvalues.push_back(value);
  }
  // L preserves Hermiticity, so its spectrum is closed under conjugation: at
  // the cut-off EPS may return either member of a pair. An eigenvalue whose
  // partner is not in the list is reported with Im > 0, so the set does not
  // depend on the number of ranks.
  const double tie = 1e-9 * (scale > 0 ? scale : 1.0);
  for (cplx& z : out->eigenvalues) {
    if (std::abs(z.imag()) <= tie) continue;
    bool paired = false;
    for (const cplx& w : out->eigenvalues) paired = paired || std::abs(w - std::conj(z)) <= tie;
    if (!paired && z.imag() < 0) z = std::conj(z);
  }
  // Complex-conjugate pairs are equally far from 0 and come in either order:
  // sort by |z|, then Re, then Im (ties within round-off), so that results do
  // not depend on the number of ranks.
  std::stable_sort(out->eigenvalues.begin(), out->eigenvalues.end(),
                   [tie](const cplx& a, const cplx& b) {
                     if (std::abs(std::abs(a) - std::abs(b)) > tie)
                       return std::abs(a) < std::abs(b);
                     if (std::abs(a.real() - b.real()) > tie) return a.real() < b.real();
                     return a.imag() < b.imag();
                   });
  for (const cplx& z : out->eigenvalues)
    if (std::abs(z) <= out->zero_threshold) ++out->zero_count;
  out->gap = spectral_gap(out->eigenvalues, out->zero_threshold);
  PetscCall(EPSGetIterationNumber(eps_, &out->iterations));
  out->wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PetscFunctionReturn(0);
}

PetscErrorCode SpectrumSolver::GetEigenvector(index_t k, Vec v) {
  PetscFunctionBeginUser;
  PetscCall(EPSGetEigenvector(eps_, static_cast<PetscInt>(k), v, nullptr));
  PetscFunctionReturn(0);
}

}  // namespace qcoll
