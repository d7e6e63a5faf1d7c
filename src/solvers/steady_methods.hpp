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
};

// direct (LU) or iterative (GMRES) on L with row 0 replaced by w^H.
PetscErrorCode CreateBorderedMethod(Mat L, Vec trace_covector, bool direct,
                                    const SteadyOptions& options,
                                    std::unique_ptr<SteadyMethod>* out);

// Backward-Euler time stepping with growing steps until ||L rho|| < tol * |tr rho|.
PetscErrorCode CreateEvolveMethod(Mat L, Vec trace_covector, const SteadyOptions& options,
                                  std::unique_ptr<SteadyMethod>* out);

}  // namespace qcoll
