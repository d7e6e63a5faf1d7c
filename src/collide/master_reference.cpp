#include "qcoll/collide/master_reference.hpp"

namespace qcoll {

MasterReference::~MasterReference() {
  Destroy();
}

PetscErrorCode MasterReference::Setup(const Problem& p) {
  PetscFunctionBeginUser;
  d_ = p.me.dim;
  PetscCall(CreateLiouvillian(PETSC_COMM_SELF, p, &l_));
  PetscCall(CreateInitialVector(p, l_, &state_));
  PetscCall(VecDuplicate(state_, &next_));
  PetscCall(MFNCreate(PETSC_COMM_SELF, &mfn_));
  PetscCall(MFNSetOperator(mfn_, l_.total));
  FN f;
  PetscCall(MFNGetFN(mfn_, &f));
  PetscCall(FNSetType(f, FNEXP));
  PetscCall(MFNSetTolerances(mfn_, 1e-12, PETSC_DEFAULT));
  PetscCall(MFNSetErrorIfNotConverged(mfn_, PETSC_TRUE));
  PetscCall(MFNSetOptionsPrefix(mfn_, "collide_"));
  PetscCall(MFNSetFromOptions(mfn_));
  PetscFunctionReturn(0);
}

PetscErrorCode MasterReference::Advance(double dt, DenseMatrix* rho) {
  PetscFunctionBeginUser;
  FN f;
  PetscCall(MFNGetFN(mfn_, &f));
  PetscCall(FNSetScale(f, dt, 1.0));
  PetscCall(MFNSolve(mfn_, state_, next_));
  PetscCall(VecCopy(next_, state_));
  const PetscScalar* a;
  PetscCall(VecGetArrayRead(state_, &a));
  *rho = DenseMatrix(d_, d_);
  for (index_t j = 0; j < d_; ++j)
    for (index_t i = 0; i < d_; ++i) (*rho)(i, j) = a[i + d_ * j];
  PetscCall(VecRestoreArrayRead(state_, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode MasterReference::Destroy() {
  PetscFunctionBeginUser;
  PetscCall(MFNDestroy(&mfn_));
  PetscCall(VecDestroy(&state_));
  PetscCall(VecDestroy(&next_));
  PetscCall(LiouvillianDestroy(&l_));
  PetscFunctionReturn(0);
}

}  // namespace qcoll
