#pragma once
// The convergence summary of `qcoll collide` over its tau list: the per-tau
// table, the fitted orders in tau (left out when they cannot be fitted), the
// /collide summary datasets and the printed table.
#include <petscsys.h>

#include <vector>

#include "qcoll/collide/collide_run.hpp"
#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/problem/problem.hpp"

namespace qcoll {

struct CollideSummary {
  std::vector<double> tau, final_distance, steady_distance, sigma_over_tau, pi, pi_ancilla,
      production_error;
  // NaN when fewer than two tau values have errors above round-off.
  double order_final = NAN, order_steady = NAN, order_production = NAN;
  bool conserving = true;
};

CollideSummary summarise_collide(const Problem& p, const std::vector<CollideSeries>& series);

// <group>/tau (group /collide, or a sweep point's) and the other [ntau]
// datasets and attributes; an order that
// cannot be fitted is not written (no NaN attribute).
void write_collide_summary(Hdf5File& out, const std::string& group, const CollideSummary& s,
                           const CollideSettings& cfg);

// Rank 0 prints the table, the fitted orders ("n/a" when not fitted) and a
// note naming the orders left out and why.
PetscErrorCode PrintCollideSummary(MPI_Comm comm, const CollideSummary& s,
                                   const std::vector<CollideSeries>& r, bool compared);

}  // namespace qcoll
