#pragma once
// One run of the finite-tau map at one tau: the state is evolved stroke by
// stroke; every output_every-th stroke (and the last) is "recorded": its
// collisions are measured (collision_thermo.hpp), the continuum rates Pi and
// Pi_A are evaluated at the state before the stroke, and, with
// compare_master_equation, the trace distance to the master equation's
// solution at t = k tau is taken. Serial (one rank per tau).
#include <petscsys.h>

#include <limits>
#include <vector>

#include "qcoll/tasks/problem.hpp"

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

// Flat representation for MPI (every member, in a fixed order).
std::vector<double> pack(const CollideSeries& s);
CollideSeries unpack_series(const std::vector<double>& data);

// Owner rank of each tau: longest-processing-time-first over `nranks` ranks,
// the cost of a run taken as its number of strokes (the same on every rank).
std::vector<int> assign_tau_ranks(const std::vector<double>& taus, double t_final, int nranks);

// Runs the map at `tau` with p.deck->collide's settings. Collective on
// PETSC_COMM_SELF only. Assumes check_collide_input passed.
PetscErrorCode RunCollisions(const Problem& p, double tau, CollideSeries* out);

}  // namespace qcoll
