#pragma once
// Steady state of d vec(rho)/dt = L vec(rho): the null vector of L normalised
// by a trace covector w (w^H vec(rho) = tr rho; for column stacking w = vec(I)).
// Linear algebra only: the solver knows L, the column layout and w.
//
// Methods (SteadyOptions::method; options prefix p, default "steady_"):
//   direct     A = L + c e_0 w^H (c = -||L||_inf), A x = c e_0: L's spectrum
//              with the simple 0 moved to c, so A is non-singular exactly when
//              the steady state is unique. KSP preonly + LU (MUMPS;
//              -p_pc_factor_mat_solver_type superlu_dist for SuperLU_dist).
//   iterative  the same bordered system with a Krylov method and a
//              preconditioner (-p_ksp_* / -p_pc_* ...).
//   eigen      EPS shift-and-invert for the eigenvector nearest 0
//              (-p_near_eps_* / -p_near_st_*), scaled to unit trace.
//   evolve     implicit time stepping (TS backward Euler, -p_ts_*) from the
//              given rho with growing steps until ||L rho|| < tol. The only
//              method that is well defined when the steady state is not
//              unique: it returns the state that rho relaxes to.
//   auto       direct if the estimated LU memory fits, else iterative.
// Every method returns rho Hermitian ((rho + rho^dag)/2) with unit trace.
//
// One factorisation serves the whole run. Uniqueness: unless
// -p_check_unique false, the eigenvalues of L nearest 0 are computed
// (spectrum.hpp, near-zero stage); with `direct` from A's factorisation (the
// moved 0 is not among them), otherwise from an LU of L - sigma (skipped,
// with a note, when that would not fit in memory). Any within
// -p_zero_tol * ||L||_inf of 0 besides the steady state's means the steady
// state is not unique: an error for direct, iterative and eigen (their answer
// would be arbitrary), a warning (SteadyReport::unique = false) for evolve.
// With SteadyOptions::gap the slow spectrum (nev slowest eigenvalues, the gap)
// is computed as well, from the same near-zero stage plus products with
// exp(t L) (no further factorisation).
#include <petscmat.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "qcoll/solvers/spectrum.hpp"
#include "qcoll/superop/adjoint.hpp"
#include "qcoll/superop/liouvillian.hpp"
#include "qcoll/superop/structure.hpp"

