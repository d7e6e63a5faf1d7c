// `qcoll collide`: the exact finite-tau map for every tau of [collide], the
// tau values spread over the ranks (each run is serial, collide_rounds.hpp),
// the results gathered and written collectively to /collide, and the
// convergence summary. Checkpoints and restarts as evolve's
// (collide_checkpoint.hpp).
#include <petscsys.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "collide_rounds.hpp"
#include "qcoll/collide/collide_run.hpp"
#include "qcoll/collide/convergence.hpp"
#include "qcoll/collide/stroboscopic_map.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/collide_checkpoint.hpp"
#include "qcoll/tasks/log_stages.hpp"
#include "qcoll/tasks/tasks.hpp"

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

PetscErrorCode ShareSeries(MPI_Comm comm, int rank, const std::vector<int>& owner,
                           std::vector<CollideSeries>* series) {
  PetscFunctionBeginUser;
  for (std::size_t k = 0; k < series->size(); ++k) {
    std::vector<double> flat;
    if (owner[k] == rank) PetscCallCXX(flat = pack((*series)[k]));
    PetscCall(BroadcastDoubles(comm, owner[k], &flat));
    if (owner[k] != rank) PetscCallCXX((*series)[k] = unpack_series(flat));
  }
  PetscFunctionReturn(0);
}

void write_run(Hdf5File& out, const std::string& g, const CollideSeries& s, index_t d) {
  const hsize_t n = s.records(), ns = static_cast<hsize_t>(s.species);
  out.ensure_group(g);
  out.write_attribute(g, "tau", s.tau);
  out.write_attribute(g, "strokes", static_cast<long long>(s.strokes));
  out.write_attribute(g, "t_final", s.strokes * s.tau);
  out.write_attribute(g, "rank", static_cast<long long>(s.rank));
  out.write_attribute(g, "wall_seconds", s.wall_seconds);
  std::vector<long long> strokes(s.stroke.begin(), s.stroke.end());
  out.write_int(g + "/stroke", {n}, strokes, "index k of each recorded stroke (t = k tau)");
  out.write_real(g + "/t", {n}, s.t, "time k tau after the recorded stroke (1/energy)");
  out.write_real(g + "/energy", {n}, s.energy, "<H_S> after the stroke (energy)");
  out.write_real(g + "/entropy", {n}, s.entropy, "S(rho_S) after the stroke (dimensionless)");
  out.write_real(g + "/delta_energy", {n, ns}, s.delta_energy,
                 "Delta E_S = tr H_S (rho_S' - rho_S) of each species' collision (energy)");
  out.write_real(g + "/heat_ancilla", {n, ns}, s.heat_ancilla,
                 "Q_A = tr H_A (rho_A' - rho_A), energy the ancilla gains per collision (energy)");
  out.write_real(g + "/work_coherent", {n, ns}, s.work_coherent,
                 "W_C: Delta E_S caused by the ancilla's coherence, "
                 "tr H_S tr_A U (rho_S (x) sqrt(tau) lambda chi) U^dag (energy)");
  out.write_real(g + "/mutual_information", {n}, s.mutual_information,
                 "I(rho_SA') summed over the stroke's collisions (dimensionless)");
  out.write_real(g + "/mutual_information_species", {n, ns}, s.mutual_information_species,
                 "I(rho_SA') of each species' collision (dimensionless)");
  out.write_real(g + "/relative_entropy", {n, ns}, s.relative_entropy,
                 "S(rho_A' || rho_A) of each species' collision (dimensionless)");
  out.write_real(g + "/delta_coherence", {n, ns}, s.delta_coherence,
                 "Delta C_A, change of the ancilla's relative entropy of coherence in H_A's "
                 "eigenbasis (dimensionless)");
  out.write_real(g + "/entropy_production", {n}, s.entropy_production,
                 "Sigma = I + S(rho_A'||rho_A) summed over the stroke's collisions "
                 "(dimensionless)");
  out.write_real(g + "/entropy_production_species", {n, ns}, s.entropy_production_species,
                 "Sigma of each species' collision (dimensionless)");
  out.write_real(g + "/entropy_production_rate", {n}, s.rate_entropy_production,
                 "continuum Pi at the state before the stroke, compare Sigma/tau (1/time)");
  out.write_real(g + "/entropy_production_rate_ancilla", {n}, s.rate_entropy_production_ancilla,
                 "continuum Pi_A at the state before the stroke, compare Sigma/tau (1/time)");
  if (ns == 1)
    out.write_real(g + "/delta_free_energy", {n}, s.delta_free_energy,
                   "Delta F = Delta E_S - Delta S_S / beta of the collision (energy)");
  if (s.compared != 0.0)
    out.write_real(g + "/distance_to_master_equation", {n}, s.distance,
                   "trace norm ||rho_tau(t) - rho_ME(t)||_1 (dimensionless)");
  out.write_complex(g + "/rho_final", {static_cast<hsize_t>(d * d)}, s.rho_final,
                    "density matrix after the last stroke, flat column-stacked "
                    "(reshape(d, d, order='F'))");
  out.write_attribute(g + "/rho_final", "layout", std::string("column-major"));
}

