#pragma once
// Internal: the linear-algebra methods behind SteadySolver (steady.hpp).
// Each computes a raw null vector of L; SteadySolver normalises, symmetrises
// and measures it.
#include <petscmat.h>

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
};

// direct (LU) or iterative (Krylov) on A = L + c e_0 w^H, A x = c e_0.
PetscErrorCode CreateBorderedMethod(Mat L, Vec trace_covector, bool direct,
                                    const SteadyOptions& options,
                                    std::unique_ptr<SteadyMethod>* out);

// Backward-Euler time stepping with growing steps until ||L rho|| < tol * |tr rho|.
PetscErrorCode CreateEvolveMethod(Mat L, Vec trace_covector, const SteadyOptions& options,
                                  std::unique_ptr<SteadyMethod>* out);

}  // namespace qcoll
