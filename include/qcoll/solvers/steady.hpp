#pragma once
// Steady state of d vec(rho)/dt = L vec(rho): the null vector of L normalised
// by a trace covector w (w^H vec(rho) = tr rho; for column stacking w = vec(I)).
// Linear algebra only: the solver knows L, the column layout and w.
//
// Methods (SteadyOptions::method; options prefix p, default "steady_"):
//   direct     the trace condition replaces global row 0 of L (the equation
//              for rho_00, redundant because L preserves the trace):
//              A = L with row 0 := w^H, A x = e_0, KSP preonly + LU (MUMPS;
//              -p_pc_factor_mat_solver_type superlu_dist for SuperLU_dist).
//   iterative  the same bordered system A x = e_0 with GMRES(-p_ksp_*) and a
//              preconditioner (default ASM, overlap 1, ILU(1) subdomains;
//              -p_pc_type / -p_sub_pc_factor_levels ...).
//   eigen      EPS shift-and-invert for the eigenvector nearest 0
//              (-p_eps_* / -p_st_*), scaled to unit trace.
//   evolve     implicit time stepping (TS backward Euler, -p_ts_*) from the
//              given rho with growing steps until ||L rho|| < tol. The only
//              method that is well defined when the steady state is not
//              unique: it returns the state that rho relaxes to.
//   auto       direct if the estimated LU memory fits, else iterative.
// Every method returns rho Hermitian ((rho + rho^dag)/2) with unit trace.
//
// Uniqueness: unless -p_check_unique false, the eigenvalues of L nearest 0
// (EPS, prefix p, 2 of them) are computed first; two or more within
// -p_zero_tol * ||L||_inf of 0 mean the steady state is not unique. That is an
// error for direct, iterative and eigen (their answer would be arbitrary),
// and a warning (SteadyReport::unique = false) for evolve. The check needs an
// LU factorisation; it is skipped when that would not fit in memory.
#include <petscmat.h>

#include <memory>
#include <string>
#include <vector>

#include "qcoll/solvers/spectrum.hpp"
#include "qcoll/superop/adjoint.hpp"
#include "qcoll/superop/liouvillian.hpp"

namespace qcoll {

struct SteadyOptions {
  std::string method = "auto";  // auto | direct | iterative | eigen | evolve
  double tol = 1e-10;           // iterative: KSP rtol; evolve: ||L rho|| target; eigen: EPS tol
  std::string prefix = "steady_";
  bool check_unique = true;  // overridden by -p_check_unique
  bool verbose = true;       // one summary line per solve on rank 0
};

struct SteadyReport {
  std::string method;              // method used
  std::string reason;              // why (auto) or "requested"
  double residual = 0.0;           // ||L rho||_2 of the returned state
  double trace_error = 0.0;        // |w^H x - 1| of the raw solution x
  double hermiticity_error = 0.0;  // ||x - x^dag||_F of the raw solution (unit trace)
  double min_eigenvalue = 0.0;     // smallest eigenvalue of rho (NaN if d too large)
  PetscInt iterations = 0;         // KSP iterations, EPS restarts, TS steps (0 for LU)
  double wall_seconds = 0.0;
  bool unique_checked = false;
  bool unique = true;
  std::vector<cplx> eigenvalues;  // the uniqueness check's eigenvalues nearest 0
};

// Estimated memory of an LU factorisation of L per rank (bytes; from MUMPS's
// analysis phase, or from a fill model when that model already puts it beyond
// 4x `available`: MUMPS's PORD ordering crashes on the graph of the N = 10
// chain), and the memory available to each rank (bytes;
// -<prefix>memory_limit in MB overrides MemAvailable from /proc/meminfo,
// shared by the ranks of a node).
PetscErrorCode EstimateFactorMemory(Mat L, const std::string& prefix, double available,
                                    double* bytes_per_rank);
PetscErrorCode AvailableMemory(MPI_Comm comm, const std::string& prefix, double* bytes_per_rank);

class SteadyMethod;  // one implementation per method (steady_methods.hpp)

class SteadySolver {
 public:
  SteadySolver();
  SteadySolver(const SteadySolver&) = delete;
  SteadySolver& operator=(const SteadySolver&) = delete;
  ~SteadySolver();

  // L, layout and w must outlive the solver. L may change values (same
  // non-zero pattern) between solves, as in a lambda sweep: factorisations
  // then reuse their symbolic phase.
  PetscErrorCode Setup(Mat L, const ColumnLayout& layout, Vec trace_covector,
                       const SteadyOptions& options);
  // rho: in, the initial state (evolve) or initial guess (iterative); out,
  // the steady state. `spectrum`: eigenvalues of the current L nearest 0 that
  // the caller has computed anyway (e.g. for the gap); with at least two of
  // them they replace the solver's own uniqueness check.
  PetscErrorCode Solve(Vec rho, SteadyReport* report, const SpectrumResult* spectrum = nullptr);

  const std::string& method() const { return method_; }

 private:
  PetscErrorCode ChooseMethod();
  PetscErrorCode CheckUnique(const SpectrumResult& spec, SteadyReport* report);
  PetscErrorCode Finish(Vec rho, SteadyReport* report);

  Mat L_ = nullptr;
  ColumnLayout layout_;
  Vec trace_ = nullptr;
  SteadyOptions options_;
  std::string method_, reason_;
  bool check_unique_ = true;
  PetscInt last_check_iterations_ = 0;
  std::unique_ptr<SteadyMethod> impl_;
  std::unique_ptr<SpectrumSolver> check_;
  AdjointScatter adjoint_;
  Vec work_ = nullptr;
};

}  // namespace qcoll