namespace qcoll {

// What the steady solver may exploit beyond L (superop/structure.hpp): the
// one-sided part for the Sylvester preconditioner, and the invariant blocks
// the steady state lives in (the solve then runs on those entries only).
struct SteadyStructure {
  OneSidedPart one_sided;
  BlockStructure blocks;
  // Components of the one-sided part without the coherent terms (lambda_j
  // G_j): finer than blocks' when the coherent drive alone joins them. The
  // Sylvester preconditioner may use them, dropping the one-sided part's
  // entries between them (count 0: not given).
  BlockStructure split;
};

// From the whole superoperator with its current coefficients, and its part
// without the coherent terms (for `split`; empty: not given).
SteadyStructure steady_structure(index_t d, const SuperOperatorTerms& terms,
                                 const SuperOperatorTerms& incoherent = {});

// With the Sylvester preconditioner (a structure given), `auto` does not
// consider LU beyond this many unknowns: it is then minutes against seconds.
constexpr PetscInt kSteadyLuDimension = 20000;

struct SteadyOptions {
  std::string method = "auto";  // auto | direct | iterative | eigen | evolve
  double tol =
      1e-12;  // iterative: true relative residual; evolve: ||L rho|| target; eigen: EPS tol
  std::string prefix = "steady_";
  bool check_unique = true;                   // overridden by -p_check_unique
  bool verbose = true;                        // one summary line per solve on rank 0
  bool gap = false;                           // also the slow spectrum (SteadyReport::spectrum)
  index_t nev = 6;                            // its size
  std::string spectrum_prefix = "spectrum_";  // options of the slow spectrum
  // Collective; true when the run should stop (SIGTERM/SIGUSR1): iterative
  // solves then end with an error within one iteration.
  std::function<bool()> stop_requested;
  index_t spectrum_dense_dimension = 1024;  // SpectrumOptions::dense_dimension
  bool reduce = true;      // with a structure: solve in its reached blocks only ([steady] symmetry)
  bool plan_only = false;  // Setup chooses the method and stops (qcoll check)
  // With gap and a reduction: the slow spectrum of the solved blocks only
  // (the steady class; the caller adds the other classes, solvers/
  // block_spectrum.hpp), from the factorisation of `direct`; with another
  // method none (gap_provided() false: the caller computes that class too).
  bool gap_in_blocks = false;
};

// Memory and time of the methods for one steady problem: what `auto` picks
// from and `qcoll check` prints. Times are estimates with this machine
// class's rates (docs/solvers.md, "Choosing a method"): LU from MUMPS's
// operation count, GMRES + Sylvester from the block sizes.
struct SteadyPlan {
  PetscInt unknowns = 0;  // of the solve (the reached blocks' entries when they reduce)
  double available = 0;   // bytes per rank
  bool lu_estimated = false;
  double lu_bytes = 0, lu_seconds = 0;  // per rank; factorisation
  bool sylvester = false;               // the Sylvester preconditioner is available
  double sylvester_bytes = 0;           // dense factors and Krylov basis, per rank
  double sylvester_seconds = 0, sylvester_iterations = 0;  // with the uniqueness check
  std::string method, reason;
  bool with_spectrum = false;  // [steady] gap = true
  SpectrumPlan spectrum;       // filled in by the caller (its classes)
};

// The largest d for which the solver diagonalises the state it returns.
inline constexpr index_t kMaxStateEigenvalueDimension = 2048;

struct SteadyReport {
  std::string method;              // method used
  std::string reason;              // why (auto) or "requested"
  double residual = 0.0;           // ||L rho||_2 of the returned state
  double trace_error = 0.0;        // |w^H x - 1| of the raw solution x
  double hermiticity_error = 0.0;  // ||x - x^dag||_F of the raw solution (unit trace)
  double min_eigenvalue = 0.0;     // smallest eigenvalue of rho (NaN if d too large)
  // All eigenvalues of rho, ascending (empty above kMaxStateEigenvalueDimension);
  // the caller takes the entropy from them rather than diagonalising again.
  std::vector<double> state_eigenvalues;
  PetscInt iterations = 0;  // KSP iterations, EPS restarts, TS steps (0 for LU)
  double wall_seconds = 0.0;
  bool unique_checked = false;
  bool unique = true;
  std::vector<cplx> eigenvalues;         // the uniqueness check's eigenvalues nearest 0
  double second_start_difference = 0.0;  // iterative: ||x2 - x1|| of the check by a second start
  PetscInt solved_dimension = 0;         // unknowns of the solve (d^2, or the reached blocks')
  std::string preconditioner;            // iterative: which, on what blocks (empty otherwise)
  bool with_spectrum = false;            // SteadyOptions::gap
  SpectrumResult spectrum;               // the slow spectrum and the near-zero stage
  // An iterative solve stopped by a signal: rho holds its last iterate (not
  // a steady state: nothing else of the report is set), to continue from.
  bool stopped = false;
};

// EstimateFactorMemory and AvailableMemory: spectrum.hpp.

class SteadyMethod;             // one implementation per method (steady_methods.hpp)
class ReducedSpace;             // the reached blocks' entries (reduced_space.hpp)
class SylvesterPreconditioner;  // sylvester.hpp

class SteadySolver {
 public:
  SteadySolver();
  SteadySolver(const SteadySolver&) = delete;
  SteadySolver& operator=(const SteadySolver&) = delete;
  ~SteadySolver();

