#include "qcoll/collide/collide_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "dense_kernels.hpp"
#include "qcoll/collide/collision_thermo.hpp"
#include "qcoll/collide/continuum_rates.hpp"
#include "qcoll/collide/master_reference.hpp"
#include "qcoll/collide/quantum_info.hpp"
#include "qcoll/collide/steady_reference.hpp"
#include "qcoll/collide/stroboscopic_map.hpp"
#include "qcoll/solvers/progress.hpp"

namespace qcoll {
namespace {

DenseMatrix initial_density(const CollideInput& p) {
  const index_t d = p.me.dim;
  DenseMatrix rho(d, d);
  for (index_t i = 0; i < d; ++i)
    for (index_t j = 0; j < d; ++j) rho(i, j) = p.initial(i, j);
  return rho;
}

double system_energy(const CollideInput& p, const DenseMatrix& rho) {
  return collide::trace_product(p.me.hamiltonian, rho).real();
}

// Applies stroke k with every collision measured and appends the record.
class StrokeRecorder {
 public:
  StrokeRecorder(const CollideInput& p, const StroboscopicMap& map) : p_(p), map_(map) {
    for (const Collision& c : map.collisions()) meters_.emplace_back(c, p.me.hamiltonian);
  }

  void record(index_t k, DenseMatrix& rho, CollideSeries& out) const {
    const HermitianEigen spectrum = eigh(collide::hermitian_part(rho));
    const ThermoValues rates = continuum_values(p_.me, p_.ops, p_.betas, rho, spectrum);
    const double s_before = entropy_of_spectrum(spectrum.values);
    const double e_before = system_energy(p_, rho);
    double entropy = s_before, information = 0.0, production = 0.0;
    for (const CollisionMeter& meter : meters_) {
      CollisionThermo c;
      rho = meter.apply(rho, &entropy, &c);
      information += c.mutual_information;
      production += c.entropy_production;
      out.delta_energy.push_back(c.delta_energy);
      out.heat_ancilla.push_back(c.heat_ancilla);
      out.work_coherent.push_back(c.work_coherent);
      out.mutual_information_species.push_back(c.mutual_information);
      out.relative_entropy.push_back(c.relative_entropy);
      out.delta_coherence.push_back(c.delta_coherence);
      out.entropy_production_species.push_back(c.entropy_production);
    }
    const double energy = system_energy(p_, rho);
    out.stroke.push_back(static_cast<double>(k));
    out.t.push_back(static_cast<double>(k) * map_.tau());
    out.energy.push_back(energy);
    out.entropy.push_back(entropy);
    out.mutual_information.push_back(information);
    out.entropy_production.push_back(production);
    out.rate_entropy_production.push_back(rates.entropy_production);
    out.rate_entropy_production_ancilla.push_back(rates.entropy_production_ancilla);
    if (meters_.size() == 1) {
      const double beta = p_.betas.front();
      out.delta_free_energy.push_back(
          beta == 0.0 ? CollideSeries::kNaN : (energy - e_before) - (entropy - s_before) / beta);
    }
  }

