#include "qcoll/solvers/evolve.hpp"

#include <petscts.h>
#include <slepcmfn.h>

#include <cstdio>

#include "qcoll/solvers/progress.hpp"
#include "qcoll/solvers/ts_adapt_qcoll.hpp"

namespace qcoll {
namespace {

std::string progress_detail(double t, double t_final, index_t steps) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "t = %.6g / %.6g, steps %lld", t, t_final,
                static_cast<long long>(steps));
  return buf;
}

// After reaching output k: the caller's callback, a progress line, and the
// stop request. Sets *stop when the evolution should end here.
PetscErrorCode AfterOutput(index_t k, Vec rho, const EvolveOptions& o, const OutputCallback& cb,
                           EvolveStats* stats, ProgressReporter& progress, bool* stop) {
  PetscFunctionBeginUser;
  const double tk = k * o.dt_output;
  stats->last_output = k;
  if (cb) PetscCall(cb(k, tk, rho));
  progress.update(static_cast<double>(k - o.first_output) / (o.last_output - o.first_output),
                  progress_detail(tk, o.last_output * o.dt_output, stats->steps));
  *stop = o.should_stop && o.should_stop();
  stats->stopped = *stop;
  PetscFunctionReturn(0);
}

// Explicit Runge-Kutta with PETSc's default step controller gets the same
// controller with the faster error norm (ts_adapt_qcoll.hpp), unless the
// user chose a controller with -ts_adapt_type.
PetscErrorCode UseFastAdaptForRK(TS ts) {
  PetscFunctionBeginUser;
  PetscBool rk, chosen, basic;
  PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(ts), TSRK, &rk));
  PetscCall(PetscOptionsHasName(nullptr, nullptr, "-ts_adapt_type", &chosen));
  TSAdapt adapt;
  PetscCall(TSGetAdapt(ts, &adapt));
  PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(adapt), TSADAPTBASIC, &basic));
  if (rk && basic && !chosen) {
    PetscCall(TSAdaptQcollRegister());
    PetscCall(TSAdaptSetType(adapt, kTSAdaptQcoll));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode EvolveTS(Mat L, Vec rho, const EvolveOptions& o, const OutputCallback& cb,
                        EvolveStats* stats, ProgressReporter& progress) {
  PetscFunctionBeginUser;
  MPI_Comm comm;
  PetscCall(PetscObjectGetComm(reinterpret_cast<PetscObject>(L), &comm));
  TS ts;
  PetscCall(TSCreate(comm, &ts));
  PetscCall(TSSetProblemType(ts, TS_LINEAR));
  PetscCall(TSSetRHSFunction(ts, nullptr, TSComputeRHSFunctionLinear, nullptr));
  PetscCall(TSSetRHSJacobian(ts, L, L, TSComputeRHSJacobianConstant, nullptr));
  PetscCall(TSSetType(ts, TSRK));
  PetscCall(TSRKSetType(ts, TSRK5DP));
  PetscCall(TSSetTolerances(ts, o.atol, nullptr, o.rtol, nullptr));
  PetscCall(TSSetTime(ts, o.first_output * o.dt_output));
  PetscCall(TSSetTimeStep(ts, o.initial_dt > 0 ? o.initial_dt : 0.1 * o.dt_output));
  PetscCall(TSSetMaxSteps(ts, PETSC_MAX_INT));
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSetFromOptions(ts));
  PetscCall(UseFastAdaptForRK(ts));
  for (index_t k = o.first_output + 1; k <= o.last_output; ++k) {
    const double tk = k * o.dt_output;
    PetscReal dt_before;
    PetscCall(TSGetTimeStep(ts, &dt_before));
    PetscCall(TSSetMaxTime(ts, tk));
    PetscCall(TSSolve(ts, rho));
    TSConvergedReason reason;
    PetscCall(TSGetConvergedReason(ts, &reason));
    PetscCheck(reason >= 0, comm, PETSC_ERR_NOT_CONVERGED,
               "time stepping failed at t = %g (%s); try another -ts_type or looser tolerances",
               (double)tk, TSConvergedReasons[reason]);
    // Matching the output time shortens the last step; resume with the step
    // the adaptor had chosen, so outputs do not slow the integration down.
    PetscReal dt_after;
    PetscCall(TSGetTimeStep(ts, &dt_after));
    if (dt_after < dt_before) PetscCall(TSSetTimeStep(ts, dt_before));
    PetscInt steps;
    PetscCall(TSGetStepNumber(ts, &steps));
    PetscCall(TSGetTimeStep(ts, &dt_after));
    stats->steps = steps;
    stats->dt = dt_after;
    PetscCall(TSSetTime(ts, tk));
    bool stop = false;
    PetscCall(AfterOutput(k, rho, o, cb, stats, progress, &stop));
    if (stop) break;
  }
  PetscCall(TSDestroy(&ts));
  PetscFunctionReturn(0);
}

PetscErrorCode EvolveMFN(Mat L, Vec rho, const EvolveOptions& o, const OutputCallback& cb,
                         EvolveStats* stats, ProgressReporter& progress) {
  PetscFunctionBeginUser;
  MPI_Comm comm;
  PetscCall(PetscObjectGetComm(reinterpret_cast<PetscObject>(L), &comm));
  MFN mfn;
  FN f;
  PetscCall(MFNCreate(comm, &mfn));
  PetscCall(MFNSetOperator(mfn, L));
  PetscCall(MFNGetFN(mfn, &f));
  PetscCall(FNSetType(f, FNEXP));
  PetscCall(FNSetScale(f, o.dt_output, 1.0));
  PetscCall(MFNSetTolerances(mfn, std::min(o.rtol, 1e-10), PETSC_DEFAULT));
  PetscCall(MFNSetErrorIfNotConverged(mfn, PETSC_TRUE));
  PetscCall(MFNSetFromOptions(mfn));
  Vec next;
  PetscCall(VecDuplicate(rho, &next));
  for (index_t k = o.first_output + 1; k <= o.last_output; ++k) {
    PetscCall(MFNSolve(mfn, rho, next));
    PetscCall(VecCopy(next, rho));
    stats->steps += 1;
    bool stop = false;
    PetscCall(AfterOutput(k, rho, o, cb, stats, progress, &stop));
    if (stop) break;
  }
  PetscCall(VecDestroy(&next));
  PetscCall(MFNDestroy(&mfn));
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode EvolveLinear(Mat L, Vec rho, const EvolveOptions& opts, const OutputCallback& cb,
                            EvolveStats* stats) {
  PetscFunctionBeginUser;
  MPI_Comm comm;
  PetscCall(PetscObjectGetComm(reinterpret_cast<PetscObject>(L), &comm));
  ProgressReporter progress(comm, "evolve", opts.progress_seconds);
  *stats = EvolveStats();
  stats->last_output = opts.first_output;
  if (opts.method == "expm") {
    PetscCall(EvolveMFN(L, rho, opts, cb, stats, progress));
  } else {
    PetscCheck(opts.method == "ts", comm, PETSC_ERR_ARG_WRONG, "unknown evolve method %s",
               opts.method.c_str());
    PetscCall(EvolveTS(L, rho, opts, cb, stats, progress));
  }
  stats->wall_seconds = progress.elapsed();
  PetscFunctionReturn(0);
}

}  // namespace qcoll
