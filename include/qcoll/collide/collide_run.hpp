#pragma once
// One run of the finite-tau map at one tau: the state is evolved stroke by
// stroke; every output_every-th stroke (and the last) is "recorded": its
// collisions are measured (collision_thermo.hpp), the continuum rates Pi and
// Pi_A are evaluated at the state before the stroke, and, with
// compare_master_equation, the trace distance to the master equation's
// solution at t = k tau is taken. Serial (one rank per tau).
//
// A run can be advanced in pieces of wall time (CollisionRun), stopped, and
// resumed from a CollideProgress (what a checkpoint holds of it); the result
// is the same as in one piece.
#include <petscsys.h>

#include <limits>
#include <memory>
#include <vector>

#include "qcoll/collide/collide_input.hpp"

namespace qcoll {

struct CollideSeries {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  double tau = 0.0;
  double strokes = 0;  // N = round(t_final / tau)
  double species = 0;  // ns
  double rank = 0;     // rank that ran it
  double wall_seconds = 0.0;
  double compared = 0;  // 1 if the master equation was compared

  // One entry per recorded stroke k: t = k tau, state after the stroke.
  std::vector<double> stroke, t, energy, entropy;
  // Sums over the stroke's collisions.
  std::vector<double> mutual_information, entropy_production;
  // Delta F = Delta E_S - Delta S_S / beta of the stroke (one species only).
  std::vector<double> delta_free_energy;
  // Pi and Pi_A (continuum rates) at the state before the stroke.
  std::vector<double> rate_entropy_production, rate_entropy_production_ancilla;
  std::vector<double> distance;  // ||rho_tau - rho_ME||_1 when compared
  // Per collision, [n, ns] row-major.
  std::vector<double> delta_energy, heat_ancilla, work_coherent, mutual_information_species,
      relative_entropy, delta_coherence, entropy_production_species;
  std::vector<cplx> rho_final;  // column-stacked

  // Convergence summary.
  double final_distance = kNaN;         // distance at the last stroke
  double steady_distance = kNaN;        // fixed point of the map vs steady state of the ME
  double sigma_over_tau = kNaN;         // Sigma of the last stroke / tau
  double pi = kNaN, pi_ancilla = kNaN;  // Pi, Pi_A before the last stroke

  std::size_t records() const { return t.size(); }
};

// Where the run at one tau stands: everything needed to continue it.
struct CollideProgress {
  enum class Stage { Pending, Running, Finished };
  Stage stage = Stage::Pending;
  index_t stroke = 0;         // strokes applied so far
  index_t last_recorded = 0;  // the stroke rho_master_equation belongs to
  std::vector<cplx> rho;      // rho_S after `stroke` strokes, column-stacked
  // rho_ME after `last_recorded` strokes, column-stacked; empty without the comparison.
  std::vector<cplx> rho_master_equation;
  // Running: the records so far, wall_seconds the time spent so far.
  // Finished: the complete result.
  CollideSeries series;
};

// Flat representations for MPI (every member, in a fixed order).
std::vector<double> pack(const CollideSeries& s);
CollideSeries unpack_series(const std::vector<double>& data);
std::vector<double> pack(const CollideProgress& p);
CollideProgress unpack_progress(const std::vector<double>& data);

// Records of the first `stroke` strokes of a run of `strokes` strokes that
// records every `every`-th stroke and the last.
index_t recorded_strokes(index_t stroke, index_t strokes, index_t every);

// Owner rank of each tau: longest-processing-time-first over `nranks` ranks,
// the cost of a run taken as its number of strokes (the same on every rank).
std::vector<int> assign_tau_ranks(const std::vector<double>& taus, double t_final, int nranks);

// The run at `tau` with p.settings's settings, in pieces. Collective on
// PETSC_COMM_SELF only. Assumes check_collide_input passed.
class CollisionRun {
 public:
  CollisionRun();
  ~CollisionRun();
  CollisionRun(const CollisionRun&) = delete;
  CollisionRun& operator=(const CollisionRun&) = delete;

  // Builds the map and starts from the deck's initial state, or continues
  // `resume` (a Running progress of this tau, e.g. from a checkpoint).
  PetscErrorCode Setup(const CollideInput& p, double tau, const CollideProgress* resume = nullptr);
  // Applies strokes until `seconds` of wall time have passed (at least one
  // stroke) or the last stroke is done.
  PetscErrorCode Advance(double seconds);
  bool done() const;
  // The Running progress after the strokes applied so far.
  PetscErrorCode Snapshot(CollideProgress* out) const;
  // After done(): the complete series with its convergence summary.
  PetscErrorCode Finish(CollideSeries* out);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The whole run at `tau` in one piece.
PetscErrorCode RunCollisions(const CollideInput& p, double tau, CollideSeries* out);

}  // namespace qcoll