 private:
  const CollideInput p_;  // references into the problem, copied (callers pass temporaries)
  const StroboscopicMap& map_;
  std::vector<CollisionMeter> meters_;
};

double steady_state_distance(const CollideInput& p, const StroboscopicMap& map) {
  const auto me_state = master_equation_steady_state(p.me);
  const auto map_state = map_fixed_point(map);
  if (!me_state || !map_state) return CollideSeries::kNaN;
  return trace_norm(*map_state - *me_state);
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

std::vector<int> assign_tau_ranks(const std::vector<double>& taus, double t_final, int nranks) {
  std::vector<std::size_t> order(taus.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  auto cost = [&](std::size_t k) { return static_cast<double>(stroke_count(t_final, taus[k])); };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return cost(a) > cost(b); });
  std::vector<double> load(std::max(1, nranks), 0.0);
  std::vector<int> owner(taus.size(), 0);
  for (std::size_t k : order) {
    const auto least = std::min_element(load.begin(), load.end());
    owner[k] = static_cast<int>(least - load.begin());
    *least += cost(k);
  }
  return owner;
}

struct CollisionRun::State {
  std::optional<CollideInput> p;
  index_t strokes = 0, every = 1;
  index_t stroke = 0;         // strokes applied
  index_t last_recorded = 0;  // the stroke `reference` is at
  std::unique_ptr<StroboscopicMap> map;
  std::unique_ptr<StrokeRecorder> recorder;
  std::unique_ptr<ProgressReporter> progress;
  MasterReference reference;
  DenseMatrix rho, rho_me;
  CollideSeries series;
  double wall_before = 0.0;  // spent before this Setup (earlier segments of the run)
  Clock::time_point start;
};

CollisionRun::CollisionRun() = default;
CollisionRun::~CollisionRun() = default;

bool CollisionRun::done() const {
  return s_ && s_->stroke == s_->strokes;
}

PetscErrorCode CollisionRun::Setup(const CollideInput& p, double tau,
                                   const CollideProgress* resume) {
  PetscFunctionBeginUser;
  PetscCallCXX(s_ = std::make_unique<State>());
  State& s = *s_;
  s.start = Clock::now();
  s.p.emplace(p);
  const CollideSettings& cfg = p.settings;
  const index_t d = p.me.dim;
  s.strokes = stroke_count(cfg.t_final, tau);
  s.every = std::max<index_t>(1, cfg.output_every);
  s.series.tau = tau;
  s.series.strokes = static_cast<double>(s.strokes);
  s.series.species = static_cast<double>(p.me.species.size());
  s.series.compared = cfg.compare_master_equation ? 1.0 : 0.0;
  PetscCallCXX(s.map = std::make_unique<StroboscopicMap>(p.model, p.me, tau));
  PetscCallCXX(s.recorder = std::make_unique<StrokeRecorder>(p, *s.map));
  PetscCallCXX(s.rho = initial_density(p));
  if (cfg.compare_master_equation) PetscCall(s.reference.Setup(p, tau));

  if (resume) {
    const CollideSeries& r = resume->series;
    const std::size_t dd = static_cast<std::size_t>(d * d);
    const bool fits =
        resume->stage == CollideProgress::Stage::Running && r.tau == tau &&
        r.strokes == s.series.strokes && r.species == s.series.species &&
        r.compared == s.series.compared && resume->stroke <= s.strokes &&
        resume->last_recorded <= resume->stroke && resume->rho.size() == dd &&
        resume->rho_master_equation.size() == (cfg.compare_master_equation ? dd : 0) &&
        r.records() ==
            static_cast<std::size_t>(recorded_strokes(resume->stroke, s.strokes, s.every)) &&
        r.delta_energy.size() == r.records() * p.me.species.size();
    PetscCheck(fits, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED,
               "collide: the saved progress of the run at tau = %g (stroke %lld) does not fit "
               "this run of %lld strokes",
               tau, (long long)resume->stroke, (long long)s.strokes);
    PetscCallCXX(s.series = r);
    s.wall_before = r.wall_seconds;
    s.stroke = resume->stroke;
    s.last_recorded = resume->last_recorded;
    PetscCallCXX(s.rho = collide::unvec(resume->rho, d));
    if (cfg.compare_master_equation) PetscCall(s.reference.SetState(resume->rho_master_equation));
  }

  // Every rank reports its own runs (at most one line per 10 s each).
  int rank = 0;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  char label[96];
  std::snprintf(label, sizeof label, "collide: tau = %g on rank %d", tau, rank);
  PetscCallCXX(s.progress = std::make_unique<ProgressReporter>(
                   PETSC_COMM_SELF, label, 10.0, static_cast<double>(s.stroke) / s.strokes));
  PetscFunctionReturn(0);
}

PetscErrorCode CollisionRun::Advance(double seconds) {
  PetscFunctionBeginUser;
  PetscCheck(s_, PETSC_COMM_SELF, PETSC_ERR_ORDER, "collide: Advance before Setup");
  State& s = *s_;
  const bool compare = s.p->settings.compare_master_equation;
  const Clock::time_point start = Clock::now();
  while (s.stroke < s.strokes) {
    const index_t k = s.stroke + 1;
    PetscCallCXX(
        s.progress->update(static_cast<double>(k - 1) / s.strokes,
                           "stroke " + std::to_string(k) + " / " + std::to_string(s.strokes)));
    if (k % s.every != 0 && k != s.strokes) {
      PetscCallCXX(s.rho = s.map->stroke(s.rho));
    } else {
      PetscCallCXX(s.recorder->record(k, s.rho, s.series));
      if (compare) {
        PetscCall(s.reference.Advance(k - s.last_recorded, &s.rho_me));
        PetscCallCXX(s.series.distance.push_back(trace_norm(s.rho - s.rho_me)));
      }
      s.last_recorded = k;
    }
    s.stroke = k;
    if (seconds_since(start) >= seconds) break;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode CollisionRun::Snapshot(CollideProgress* out) const {
  PetscFunctionBeginUser;
  PetscCheck(s_, PETSC_COMM_SELF, PETSC_ERR_ORDER, "collide: Snapshot before Setup");
  const State& s = *s_;
  out->stage = CollideProgress::Stage::Running;
  out->stroke = s.stroke;
  out->last_recorded = s.last_recorded;
  PetscCallCXX(out->rho = collide::vec(s.rho));
  out->rho_master_equation.clear();
  if (s.p->settings.compare_master_equation)
    PetscCall(s.reference.GetState(&out->rho_master_equation));
  PetscCallCXX(out->series = s.series);
  out->series.wall_seconds = s.wall_before + seconds_since(s.start);
  PetscFunctionReturn(0);
}

PetscErrorCode CollisionRun::Finish(CollideSeries* out) {
  PetscFunctionBeginUser;
  PetscCheck(done(), PETSC_COMM_SELF, PETSC_ERR_ORDER, "collide: Finish before the last stroke");
  State& s = *s_;
  const CollideInput& p = *s.p;
  PetscCall(s.reference.Destroy());
  CollideSeries& r = s.series;
  if (p.settings.compare_master_equation) {
    r.final_distance = r.distance.back();
    if (p.me.dim <= kMaxDenseSteadyDimension)
      PetscCallCXX(r.steady_distance = steady_state_distance(p, *s.map));
  }
  r.sigma_over_tau = r.entropy_production.back() / r.tau;
  r.pi = r.rate_entropy_production.back();
  r.pi_ancilla = r.rate_entropy_production_ancilla.back();
  PetscCallCXX(r.rho_final = collide::vec(s.rho));
  r.wall_seconds = s.wall_before + seconds_since(s.start);
  PetscCallCXX(*out = std::move(r));
  s_.reset();
  PetscFunctionReturn(0);
}

PetscErrorCode RunCollisions(const CollideInput& p, double tau, CollideSeries* out) {
  PetscFunctionBeginUser;
  CollisionRun run;
  PetscCall(run.Setup(p, tau));
  PetscCall(run.Advance(std::numeric_limits<double>::infinity()));
  PetscCall(run.Finish(out));
  PetscFunctionReturn(0);
}

}  // namespace qcoll
