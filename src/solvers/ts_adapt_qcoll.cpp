// TSAdapt "qcoll": the basic controller with a fused weighted error norm; see
// ts_adapt_qcoll.hpp. The adaptor's fields are PETSc 3.18's (private header).
#include "qcoll/solvers/ts_adapt_qcoll.hpp"

#include <petsc/private/tsimpl.h>

#include <algorithm>
#include <cmath>

namespace qcoll {
namespace {

struct AdaptData {
  Vec y = nullptr;  // the embedded (lower-order) solution
};

// sqrt(sum_i (|u_i - y_i| / tol_i)^2 / n) or max_i |u_i - y_i| / tol_i with
// tol_i = atol + rtol max(|u_i|, |y_i|), as TSErrorWeightedNorm with scalar tolerances.
PetscErrorCode WeightedNorm(TS ts, Vec u, Vec y, NormType type, PetscReal* norm) {
  PetscFunctionBeginUser;
  PetscInt n, N;
  PetscCall(VecGetLocalSize(u, &n));
  PetscCall(VecGetSize(u, &N));
  const PetscScalar *ua, *ya;
  PetscCall(VecGetArrayRead(u, &ua));
  PetscCall(VecGetArrayRead(y, &ya));
  const double* up = reinterpret_cast<const double*>(ua);
  const double* yp = reinterpret_cast<const double*>(ya);
  const double atol = ts->atol, rtol = ts->rtol;
  double sum = 0.0, mx = 0.0;
  for (PetscInt i = 0; i < n; ++i) {
    const double ur = up[2 * i], ui = up[2 * i + 1], yr = yp[2 * i], yi = yp[2 * i + 1];
    const double er = ur - yr, ei = ui - yi;
    const double scale = std::sqrt(std::max(ur * ur + ui * ui, yr * yr + yi * yi));
    const double q = std::sqrt(er * er + ei * ei) / (atol + rtol * scale);
    sum += q * q;
    mx = std::max(mx, q);
  }
  PetscCall(VecRestoreArrayRead(u, &ua));
  PetscCall(VecRestoreArrayRead(y, &ya));
  MPI_Comm comm;
  PetscCall(PetscObjectGetComm(reinterpret_cast<PetscObject>(ts), &comm));
  if (type == NORM_INFINITY) {
    PetscCallMPI(MPI_Allreduce(&mx, norm, 1, MPI_DOUBLE, MPI_MAX, comm));
  } else {
    double total = 0.0;
    PetscCallMPI(MPI_Allreduce(&sum, &total, 1, MPI_DOUBLE, MPI_SUM, comm));
    *norm = std::sqrt(total / static_cast<double>(N));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode Choose(TSAdapt adapt, TS ts, PetscReal h, PetscInt* next_sc, PetscReal* next_h,
                      PetscBool* accept, PetscReal* wlte, PetscReal* wltea, PetscReal* wlter) {
  PetscFunctionBeginUser;
  AdaptData* data = static_cast<AdaptData*>(adapt->data);
  *next_sc = 0;
  *wltea = -1;
  *wlter = -1;
  PetscReal enorm = -1;
  PetscInt order = adapt->candidates.order[0];
  if (ts->ops->evaluatewlte) {
    PetscCall(TSEvaluateWLTE(ts, adapt->wnormtype, &order, &enorm));
  } else if (ts->ops->evaluatestep) {
    if (!data->y) PetscCall(VecDuplicate(ts->vec_sol, &data->y));
    PetscCall(TSEvaluateStep(ts, order - 1, data->y, nullptr));
    const bool fast = !ts->vatol && !ts->vrtol && adapt->ignore_max <= 0 &&
                      (adapt->wnormtype == NORM_2 || adapt->wnormtype == NORM_INFINITY);
    if (fast) {
      PetscCall(WeightedNorm(ts, ts->vec_sol, data->y, adapt->wnormtype, &enorm));
    } else {
      PetscReal ea, er;
      PetscCall(TSErrorWeightedNorm(ts, ts->vec_sol, data->y, adapt->wnormtype, &enorm, &ea, &er));
    }
  }
  if (enorm < 0) {  // no error estimate: keep the step
    *accept = PETSC_TRUE;
    *next_h = h;
    *wlte = -1;
    PetscFunctionReturn(0);
  }
  PetscReal safety = adapt->safety;
  if (enorm > 1) {
    if (!*accept) safety *= adapt->reject_safety;
    const bool at_minimum = h < (1 + PETSC_SQRT_MACHINE_EPSILON) * adapt->dt_min;
    *accept = (at_minimum || adapt->always_accept) ? PETSC_TRUE : PETSC_FALSE;
  } else {
    *accept = PETSC_TRUE;
  }
  PetscReal hfac = enorm > 0 ? safety * std::pow(enorm, -1.0 / order) : safety * PETSC_INFINITY;
  if (adapt->timestepjustdecreased) {
    hfac = std::min<PetscReal>(hfac, 1.0);
    adapt->timestepjustdecreased--;
  }
  const PetscReal h_lte = h * std::clamp(hfac, adapt->clip[0], adapt->clip[1]);
  *next_h = std::clamp(h_lte, adapt->dt_min, adapt->dt_max);
  *wlte = enorm;
  PetscFunctionReturn(0);
}

PetscErrorCode Reset(TSAdapt adapt) {
  PetscFunctionBeginUser;
  AdaptData* data = static_cast<AdaptData*>(adapt->data);
  PetscCall(VecDestroy(&data->y));
  PetscFunctionReturn(0);
}

PetscErrorCode Destroy(TSAdapt adapt) {
  PetscFunctionBeginUser;
  PetscCall(Reset(adapt));
  delete static_cast<AdaptData*>(adapt->data);
  adapt->data = nullptr;
  PetscFunctionReturn(0);
}

PetscErrorCode Create(TSAdapt adapt) {
  PetscFunctionBeginUser;
  adapt->data = new AdaptData();
  adapt->ops->choose = Choose;
  adapt->ops->reset = Reset;
  adapt->ops->destroy = Destroy;
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode TSAdaptQcollRegister() {
  PetscFunctionBeginUser;
  static bool registered = false;
  if (!registered) {
    PetscCall(TSAdaptRegister(kTSAdaptQcoll, Create));
    registered = true;
  }
  PetscFunctionReturn(0);
}

}  // namespace qcoll
