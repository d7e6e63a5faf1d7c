#include "collide_summary.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "qcoll/collide/convergence.hpp"

namespace qcoll {
namespace {

// The reference continuum entropy production: Pi under strict energy
// conservation of every species, Pi_A otherwise (physics.md section 4).
bool all_energy_conserving(const MasterEquation& me) {
  for (const SpeciesTerms& s : me.species)
    if (!s.energy_conserving) return false;
  return true;
}

double reference_rate(const CollideSeries& s, bool conserving) {
  return conserving ? s.pi : s.pi_ancilla;
}

std::string order_text(double order) {
  if (!std::isfinite(order)) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", order);
  return text;
}

}  // namespace

CollideSummary summarise_collide(const Problem& p, const std::vector<CollideSeries>& series) {
  CollideSummary s;
  s.conserving = all_energy_conserving(p.me);
  for (const CollideSeries& r : series) {
    s.tau.push_back(r.tau);
    s.final_distance.push_back(r.final_distance);
    s.steady_distance.push_back(r.steady_distance);
    s.sigma_over_tau.push_back(r.sigma_over_tau);
    s.pi.push_back(r.pi);
    s.pi_ancilla.push_back(r.pi_ancilla);
    s.production_error.push_back(std::abs(r.sigma_over_tau - reference_rate(r, s.conserving)));
  }
  s.order_final = fitted_order(s.tau, s.final_distance);
  s.order_steady = fitted_order(s.tau, s.steady_distance);
  s.order_production = fitted_order(s.tau, s.production_error);
  return s;
}

void write_collide_summary(Hdf5File& out, const std::string& g, const CollideSummary& s,
                           const CollideSettings& cfg) {
  const hsize_t nt = s.tau.size();
  out.write_real(g + "/tau", {nt}, s.tau, "collision time of each run " + g + "/<k> (1/energy)");
  out.write_real(g + "/entropy_production_over_tau", {nt}, s.sigma_over_tau,
                 "Sigma/tau of the last stroke (1/time)");
  out.write_real(g + "/entropy_production_rate", {nt}, s.pi,
                 "continuum Pi at the state before the last stroke (1/time)");
  out.write_real(g + "/entropy_production_rate_ancilla", {nt}, s.pi_ancilla,
                 "continuum Pi_A at the state before the last stroke (1/time)");
  out.write_real(g + "/entropy_production_error", {nt}, s.production_error,
                 "|Sigma/tau - Pi| (Pi_A without strict energy conservation), last stroke "
                 "(1/time)");
  out.write_attribute(g, "entropy_production_reference", std::string(s.conserving ? "Pi" : "Pi_A"));
  // A fitted order needs two tau values with errors above round-off; without
  // them the attribute is left out (PrintSummary says so), never NaN.
  auto order = [&](const char* name, double value) {
    if (std::isfinite(value)) out.write_attribute(g, name, value);
  };
  order("order_entropy_production", s.order_production);
  if (cfg.compare_master_equation) {
    out.write_real(g + "/final_distance", {nt}, s.final_distance,
                   "||rho_tau - rho_ME||_1 at the last stroke (dimensionless)");
    out.write_real(g + "/steady_state_distance", {nt}, s.steady_distance,
                   "||fixed point of the map - steady state of the ME||_1, NaN if not "
                   "computed (dimensionless)");
    order("order_final_distance", s.order_final);
    order("order_steady_state_distance", s.order_steady);
  }
  out.write_attribute(g, "t_final", cfg.t_final);
  out.write_attribute(g, "output_every", static_cast<long long>(cfg.output_every));
  out.write_attribute(g, "compare_master_equation", cfg.compare_master_equation);
}

PetscErrorCode PrintCollideSummary(MPI_Comm comm, const CollideSummary& s,
                                   const std::vector<CollideSeries>& r, bool compared) {
  PetscFunctionBeginUser;
  const char* pi = s.conserving ? "Pi" : "Pi_A";
  PetscCall(PetscPrintf(
      comm,
      "collide: one row per tau: rank = the MPI rank that ran it (the tau are spread over the "
      "ranks); ||d rho||_1(T) = trace distance to the master equation's state at t_final; "
      "steady dist = fixed point of the map against the master equation's steady state; "
      "Sigma/tau = entropy production of the last collision over tau, against the continuum "
      "rate %s; wall = seconds for this tau\n",
      pi));
  PetscCall(PetscPrintf(comm, "collide: %8s %8s %5s %14s %14s %12s %12s %9s\n", "tau", "strokes",
                        "rank", "||d rho||_1(T)", "steady dist", "Sigma/tau", pi, "wall [s]"));
  for (std::size_t k = 0; k < r.size(); ++k)
    PetscCall(PetscPrintf(comm, "collide: %8.4g %8lld %5d %14.6e %14.6e %12.5e %12.5e %9.2f\n",
                          r[k].tau, (long long)r[k].strokes, (int)r[k].rank, r[k].final_distance,
                          r[k].steady_distance, r[k].sigma_over_tau,
                          reference_rate(r[k], s.conserving), r[k].wall_seconds));
  const std::string production = std::string("|Sigma/tau - ") + pi + "|";
  if (compared)
    PetscCall(PetscPrintf(comm,
                          "collide: fitted order in tau: final distance %s, steady-state "
                          "distance %s, %s %s\n",
                          order_text(s.order_final).c_str(), order_text(s.order_steady).c_str(),
                          production.c_str(), order_text(s.order_production).c_str()));
  else
    PetscCall(PetscPrintf(comm, "collide: fitted order in tau of %s: %s\n", production.c_str(),
                          order_text(s.order_production).c_str()));
  std::string missing;
  auto note = [&](double order, const char* attribute) {
    if (!std::isfinite(order)) missing += std::string(missing.empty() ? "" : ", ") + attribute;
  };
  if (compared) {
    note(s.order_final, "order_final_distance");
    note(s.order_steady, "order_steady_state_distance");
  }
  note(s.order_production, "order_entropy_production");
  if (!missing.empty())
    PetscCall(PetscPrintf(comm,
                          "collide: note: no fitted order (n/a) where fewer than two different "
                          "tau values have errors above round-off (%g; the deck has %zu tau "
                          "value%s): %s left out of /collide\n",
                          kRoundOffError, r.size(), r.size() == 1 ? "" : "s", missing.c_str()));
  PetscFunctionReturn(0);
}

}  // namespace qcoll
