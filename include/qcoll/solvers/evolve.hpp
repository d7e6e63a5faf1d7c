#pragma once
// Time evolution of d vec(rho)/dt = L vec(rho) for a constant matrix L.
//   method "ts":   PETSc TS (default adaptive Dormand-Prince RK 5(4); any
//                  -ts_type / -ts_adapt_* / -ksp_* option from the command line)
//   method "expm": SLEPc MFN, exp(dt L) applied once per output interval.
// Outputs land exactly on t_k = k * dt_output.
#include <petscmat.h>

#include <functional>
#include <string>

#include "qcoll/model/types.hpp"

namespace qcoll {

struct EvolveOptions {
  std::string method = "ts";
  double dt_output = 0.1;
  index_t first_output = 0;  // k of the state passed in (t = first_output * dt_output)
  index_t last_output = 0;   // k of the final output
  double rtol = 1e-8;
  double atol = 1e-10;
  double progress_seconds = 5.0;  // minimum wall time between progress lines (rank 0)
  double initial_dt = 0.0;        // first TS step (0: dt_output / 10); restarts pass the saved one
  // Asked after every output; true ends the evolution there (checkpoint and stop).
  std::function<bool()> should_stop;
};

struct EvolveStats {
  index_t steps = 0;  // time steps (TS) or MFN applications, this run
  double dt = 0.0;    // the step the TS adaptor would take next (restart state)
  double wall_seconds = 0.0;
  index_t last_output = 0;  // k of the last output reached
  bool stopped = false;     // ended early by should_stop
};

// Called after each output time (k > first_output), with `stats` already
// updated for that output. Returning an error stops.
using OutputCallback = std::function<PetscErrorCode(index_t k, double t, Vec rho)>;

// Evolves rho in place from t_{first_output} to t_{last_output} (or until
// opts.should_stop() returns true after an output).
PetscErrorCode EvolveLinear(Mat L, Vec rho, const EvolveOptions& opts, const OutputCallback& cb,
                            EvolveStats* stats);

}  // namespace qcoll
