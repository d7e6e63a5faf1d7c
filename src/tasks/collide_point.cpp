// `qcoll collide` as a point solver: the exact finite-tau map for every tau
// of [collide], the tau values spread over the ranks (each run is serial,
// collide_rounds.hpp), the results gathered and written collectively to
// /collide (or a sweep point's group), and the convergence summary.
// Checkpoints and restarts as evolve's (collide_checkpoint.hpp).
#include <petscsys.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "collide_rounds.hpp"
#include "collide_summary.hpp"
#include "evolve_runner.hpp"
#include "point_solver.hpp"
#include "qcoll/collide/collide_run.hpp"
#include "qcoll/collide/stroboscopic_map.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/collide_checkpoint.hpp"
#include "qcoll/tasks/log_stages.hpp"
#include "qcoll/tasks/tasks.hpp"

namespace qcoll {
namespace {

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

// Why run `s` did not reach t_final ("" when it did): its last recorded stroke
// must be the last one, at t = strokes * tau, t_final rounded to a multiple of tau.
std::string reach_defect(const CollideSeries& s, double t_final) {
  const double end = s.strokes * s.tau;
  char text[256];
  if (s.records() == 0 || s.stroke.back() != s.strokes || s.t.back() != end ||
      !(std::abs(end - t_final) <= 0.5 * s.tau * (1 + 1e-9))) {
    std::snprintf(text, sizeof text,
                  "collide: the run at tau = %g ended after stroke %g of %g (t = %g); t_final = "
                  "%g; the output is not marked complete (complete = 0)",
                  s.tau, s.records() ? s.stroke.back() : 0.0, s.strokes,
                  s.records() ? s.t.back() : 0.0, t_final);
    return text;
  }
  return "";
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

// One collide point: every tau of its [collide] on the ranks of comm.
class CollideTask : public PointSolver {
 public:
  std::string group() const override { return "/collide"; }
  bool checkpoints() const override { return true; }

  PetscErrorCode Setup(MPI_Comm, const Problem&) override { return 0; }

  bool CanResume(MPI_Comm comm, const Problem& p, const std::string& checkpoint, const Hdf5File&,
                 const std::string&) const override {
    return checkpoint_has_deck(comm, checkpoint, p.identity);
  }

  PetscErrorCode Solve(MPI_Comm comm, const Problem& p, Hdf5File& out, const PointTarget& target,
                       bool* stopped) override;

  PetscErrorCode ReadRow(MPI_Comm, const Problem&, Hdf5File& out, const std::string& group, bool,
                         PointRow* row) override {
    PetscFunctionBeginUser;
    PetscCallCXX({
      for (const char* name : {"tau", "final_distance", "steady_state_distance",
                               "entropy_production_over_tau", "entropy_production_rate",
                               "entropy_production_rate_ancilla", "entropy_production_error"}) {
        const std::string path = group + "/" + name;
        if (!out.exists(path)) continue;
        row->columns.push_back(
            PointRow::Column{name,
                             out.read_string_attribute(path, "description") + "; per point and tau",
                             out.read_real(path),
                             {},
                             true});
      }
    });
    PetscFunctionReturn(0);
  }
};

PetscErrorCode CollideTask::Solve(MPI_Comm comm, const Problem& p, Hdf5File& out,
                                  const PointTarget& target, bool* stopped) {
  PetscFunctionBeginUser;
  *stopped = false;
  const CollideSettings& cfg = p.settings.collide;
  const std::string& checkpoint = target.checkpoint;
  const std::string& g = target.group;
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
  if (target.resume) {
    CollideCheckpoint saved;
    PetscCallCXX(saved = read_collide_checkpoint(comm, checkpoint));
    PetscCheck(saved.runs.size() == runs.size(), comm, PETSC_ERR_FILE_UNEXPECTED,
               "checkpoint %s holds %zu runs, the deck has %zu tau values", checkpoint.c_str(),
               saved.runs.size(), runs.size());
    runs = std::move(saved.runs);
    PetscCall(PrintRestart(comm, checkpoint, runs));
  }
  PetscCall(LogStagePush("collisions"));
  PetscCall(RunCollideRounds(comm, p, owner, checkpoint, &runs, stopped));
  PetscCall(PetscLogStagePop());
  if (*stopped) {
    PetscCall(PetscPrintf(comm, "collide: stopped; progress saved in %s\n", checkpoint.c_str()));
    PetscFunctionReturn(0);
  }
  std::vector<CollideSeries> series;
  PetscCallCXX(series.resize(runs.size()));
  for (std::size_t k = 0; k < runs.size(); ++k)
    if (owner[k] == rank) series[k] = std::move(runs[k].series);
  PetscCall(ShareSeries(comm, rank, owner, &series));
  for (const CollideSeries& s : series) {
    std::string defect;
    PetscCallCXX(defect = reach_defect(s, cfg.t_final));
    PetscCheck(defect.empty(), comm, PETSC_ERR_PLIB, "%s", defect.c_str());
  }

  PetscCall(LogStagePush("output"));
  CollideSummary summary;
  PetscCallCXX(summary = summarise_collide(p, series));
  PetscCallCXX(out.ensure_group(g));
  for (std::size_t k = 0; k < series.size(); ++k)
    PetscCallCXX(write_run(out, g + "/" + std::to_string(k), series[k], p.me.dim));
  PetscCallCXX(write_collide_summary(out, g, summary, cfg));
  PetscCall(PrintCollideSummary(comm, summary, series, cfg.compare_master_equation));
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(0);
}

}  // namespace

std::unique_ptr<PointSolver> make_collide_solver() {
  return std::make_unique<CollideTask>();
}

}  // namespace qcoll
