#pragma once
// The slow spectrum of a generator L: the eigenvalues with the largest real
// part (the smallest decay rates |Re lambda|), whatever their imaginary parts,
// and the eigenvalues nearest 0 that decide whether the null space is simple.
//
// Two stages (docs/solvers.md, "Spectrum"):
//   near-zero  SLEPc EPS on an inverse: either shift-and-invert with its own
//              LU of L - sigma (sigma = -shift * ||L||_inf, prefix p =
//              "spectrum_near_", e.g. -spectrum_near_eps_ncv), or, in a steady
//              run, the already factorised bordered matrix L + c e_0 w^H
//              (`SharedInverse`), whose spectrum is L's with the simple 0 moved
//              to c. Gives the eigenvalues nearest 0 in modulus: the
//              uniqueness check, and an upper bound on the decay rates of the
//              slowest modes.
//   slow       EPS (prefix "spectrum_", -spectrum_eps_nev / _ncv / _tol /
//              _max_it / _monitor) for the dominant eigenvalues of exp(t L),
//              applied with SLEPc MFN (-spectrum_exp_mfn_*): |exp(t lambda)| =
//              exp(t Re lambda), so "largest modulus" is "largest real part" by
//              construction. t = 2 / r, r the nev-th smallest decay rate among
//              known eigenvalues (from the near-zero stage). The converged
//              invariant subspace is then projected on L itself (Rayleigh-Ritz),
//              which recovers eigenvalues that exp(t L) maps to one point, and
//              each eigenvalue's residual ||L v - lambda v|| is measured.
// Options of qcoll's own: -p_zero_tol (relative threshold below which
// |lambda| / ||L||_inf counts as 0).
#include <petscksp.h>
#include <petscmat.h>
#include <slepceps.h>
#include <slepcmfn.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "qcoll/model/types.hpp"

namespace qcoll {

struct SpectrumOptions {
  index_t nev = 6;  // the nev slowest eigenvalues (0 included)
  std::string prefix = "spectrum_";
  double zero_tolerance = 1e-8;    // |lambda| <= zero_tolerance * ||L||_inf counts as 0
  double shift = 1e-4;             // near-zero stage: pole at -shift * ||L||_inf
  double tol = 1e-10;              // EPS convergence tolerance
  bool slow = true;                // false: near-zero stage only (uniqueness check)
  index_t near_nev = 0;            // eigenvalues of the near-zero stage (0: max(nev, 2))
  bool verbose = true;             // progress lines on rank 0
  bool allow_dense = true;         // small d^2: all eigenvalues densely (LAPACK)
  index_t dense_dimension = 1024;  // "small": d^2 <= this (16 MB per rank)
};

// What a spectrum computation will do and cost (qcoll check): the method,
// the classes of blocks, memory per rank and time (estimates with this
// machine class's rates, docs/solvers.md "Spectrum block by block").
struct SpectrumPlan {
  std::string method;  // e.g. "block by block: ..." or "all of L: ..."
  double bytes = 0;    // per rank, beyond L
  double seconds = 0;
  double available = 0;  // per rank
};

// y = M^{-1} x for M = L + c e_0 w^H, factorised by its owner (the steady
// solver). M's eigenvalues are L's, with the (simple) 0 replaced by c.
struct SharedInverse {
  std::function<PetscErrorCode(Vec, Vec)> apply;
  PetscScalar moved_zero = -1.0;  // c
};

struct SpectrumResult {
  // The slow spectrum, slowest first (by |Re|, then Im); at most nev values.
  std::vector<cplx> eigenvalues;
  std::vector<double> residuals;  // ||L v - lambda v|| / (||L||_inf ||v||) of each
  // The near-zero stage: eigenvalues of L nearest 0 in modulus (the simple 0
  // of a steady run's bordered matrix is not among them), nearest first.
  std::vector<cplx> nearest_zero;
  double scale = 0.0;                  // ||L||_inf
  double zero_threshold = 0.0;         // zero_tolerance * scale
  index_t zero_count = 0;              // eigenvalues of L with |lambda| <= zero_threshold
  double gap = 0.0;                    // min |Re lambda| over the non-zero ones; NaN if none
  double exp_time = 0.0;               // t of exp(t L) (0: no slow stage)
  std::string searched;                // which part of the spectrum was searched, how
  PetscInt iterations = 0;             // EPS iterations of the slow stage
  PetscInt operator_applications = 0;  // exp(t L) products
  double wall_seconds = 0.0;
};

// Keeps the EPS objects (and the near-zero stage's factorisation's symbolic
// phase) between solves, so a sweep that changes L's values but not its
// pattern re-solves cheaply.
class SpectrumSolver {
 public:
  SpectrumSolver();
  SpectrumSolver(const SpectrumSolver&) = delete;
  SpectrumSolver& operator=(const SpectrumSolver&) = delete;
  ~SpectrumSolver();

  // `inverse`: a factorised bordered matrix to use instead of an own LU
  // (copied; must stay valid while the solver is used).
  PetscErrorCode Setup(Mat L, const SpectrumOptions& options,
                       const SharedInverse* inverse = nullptr);
  // The shared inverse's moved eigenvalue c changes with L's values.
  PetscErrorCode UpdateSharedInverse(const SharedInverse& inverse);
  // Solves for the current values of L.
  PetscErrorCode Solve(SpectrumResult* out);
  // Whether the last Setup chose the dense path (small d^2).
  bool dense() const;
  // Eigenvector of L nearest 0 from the last Solve (own-LU near-zero stage
  // only), into v (L's layout).
  PetscErrorCode GetNearZeroEigenvector(index_t k, Vec v);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Sets the LU solver of a factorisation PC: the value of
// -<prefix>pc_factor_mat_solver_type if given, otherwise MUMPS. Call before
// the owning object's *SetFromOptions (which still has the last word).
PetscErrorCode SetDefaultFactorSolver(PC pc, const std::string& prefix);

// Estimated memory of an LU factorisation of L per rank (bytes; from MUMPS's
// analysis phase, or from a fill model when that model already puts it beyond
// 4x `available`: MUMPS's PORD ordering crashes on the graph of the N = 10
// chain), and the memory available to each rank (bytes;
// -<prefix>memory_limit in MB overrides MemAvailable from /proc/meminfo,
// shared by the ranks of a node).
// `flops` (may be null): MUMPS's estimate of the factorisation's operations
// (RINFOG(1)), or the fill model's n^2 when MUMPS was not asked.
PetscErrorCode EstimateFactorMemory(Mat L, const std::string& prefix, double available,
                                    double* bytes_per_rank, double* flops = nullptr);
PetscErrorCode AvailableMemory(MPI_Comm comm, const std::string& prefix, double* bytes_per_rank);

// min |Re lambda| over eigenvalues with |lambda| > zero_threshold (NaN if none).
double spectral_gap(const std::vector<cplx>& eigenvalues, double zero_threshold);

// Sorts slowest first: by |Re| (ties within `tie`), then by Im.
void sort_by_decay_rate(std::vector<cplx>* values, double tie);
// Whether a comes before b in that order.
bool slower(const cplx& a, const cplx& b, double tie);

// L preserves Hermiticity, so its spectrum is closed under conjugation: at a
// cut-off an eigensolver may return either member of a pair. An eigenvalue
// whose partner is not in the list is reported with Im > 0, so the set does
// not depend on the number of ranks.
void conjugate_complete(std::vector<cplx>* values, double tie);

}  // namespace qcoll
