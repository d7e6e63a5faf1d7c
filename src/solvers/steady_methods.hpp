#pragma once
// Internal: the linear-algebra methods behind SteadySolver (steady.hpp).
// Each computes a raw null vector of L; SteadySolver normalises, symmetrises
// and measures it.
#include <petscmat.h>

#include <functional>
#include <memory>

#include "qcoll/solvers/steady.hpp"

namespace qcoll {

class SteadyMethod {
 public:
  virtual ~SteadyMethod() = default;
  // rho: in, initial state or guess; out, the raw solution (trace ~ 1 for
  // the bordered system and time stepping).
  virtual PetscErrorCode Solve(Vec rho, PetscInt* iterations) = 0;
  // The bordered methods: y = A^{-1} x with the factorisation (or
  // preconditioner) of the last Solve, A = L + c e_0 w^H, and c.
  virtual PetscErrorCode ApplyInverse(Vec, Vec) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_SUP, "this steady-state method has no inverse to share");
  }
  virtual PetscScalar border() const { return 0.0; }
  // Iterative methods: a new relative tolerance for the following solves.
  virtual void SetTolerance(double) {}
  // Iterative methods: at most this many iterations in the following solves
  // (0: the default); a solve that reaches it returns without error, with
  // exhausted() true and its last iterate.
  virtual void SetIterationBudget(PetscInt) {}
  virtual bool exhausted() const { return false; }
  // The preconditioner's properties changed (CreateBorderedMethod).
  virtual PetscErrorCode SetPreconditionerProperties(bool /*inexact*/, double /*pc_seconds*/) {
    return 0;
  }
  // Whether the last Solve was stopped by a stop signal (iterative methods
  // poll it once per iteration): rho then holds the last iterate.
  virtual bool stopped() const { return false; }
};

// y = M^-1 x for a preconditioner of the bordered system.
using ApplyFunction = std::function<PetscErrorCode(Vec, Vec)>;

// direct (LU) or iterative (Krylov) on A = L + c e_0 w^H, A x = c e_0.
// iterative with `preconditioner` (unless -p_pc_type names another): GMRES,
// right preconditioned by it, A applied as L x + c e_0 (w^H x) without a copy
// of L; otherwise BiCGStab with ASM/ILU(1) of an assembled, damped copy.
// `inexact`: the preconditioner is linear only to ~1e-7 (single precision):
// GMRES's solution update then carries that error, so the solve is repeated
// from its result until the true residual meets the tolerance (mixed-
// precision refinement; FGMRES would need twice the memory).
// `pc_seconds`: the preconditioner's time per application (0: unknown), for
// the restart (KrylovRestart).
PetscErrorCode CreateBorderedMethod(Mat L, Vec trace_covector, bool direct,
                                    const SteadyOptions& options,
                                    const ApplyFunction* preconditioner,
                                    std::unique_ptr<SteadyMethod>* out, bool inexact = false,
                                    double pc_seconds = 0.0);

// GMRES's restart with a preconditioner costing pc_seconds per application:
// long enough that the Gram-Schmidt orthogonalisation (~64 bytes per local
// unknown and basis vector, with refinement) costs on average about what
// the preconditioner does (fewer restarts do not pay beyond), 30 to 150, and
// the basis at most half the memory per rank (the rest holds L, the
// preconditioner and the ~20 work vectors of the solve and its checks).
PetscInt KrylovRestart(double available_bytes, PetscInt local_size, double pc_seconds);

// Whether -<prefix>pc_type is given (the user picks the preconditioner).
bool PreconditionerRequested(const std::string& prefix);

// Backward-Euler time stepping with growing steps until ||L rho|| < tol * |tr rho|.
PetscErrorCode CreateEvolveMethod(Mat L, Vec trace_covector, const SteadyOptions& options,
                                  std::unique_ptr<SteadyMethod>* out);

}  // namespace qcoll