struct Summary {
  std::vector<double> tau, final_distance, steady_distance, sigma_over_tau, pi, pi_ancilla,
      production_error;
  double order_final = NAN, order_steady = NAN, order_production = NAN;
  bool conserving = true;
};

Summary summarise(const Problem& p, const std::vector<CollideSeries>& series) {
  Summary s;
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

void write_summary(Hdf5File& out, const Summary& s, const CollideSettings& cfg) {
  const hsize_t nt = s.tau.size();
  out.write_real("/collide/tau", {nt}, s.tau, "collision time of each run /collide/<k> (1/energy)");
  out.write_real("/collide/entropy_production_over_tau", {nt}, s.sigma_over_tau,
                 "Sigma/tau of the last stroke (1/time)");
  out.write_real("/collide/entropy_production_rate", {nt}, s.pi,
                 "continuum Pi at the state before the last stroke (1/time)");
  out.write_real("/collide/entropy_production_rate_ancilla", {nt}, s.pi_ancilla,
                 "continuum Pi_A at the state before the last stroke (1/time)");
  out.write_real("/collide/entropy_production_error", {nt}, s.production_error,
                 "|Sigma/tau - Pi| (Pi_A without strict energy conservation), last stroke "
                 "(1/time)");
  out.write_attribute("/collide", "entropy_production_reference",
                      std::string(s.conserving ? "Pi" : "Pi_A"));
  out.write_attribute("/collide", "order_entropy_production", s.order_production);
  if (cfg.compare_master_equation) {
    out.write_real("/collide/final_distance", {nt}, s.final_distance,
                   "||rho_tau - rho_ME||_1 at the last stroke (dimensionless)");
    out.write_real("/collide/steady_state_distance", {nt}, s.steady_distance,
                   "||fixed point of the map - steady state of the ME||_1, NaN if not "
                   "computed (dimensionless)");
    out.write_attribute("/collide", "order_final_distance", s.order_final);
    out.write_attribute("/collide", "order_steady_state_distance", s.order_steady);
  }
  out.write_attribute("/collide", "t_final", cfg.t_final);
  out.write_attribute("/collide", "output_every", static_cast<long long>(cfg.output_every));
  out.write_attribute("/collide", "compare_master_equation", cfg.compare_master_equation);
}

PetscErrorCode PrintSummary(MPI_Comm comm, const Summary& s, const std::vector<CollideSeries>& r,
                            bool compared) {
  PetscFunctionBeginUser;
  const char* pi = s.conserving ? "Pi" : "Pi_A";
  PetscCall(PetscPrintf(comm, "collide: %8s %8s %5s %14s %14s %12s %12s %9s\n", "tau", "strokes",
                        "rank", "||d rho||_1(T)", "steady dist", "Sigma/tau", pi, "wall [s]"));
  for (std::size_t k = 0; k < r.size(); ++k)
    PetscCall(PetscPrintf(comm, "collide: %8.4g %8lld %5d %14.6e %14.6e %12.5e %12.5e %9.2f\n",
                          r[k].tau, (long long)r[k].strokes, (int)r[k].rank, r[k].final_distance,
                          r[k].steady_distance, r[k].sigma_over_tau,
                          reference_rate(r[k], s.conserving), r[k].wall_seconds));
  if (compared)
    PetscCall(PetscPrintf(comm,
                          "collide: fitted order in tau: final distance %.3f, steady-state "
                          "distance %.3f, |Sigma/tau - %s| %.3f\n",
                          s.order_final, s.order_steady, pi, s.order_production));
  else
    PetscCall(PetscPrintf(comm, "collide: fitted order in tau of |Sigma/tau - %s|: %.3f\n", pi,
                          s.order_production));
  PetscFunctionReturn(0);
}

// What a restart continues, printed on rank 0.
PetscErrorCode PrintRestart(MPI_Comm comm, const std::string& path,
                            const std::vector<CollideProgress>& runs) {
  PetscFunctionBeginUser;
  std::size_t finished = 0;
  for (const CollideProgress& r : runs) finished += r.stage == CollideProgress::Stage::Finished;
  PetscCall(PetscPrintf(comm, "collide: restarting from %s: %zu of %zu runs finished\n",
                        path.c_str(), finished, runs.size()));
  for (const CollideProgress& r : runs)
    if (r.stage == CollideProgress::Stage::Running)
      PetscCall(PetscPrintf(comm, "collide: tau = %g continues after stroke %lld of %lld\n",
                            r.series.tau, (long long)r.stroke, (long long)r.series.strokes));
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode RunCollide(MPI_Comm comm, const Problem& p, Hdf5File& out, RunContext& ctx) {
  // Input errors are thrown here, before this function's PETSc frame exists.
  check_collide_input(*p.deck);
  PetscFunctionBeginUser;
  const CollideSettings& cfg = p.deck->collide;
  const std::string checkpoint = checkpoint_path(ctx.output_path);
  int rank = 0, size = 1;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  std::vector<int> owner;
  PetscCallCXX(owner = assign_tau_ranks(cfg.tau, cfg.t_final, size));
  std::vector<CollideProgress> runs;
  PetscCallCXX(runs.resize(cfg.tau.size()));
  for (std::size_t k = 0; k < runs.size(); ++k) {  // pending: only what they will be
    runs[k].series.tau = cfg.tau[k];
    runs[k].series.strokes = static_cast<double>(stroke_count(cfg.t_final, cfg.tau[k]));
  }
  if (ctx.restart) {
    CollideCheckpoint saved;
    PetscCallCXX(saved = read_collide_checkpoint(comm, checkpoint));
    PetscCheck(saved.runs.size() == runs.size(), comm, PETSC_ERR_FILE_UNEXPECTED,
               "checkpoint %s holds %zu runs, the deck has %zu tau values", checkpoint.c_str(),
               saved.runs.size(), runs.size());
    runs = std::move(saved.runs);
    PetscCall(PrintRestart(comm, checkpoint, runs));
  }
  bool stopped = false;
  PetscCall(LogStagePush("collisions"));
  PetscCall(RunCollideRounds(comm, p, owner, checkpoint, &runs, &stopped));
  PetscCall(PetscLogStagePop());
  if (stopped) {
    ctx.stopped = true;
    PetscCall(PetscPrintf(comm, "collide: stopped; progress saved in %s\n", checkpoint.c_str()));
    PetscFunctionReturn(0);
  }
  std::vector<CollideSeries> series;
  PetscCallCXX(series.resize(runs.size()));
  for (std::size_t k = 0; k < runs.size(); ++k)
    if (owner[k] == rank) series[k] = std::move(runs[k].series);
  PetscCall(ShareSeries(comm, rank, owner, &series));

  PetscCall(LogStagePush("output"));
  Summary summary;
  PetscCallCXX(summary = summarise(p, series));
  PetscCallCXX(out.ensure_group("/collide"));
  for (std::size_t k = 0; k < series.size(); ++k)
    PetscCallCXX(write_run(out, "/collide/" + std::to_string(k), series[k], p.me.dim));
  PetscCallCXX(write_summary(out, summary, cfg));
  PetscCall(PrintSummary(comm, summary, series, cfg.compare_master_equation));
  PetscCall(PetscLogStagePop());
  if (rank == 0) std::remove(checkpoint.c_str());  // the run is complete
  PetscFunctionReturn(0);
}

}  // namespace qcoll