  // L, layout and w must outlive the solver. L may change values (same
  // non-zero pattern) between solves, as in a lambda sweep: factorisations
  // then reuse their symbolic phase.
  // `structure` (optional, copied) enables the Sylvester preconditioner and
  // the reduction to the reached blocks.
  // `space` and `restricted` (optional, not owned): L already restricted to
  // the reached blocks' entries (superop/liouvillian.hpp, LiouvillianCreate
  // with a space), so no full assembled L is needed; L may then be a shell
  // (ReducedOperatorCreateFull) used for the final residual only, and the
  // methods are direct and iterative.
  PetscErrorCode Setup(Mat L, const ColumnLayout& layout, Vec trace_covector,
                       const SteadyOptions& options, const SteadyStructure* structure = nullptr,
                       const ReducedSpace* space = nullptr, Mat restricted = nullptr);
  // New coefficients of L (a lambda sweep) with the same block structure:
  // the one-sided part's decompositions are redone, the rest is kept.
  PetscErrorCode UpdateStructure(const SteadyStructure& structure);
  // rho: in, the initial state (evolve) or initial guess (iterative); out,
  // the steady state.
  PetscErrorCode Solve(Vec rho, SteadyReport* report);

  // After Solve: y with L y = b and tr y = 0, for a traceless b (full-length
  // vectors like rho), from the factorisation or preconditioner of the solve
  // (the bordered system A y = b; the steady state's Drazin inverse on
  // traceless vectors). Checks ||L y - b|| <= tolerance * ||b||; the
  // bordered methods only (direct, iterative).
  PetscErrorCode SolveTraceless(Vec b, Vec y, double tolerance = 1e-8);

  const std::string& method() const { return method_; }
  const SteadyPlan& plan() const { return plan_; }
  // Whether Solve returns the slow spectrum (SteadyReport::spectrum): with
  // gap, unless gap_in_blocks and the method is not direct.
  bool gap_provided() const { return gap_provided_; }
  // Entries of vec(rho) the solve works with (d^2 without a reduction).
  PetscInt solved_dimension() const;

 private:
  PetscErrorCode ChooseMethod();
  PetscErrorCode EstimateSylvester(SteadyPlan* plan) const;
  PetscErrorCode CheckUnique(const SpectrumResult& spec, SteadyReport* report);
  PetscErrorCode SetupSpectrum();
  PetscErrorCode Finish(Vec rho, SteadyReport* report);
  PetscErrorCode SetupReduction();
  PetscErrorCode SetupSylvester();
  std::string PreconditionerDescription() const;
  // The split blocks did not converge within their budget: L's own blocks.
  PetscErrorCode FallBackToExactBlocks();
  double PreconditionerSeconds() const;
  // Whether the Sylvester preconditioner takes structure_.split's finer
  // blocks (-p_pc_sylvester_blocks split | exact).
  bool SplitPreconditioner() const;
  PetscErrorCode SolveBordered(Vec rho, SteadyReport* report);
  PetscErrorCode CheckUniqueBySecondStart(Vec x, SteadyReport* report);

  Mat L_ = nullptr;
  ColumnLayout layout_;
  Vec trace_ = nullptr;
  SteadyOptions options_;
  std::string method_, reason_, lu_estimate_;
  bool check_unique_ = true;
  bool exact_blocks_requested_ = false;  // -p_pc_sylvester_blocks exact
  bool exact_blocks_forced_ = false;     // FallBackToExactBlocks happened
  bool shared_check_ = false;            // the check uses impl_'s factorisation
  std::unique_ptr<SteadyMethod> impl_;
  std::unique_ptr<SpectrumSolver> check_;
  SharedInverse shared_inverse_;
  AdjointScatter adjoint_;
  Vec work_ = nullptr;
  // The system the bordered methods solve: L itself, or its restriction to
  // the reached blocks (op_ = sub_, w_op_ = sub_trace_).
  SteadyStructure structure_;
  bool have_structure_ = false;
  bool reduced_ = false;
  std::unique_ptr<ReducedSpace> space_;  // owned when made here
  const ReducedSpace* space_view_ = nullptr;
  Mat restricted_ = nullptr;  // given by the caller
  std::unique_ptr<SylvesterPreconditioner> sylvester_;
  Mat op_ = nullptr, sub_ = nullptr;
  Vec w_op_ = nullptr, sub_trace_ = nullptr, x_ = nullptr, x_check_ = nullptr;
  std::unique_ptr<SpectrumSolver> full_spectrum_;  // gap over all blocks of a reduced run
  SteadyPlan plan_;
  bool gap_provided_ = false;
};

}  // namespace qcoll
