#pragma once
// TSAdapt type "qcoll": PETSc's "basic" step-size controller (same rule,
// same options: -ts_adapt_safety, -ts_adapt_reject_safety, -ts_adapt_clip,
// -ts_adapt_dt_min/max, -ts_adapt_always_accept) with a faster weighted
// error norm. PETSc's TSErrorWeightedNorm takes three complex moduli per entry
// through hypot(), overflow-safe and slow; it was a fifth of an explicit
// evolution's run time. Density-matrix entries are bounded by 1, so the
// moduli are taken as sqrt(re^2 + im^2), and the three are fused into one pass.
// The norm is the same weighted RMS (NORM_2) or max (NORM_INFINITY) norm as
// PETSc's with scalar tolerances; with vector tolerances or
// -ts_adapt_ignore_max the adaptor falls back to TSErrorWeightedNorm.
//
// Evolve selects it by default for explicit Runge-Kutta; -ts_adapt_type basic
// restores PETSc's own.
#include <petscts.h>

namespace qcoll {

inline constexpr const char* kTSAdaptQcoll = "qcoll";

// Registers the type with TSAdaptRegister (idempotent).
PetscErrorCode TSAdaptQcollRegister();

}  // namespace qcoll
