// Steady state by implicit time stepping: backward Euler (PETSc TS, options
// prefix of SteadyOptions) with steps growing tenfold from 1/||L|| up to
// 1e8/||L||. One step maps each eigenmode by 1/(1 - dt lambda): the
// steady-state components are kept exactly, every other mode is damped,
// and once dt * gap >> 1 the iteration converges like inverse iteration.
// TS gets its own copy of L: during a solve it keeps shift - L in its
// Jacobian matrix (undone only when TSSolve returns), while the convergence
// test after each step needs L itself. A TS with a "constant" Jacobian also
// keeps derived matrices, so each solve (a sweep changes L) gets a new TS.
#include <petscts.h>

#include <algorithm>
#include <string>

#include "steady_methods.hpp"

namespace qcoll {
namespace {

class EvolveToSteady : public SteadyMethod {
 public:
  ~EvolveToSteady() override {
    MatDestroy(&L_ts_);
    VecDestroy(&work_);
  }

  PetscErrorCode Setup(Mat L, Vec w, const SteadyOptions& o) {
    PetscFunctionBeginUser;
    L_ = L;
    w_ = w;
    tol_ = o.tol;
    prefix_ = o.prefix;
    PetscCall(MatCreateVecs(L, nullptr, &work_));
    PetscCall(MatDuplicate(L, MAT_COPY_VALUES, &L_ts_));
    PetscFunctionReturn(0);
  }

  PetscErrorCode Solve(Vec rho, PetscInt* iterations) override {
    PetscFunctionBeginUser;
    PetscReal scale;
    PetscCall(MatNorm(L_, NORM_INFINITY, &scale));
    scale = scale > 0 ? scale : 1.0;
    dt_ = 1.0 / scale;
    dt_max_ = 1e8 / scale;
    PetscCall(MatCopy(L_, L_ts_, SAME_NONZERO_PATTERN));  // L may have changed (sweeps)
    TS ts;
    PetscCall(CreateTS(&ts));
    PetscCall(TSSolve(ts, rho));
    TSConvergedReason reason;
    PetscCall(TSGetConvergedReason(ts, &reason));
    PetscCall(TSGetStepNumber(ts, iterations));
    PetscCall(TSDestroy(&ts));
    PetscCheck(reason == TS_CONVERGED_USER, PetscObjectComm(reinterpret_cast<PetscObject>(L_)),
               PETSC_ERR_NOT_CONVERGED,
               "time stepping stopped (%s) after %" PetscInt_FMT
               " steps with ||L rho|| = %g > tol = %g; raise -steady_ts_max_steps or use "
               "another method",
               TSConvergedReasons[reason], *iterations, residual_, tol_);
    PetscFunctionReturn(0);
  }

 private:
  // Backward Euler without step adaptation, LU for the implicit solves;
  // -<prefix>ts_* / -<prefix>ksp_* / -<prefix>pc_* override.
  PetscErrorCode CreateTS(TS* out) {
    PetscFunctionBeginUser;
    TS ts;
    PetscCall(TSCreate(PetscObjectComm(reinterpret_cast<PetscObject>(L_)), &ts));
    PetscCall(TSSetOptionsPrefix(ts, prefix_.c_str()));
    PetscCall(TSSetProblemType(ts, TS_LINEAR));
    PetscCall(TSSetRHSFunction(ts, nullptr, TSComputeRHSFunctionLinear, nullptr));
    PetscCall(TSSetRHSJacobian(ts, L_ts_, L_ts_, TSComputeRHSJacobianConstant, nullptr));
    PetscCall(TSSetType(ts, TSBEULER));
    TSAdapt adapt;
    PetscCall(TSGetAdapt(ts, &adapt));
    PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
    PetscCall(TSSetTime(ts, 0.0));
    PetscCall(TSSetTimeStep(ts, dt_));
    PetscCall(TSSetMaxSteps(ts, 500));
    PetscCall(TSSetMaxTime(ts, PETSC_MAX_REAL));
    PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_STEPOVER));
    SNES snes;
    KSP ksp;
    PC pc;
    PetscCall(TSGetSNES(ts, &snes));
    PetscCall(SNESGetKSP(snes, &ksp));
    PetscCall(KSPSetType(ksp, KSPPREONLY));
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCSetType(pc, PCLU));
    PetscCall(SetDefaultFactorSolver(pc, prefix_));
    PetscCall(TSSetApplicationContext(ts, this));
    PetscCall(TSSetPostStep(ts, PostStep));
    PetscCall(TSSetFromOptions(ts));
    *out = ts;
    PetscFunctionReturn(0);
  }

  static PetscErrorCode PostStep(TS ts) {
    PetscFunctionBeginUser;
    EvolveToSteady* self;
    PetscCall(TSGetApplicationContext(ts, &self));
    Vec u;
    PetscCall(TSGetSolution(ts, &u));
    PetscCall(MatMult(self->L_, u, self->work_));
    PetscReal norm;
    PetscScalar trace;
    PetscCall(VecNorm(self->work_, NORM_2, &norm));
    PetscCall(VecDot(u, self->w_, &trace));
    self->residual_ = norm / std::max(PetscAbsScalar(trace), PETSC_SMALL);
    if (self->residual_ < self->tol_) {
      PetscCall(TSSetConvergedReason(ts, TS_CONVERGED_USER));
    } else {
      self->dt_ = std::min(10.0 * self->dt_, self->dt_max_);
      PetscCall(TSSetTimeStep(ts, self->dt_));
    }
    PetscFunctionReturn(0);
  }

  Mat L_ = nullptr, L_ts_ = nullptr;
  Vec w_ = nullptr, work_ = nullptr;
  double tol_ = 1e-10, dt_ = 0, dt_max_ = 0, residual_ = 0;
  std::string prefix_;
};

}  // namespace

PetscErrorCode CreateEvolveMethod(Mat L, Vec trace_covector, const SteadyOptions& options,
                                  std::unique_ptr<SteadyMethod>* out) {
  PetscFunctionBeginUser;
  auto m = std::make_unique<EvolveToSteady>();
  PetscCall(m->Setup(L, trace_covector, options));
  *out = std::move(m);
  PetscFunctionReturn(0);
}

}  // namespace qcoll
