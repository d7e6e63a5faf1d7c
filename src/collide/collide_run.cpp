#include "qcoll/collide/collide_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <type_traits>

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

// Calls f on every member of a CollideSeries, in the order of the flat form.
template <class Series, class F>
void visit_members(Series& s, F&& f) {
  for (auto* x : {&s.tau, &s.strokes, &s.species, &s.rank, &s.wall_seconds, &s.compared,
                  &s.final_distance, &s.steady_distance, &s.sigma_over_tau, &s.pi, &s.pi_ancilla})
    f(*x);
  for (auto* v : {&s.stroke, &s.t, &s.energy, &s.entropy, &s.mutual_information,
                  &s.entropy_production, &s.delta_free_energy, &s.rate_entropy_production,
                  &s.rate_entropy_production_ancilla, &s.distance, &s.delta_energy, &s.heat_ancilla,
                  &s.work_coherent, &s.mutual_information_species, &s.relative_entropy,
                  &s.delta_coherence, &s.entropy_production_species})
    f(*v);
  f(s.rho_final);
}

DenseMatrix initial_density(const Problem& p) {
  const index_t d = p.me.dim;
  DenseMatrix rho(d, d);
  for (index_t i = 0; i < d; ++i)
    for (index_t j = 0; j < d; ++j) rho(i, j) = p.initial(i, j);
  return rho;
}

double system_energy(const Problem& p, const DenseMatrix& rho) {
  return collide::trace_product(p.me.hamiltonian, rho).real();
}

// Applies stroke k with every collision measured and appends the record.
class StrokeRecorder {
 public:
  StrokeRecorder(const Problem& p, const StroboscopicMap& map) : p_(p), map_(map) {
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
  const Problem& p_;
  const StroboscopicMap& map_;
  std::vector<CollisionMeter> meters_;
};

double steady_state_distance(const Problem& p, const StroboscopicMap& map) {
  const auto me_state = master_equation_steady_state(p.me);
  const auto map_state = map_fixed_point(map);
  if (!me_state || !map_state) return CollideSeries::kNaN;
  return trace_norm(*map_state - *me_state);
}

}  // namespace

std::vector<double> pack(const CollideSeries& s) {
  std::vector<double> out;
  auto put = [&out](const auto& x) {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, double>) {
      out.push_back(x);
    } else if constexpr (std::is_same_v<T, std::vector<double>>) {
      out.push_back(static_cast<double>(x.size()));
      out.insert(out.end(), x.begin(), x.end());
    } else {
      out.push_back(static_cast<double>(x.size()));
      for (const cplx& z : x) {
        out.push_back(z.real());
        out.push_back(z.imag());
      }
    }
  };
  visit_members(s, put);
  return out;
}

CollideSeries unpack_series(const std::vector<double>& data) {
  CollideSeries s;
  std::size_t pos = 0;
  auto next = [&]() {
    if (pos >= data.size()) throw std::runtime_error("collide: truncated series data");
    return data[pos++];
  };
  auto get = [&](auto& x) {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, double>) {
      x = next();
    } else if constexpr (std::is_same_v<T, std::vector<double>>) {
      x.resize(static_cast<std::size_t>(next()));
      for (double& v : x) v = next();
    } else {
      x.resize(static_cast<std::size_t>(next()));
      for (cplx& z : x) {
        const double re = next();
        z = cplx(re, next());
      }
    }
  };
  visit_members(s, get);
  return s;
}

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

PetscErrorCode RunCollisions(const Problem& p, double tau, CollideSeries* out) {
  PetscFunctionBeginUser;
  const auto start = std::chrono::steady_clock::now();
  const CollideSettings& cfg = p.deck->collide;
  const index_t strokes = stroke_count(cfg.t_final, tau);
  const index_t every = std::max<index_t>(1, cfg.output_every);
  *out = CollideSeries{};
  out->tau = tau;
  out->strokes = static_cast<double>(strokes);
  out->species = static_cast<double>(p.me.species.size());
  out->compared = cfg.compare_master_equation ? 1.0 : 0.0;

  std::unique_ptr<StroboscopicMap> map;
  std::unique_ptr<StrokeRecorder> recorder;
  DenseMatrix rho, rho_me;
  PetscCallCXX(map = std::make_unique<StroboscopicMap>(p.deck->model, p.me, tau));
  PetscCallCXX(recorder = std::make_unique<StrokeRecorder>(p, *map));
  PetscCallCXX(rho = initial_density(p));
  MasterReference reference;
  if (cfg.compare_master_equation) PetscCall(reference.Setup(p, tau));

  // Every rank reports its own runs (at most one line per 10 s each).
  int rank = 0;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  char label[96];
  std::snprintf(label, sizeof label, "collide: tau = %g on rank %d", tau, rank);
  std::unique_ptr<ProgressReporter> progress;
  PetscCallCXX(progress = std::make_unique<ProgressReporter>(PETSC_COMM_SELF, label, 10.0));

  index_t last_recorded = 0;
  for (index_t k = 1; k <= strokes; ++k) {
    PetscCallCXX(progress->update(static_cast<double>(k - 1) / strokes,
                                  "stroke " + std::to_string(k) + " / " + std::to_string(strokes)));
    if (k % every != 0 && k != strokes) {
      PetscCallCXX(rho = map->stroke(rho));
      continue;
    }
    PetscCallCXX(recorder->record(k, rho, *out));
    if (cfg.compare_master_equation) {
      PetscCall(reference.Advance(k - last_recorded, &rho_me));
      PetscCallCXX(out->distance.push_back(trace_norm(rho - rho_me)));
    }
    last_recorded = k;
  }
  PetscCall(reference.Destroy());

  if (cfg.compare_master_equation) {
    out->final_distance = out->distance.back();
    if (p.me.dim <= kMaxDenseSteadyDimension)
      PetscCallCXX(out->steady_distance = steady_state_distance(p, *map));
  }
  out->sigma_over_tau = out->entropy_production.back() / tau;
  out->pi = out->rate_entropy_production.back();
  out->pi_ancilla = out->rate_entropy_production_ancilla.back();
  PetscCallCXX(out->rho_final = collide::vec(rho));
  out->wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PetscFunctionReturn(0);
}

}  // namespace qcoll
