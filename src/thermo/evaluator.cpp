#include "qcoll/thermo/evaluator.hpp"

#include "qcoll/superop/liouvillian.hpp"

namespace qcoll {

ThermoEvaluator::~ThermoEvaluator() {
  VecsDestroy(&covectors_);
  VecDestroy(&work_);
}

PetscErrorCode ThermoEvaluator::Setup(Mat liouvillian, const ThermoOperators& ops,
                                      std::vector<double> betas, bool entropy) {
  PetscFunctionBeginUser;
  ops_ = &ops;
  L_ = liouvillian;
  betas_ = std::move(betas);
  d_ = ops.identity.rows();
  entropy_ = entropy && d_ <= kMaxEntropyDimension;
  PetscCall(TraceCovectorsCreate(liouvillian, ops.all(), &covectors_));
  PetscCall(MatCreateVecs(liouvillian, &work_, nullptr));
  PetscFunctionReturn(0);
}

PetscErrorCode ThermoEvaluator::Evaluate(Vec rho, ThermoValues* out) {
  PetscFunctionBeginUser;
  std::vector<PetscScalar> traces(covectors_.size());
  PetscCall(
      VecMDot(rho, static_cast<PetscInt>(covectors_.size()), covectors_.data(), traces.data()));
  *out = ThermoValues::from_traces(*ops_, std::vector<cplx>(traces.begin(), traces.end()));
  PetscReal norm;
  PetscCall(VecNorm(rho, NORM_2, &norm));
  out->purity = norm * norm;
  if (entropy_) {
    PetscCall(MatMult(L_, rho, work_));
    EntropyData e;
    PetscCall(EntropyOfDistributed(rho, work_, d_, &e));
    out->set_entropy(e.entropy, e.entropy_rate, betas_);
  }
  PetscFunctionReturn(0);
}

}  // namespace qcoll
