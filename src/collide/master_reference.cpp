#include "qcoll/collide/master_reference.hpp"

#include "qcoll/collide/steady_reference.hpp"
#include "qcoll/derive/lindblad_terms.hpp"

namespace qcoll {

MasterReference::~MasterReference() {
  Destroy();
}

PetscErrorCode MasterReference::Setup(const CollideInput& p, double tau, Method method) {
  PetscFunctionBeginUser;
  d_ = p.me.dim;
  tau_ = tau;
  if (method == Method::Automatic)
    method = d_ <= kMaxDenseReferenceDimension ? Method::Dense : Method::Krylov;
  if (method == Method::Dense)
    PetscCall(SetupDense(p));
  else
    PetscCall(SetupKrylov(p));
  PetscFunctionReturn(0);
}

PetscErrorCode MasterReference::SetupDense(const CollideInput& p) {
  PetscFunctionBeginUser;
  const index_t n = d_ * d_;
  DenseMatrix l;
  PetscCallCXX(l = dense_liouvillian(p.me));
  Mat a, e;
  PetscCall(MatCreateSeqDense(PETSC_COMM_SELF, n, n, nullptr, &a));
  PetscCall(MatCreateSeqDense(PETSC_COMM_SELF, n, n, nullptr, &e));
  PetscScalar* values;
  PetscCall(MatDenseGetArray(a, &values));
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i < n; ++i) values[i + n * j] = l(i, j);  // column-major
  PetscCall(MatDenseRestoreArray(a, &values));
  FN f;
  PetscCall(FNCreate(PETSC_COMM_SELF, &f));
  PetscCall(FNSetType(f, FNEXP));
  PetscCall(FNSetScale(f, tau_, 1.0));
  PetscCall(FNEvaluateFunctionMat(f, a, e));
  PetscCall(FNDestroy(&f));
  PetscCallCXX(propagator_ = DenseMatrix(n, n));
  PetscCall(MatDenseGetArray(e, &values));
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i < n; ++i) propagator_(i, j) = values[i + n * j];
  PetscCall(MatDenseRestoreArray(e, &values));
  PetscCall(MatDestroy(&a));
  PetscCall(MatDestroy(&e));
  PetscCallCXX(vec_.assign(n, 0.0));
  for (index_t j = 0; j < d_; ++j)
    for (index_t i = 0; i < d_; ++i) vec_[i + d_ * j] = p.initial(i, j);
  PetscFunctionReturn(0);
}

PetscErrorCode MasterReference::SetupKrylov(const CollideInput& p) {
  PetscFunctionBeginUser;
  std::vector<PetscScalar> lambdas;
  for (const SpeciesTerms& s : p.me.species) lambdas.push_back(s.lambda);
  PetscCall(LiouvillianCreate(PETSC_COMM_SELF, p.me.dim, fixed_liouvillian_terms(p.me),
                              coherent_liouvillian_terms(p.me), lambdas, &l_));
  PetscCall(MatCreateVecs(l_.total, &state_, nullptr));
  PetscCall(FillDensityVector(l_.layout, state_, p.initial));
  PetscCall(VecDuplicate(state_, &next_));
  PetscCall(MFNCreate(PETSC_COMM_SELF, &mfn_));
  PetscCall(MFNSetOperator(mfn_, l_.total));
  FN f;
  PetscCall(MFNGetFN(mfn_, &f));
  PetscCall(FNSetType(f, FNEXP));
  PetscCall(MFNSetTolerances(mfn_, 1e-12, PETSC_DEFAULT));
  // A small basis: one stroke is a short time step, and the cost of an MFN
  // solve is dominated by the dense exponential of the basis' projection.
  PetscCall(MFNSetDimensions(mfn_, 12));
  PetscCall(MFNSetErrorIfNotConverged(mfn_, PETSC_TRUE));
  PetscCall(MFNSetOptionsPrefix(mfn_, "collide_"));
  PetscCall(MFNSetFromOptions(mfn_));
  PetscFunctionReturn(0);
}

PetscErrorCode MasterReference::Advance(index_t strokes, DenseMatrix* rho) {
  PetscFunctionBeginUser;
  PetscCallCXX(*rho = DenseMatrix(d_, d_));
  if (mfn_ == nullptr) {
    const index_t n = d_ * d_;
    std::vector<cplx> next(n);
    for (index_t s = 0; s < strokes; ++s) {
      for (index_t i = 0; i < n; ++i) {
        cplx x = 0.0;
        const cplx* row = &propagator_(i, 0);
        for (index_t j = 0; j < n; ++j) x += row[j] * vec_[j];
        next[i] = x;
      }
      vec_.swap(next);
    }
    for (index_t j = 0; j < d_; ++j)
      for (index_t i = 0; i < d_; ++i) (*rho)(i, j) = vec_[i + d_ * j];
    PetscFunctionReturn(0);
  }
  FN f;
  PetscCall(MFNGetFN(mfn_, &f));
  PetscCall(FNSetScale(f, static_cast<double>(strokes) * tau_, 1.0));
  PetscCall(MFNSolve(mfn_, state_, next_));
  PetscCall(VecCopy(next_, state_));
  const PetscScalar* a;
  PetscCall(VecGetArrayRead(state_, &a));
  for (index_t j = 0; j < d_; ++j)
    for (index_t i = 0; i < d_; ++i) (*rho)(i, j) = a[i + d_ * j];
  PetscCall(VecRestoreArrayRead(state_, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode MasterReference::GetState(std::vector<cplx>* vec_rho) const {
  PetscFunctionBeginUser;
  if (mfn_ == nullptr) {
    PetscCallCXX(*vec_rho = vec_);
    PetscFunctionReturn(0);
  }
  PetscInt n;
  const PetscScalar* a;
  PetscCall(VecGetLocalSize(state_, &n));
  PetscCall(VecGetArrayRead(state_, &a));
  PetscCallCXX(vec_rho->assign(a, a + n));
  PetscCall(VecRestoreArrayRead(state_, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode MasterReference::SetState(const std::vector<cplx>& vec_rho) {
  PetscFunctionBeginUser;
  const index_t n = d_ * d_;
  PetscCheck(static_cast<index_t>(vec_rho.size()) == n, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
             "master-equation state of length %zu, expected d^2 = %lld", vec_rho.size(),
             (long long)n);
  if (mfn_ == nullptr) {
    PetscCallCXX(vec_ = vec_rho);
    PetscFunctionReturn(0);
  }
  PetscScalar* a;
  PetscCall(VecGetArray(state_, &a));
  for (index_t i = 0; i < n; ++i) a[i] = vec_rho[i];
  PetscCall(VecRestoreArray(state_, &a));
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
