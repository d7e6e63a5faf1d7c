#pragma once
// The master equation's solution at the stroboscopic times, the tau -> 0
// reference of the collisional map: vec(rho_ME) advanced by SLEPc MFN,
// exp(dt L) v, on PETSC_COMM_SELF (each rank runs its own tau values).
// MFN options take the prefix -collide_ (e.g. -collide_mfn_tol 1e-13).
#include <slepcmfn.h>

#include "qcoll/tasks/problem.hpp"

namespace qcoll {

class MasterReference {
 public:
  MasterReference() = default;
  MasterReference(const MasterReference&) = delete;
  MasterReference& operator=(const MasterReference&) = delete;
  ~MasterReference();

  // Builds L on PETSC_COMM_SELF and sets rho_ME(0) to the deck's initial state.
  PetscErrorCode Setup(const Problem& p);
  // rho_ME(t + dt) into `rho` (dense, row-major).
  PetscErrorCode Advance(double dt, DenseMatrix* rho);
  // Safe to call more than once (also called by the destructor).
  PetscErrorCode Destroy();

 private:
  Liouvillian l_;
  MFN mfn_ = nullptr;
  Vec state_ = nullptr, next_ = nullptr;
  index_t d_ = 0;
};

}  // namespace qcoll
