#pragma once
// Eigenvalues of a (singular) generator L nearest 0, with SLEPc EPS in
// shift-and-invert mode. L itself is singular, so the pole of the inverse is
// placed a little off 0, at -shift * ||L||_inf (1e-4: far enough that the
// inverse's largest eigenvalue 1/shift does not swamp the others in round-off,
// close enough that 0 converges first); eigenvalues are still sorted by their
// distance to the target 0.
//
// Options (prefix p, default "spectrum_"): -p_eps_* (e.g. -spectrum_eps_nev 10,
// -spectrum_eps_tol), -p_st_* (e.g. -spectrum_st_shift, the inner solve
// -spectrum_st_ksp_type / -spectrum_st_pc_type /
// -spectrum_st_pc_factor_mat_solver_type, default MUMPS LU), and
// -p_zero_tol (relative tolerance below which |lambda| / ||L||_inf counts as 0).
#include <petscmat.h>
#include <slepceps.h>

#include <string>
#include <vector>

#include "qcoll/model/types.hpp"

namespace qcoll {

struct SpectrumOptions {
  index_t nev = 6;
  std::string prefix = "spectrum_";
  double zero_tolerance = 1e-8;  // |lambda| <= zero_tolerance * ||L||_inf counts as 0
  double shift = 1e-4;           // pole of the inverse at -shift * ||L||_inf
  double tol = 1e-10;            // EPS convergence tolerance
};

struct SpectrumResult {
  std::vector<cplx> eigenvalues;  // converged eigenvalues, nearest 0 first (at most nev)
  double scale = 0.0;             // ||L||_inf
  double zero_threshold = 0.0;    // zero_tolerance * scale
  index_t zero_count = 0;         // eigenvalues with |lambda| <= zero_threshold
  double gap = 0.0;               // min |Re lambda| over the non-zero ones; NaN if none
  PetscInt iterations = 0;
  double wall_seconds = 0.0;
};

// Keeps the EPS (and the factorisation's symbolic phase) between solves, so a
// sweep that changes L's values but not its pattern re-solves cheaply.
class SpectrumSolver {
 public:
  SpectrumSolver() = default;
  SpectrumSolver(const SpectrumSolver&) = delete;
  SpectrumSolver& operator=(const SpectrumSolver&) = delete;
  ~SpectrumSolver();

  PetscErrorCode Setup(Mat L, const SpectrumOptions& options);
  // Solves for the current values of L.
  PetscErrorCode Solve(SpectrumResult* out);
  // Right eigenvector k (0: nearest 0) of the last Solve, into v (L's layout).
  PetscErrorCode GetEigenvector(index_t k, Vec v);

 private:
  Mat L_ = nullptr;
  EPS eps_ = nullptr;
  SpectrumOptions options_;
};

// Sets the LU solver of a factorisation PC: the value of
// -<prefix>pc_factor_mat_solver_type if given, otherwise MUMPS. Call before
// the owning object's *SetFromOptions (which still has the last word).
PetscErrorCode SetDefaultFactorSolver(PC pc, const std::string& prefix);

// min |Re lambda| over eigenvalues with |lambda| > zero_threshold (NaN if none).
double spectral_gap(const std::vector<cplx>& eigenvalues, double zero_threshold);

}  // namespace qcoll
