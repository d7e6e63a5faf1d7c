// [sweep]: the steady (or spectrum) task at every value of one deck key.
// A key species.<name>.lambda only changes coefficients of the assembled
// L = L_0 + sum_j lambda_j L_Gj, so the Liouvillian and the solvers (with
// the symbolic phase of their factorisations) are reused; any other key
// re-loads the deck with the override and rebuilds everything.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "qcoll/io/output.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "steady_runner.hpp"

namespace qcoll {
namespace {

// Index of the species whose lambda `key` names, or -1.
int lambda_species(const std::string& key, const MasterEquation& me) {
  const std::string head = "species.", tail = ".lambda";
  if (key.size() <= head.size() + tail.size() || key.compare(0, head.size(), head) != 0 ||
      key.compare(key.size() - tail.size(), tail.size(), tail) != 0)
    return -1;
  const std::string name = key.substr(head.size(), key.size() - head.size() - tail.size());
  for (size_t j = 0; j < me.species.size(); ++j)
    if (me.species[j].name == name) return static_cast<int>(j);
  return -1;
}

// The deck and problem of one sweep point (the problem points into the deck).
struct SweepPoint {
  Deck deck;
  std::unique_ptr<Problem> problem;
};

PetscErrorCode LoadPoint(const Deck& base, const SweepSettings& sweep, size_t k, SweepPoint* out) {
  PetscFunctionBeginUser;
  PetscCallCXX(out->deck = with_override(base, sweep_override(sweep, k)));
  PetscCallCXX(out->problem = std::make_unique<Problem>(prepare_problem(out->deck)));
  PetscFunctionReturn(0);
}

std::vector<double> scalars(const std::vector<SteadyPoint>& pts, double ThermoValues::*m) {
  std::vector<double> out;
  for (const SteadyPoint& p : pts) out.push_back(p.values.*m);
  return out;
}

std::vector<double> per_species(const std::vector<SteadyPoint>& pts,
                                std::vector<double> ThermoValues::*m) {
  std::vector<double> out;
  for (const SteadyPoint& p : pts)
    out.insert(out.end(), (p.values.*m).begin(), (p.values.*m).end());
  return out;
}

void write_steady_table(Hdf5File& f, const std::vector<SteadyPoint>& pts,
                        const std::vector<std::string>& observables) {
  const hsize_t np = pts.size(), ns = pts.front().values.work_coherent.size();
  f.write_real("/sweep/energy", {np}, scalars(pts, &ThermoValues::energy),
               "<H_S> at each point's steady state (energy)");
  f.write_real("/sweep/work_coherent", {np, ns}, per_species(pts, &ThermoValues::work_coherent),
               "coherent work rate Wdot_C^j per point and species (energy/time)");
  f.write_real("/sweep/heat_incoherent", {np, ns}, per_species(pts, &ThermoValues::heat_incoherent),
               "incoherent heat rate Qdot_inc^j per point and species (energy/time)");
  f.write_real("/sweep/heat_ancilla", {np, ns}, per_species(pts, &ThermoValues::heat_ancilla),
               "energy gained by the ancillas per unit time Qdot_A^j per point and species "
               "(energy/time)");
  f.write_real("/sweep/work_switching", {np}, scalars(pts, &ThermoValues::work_switching),
               "switching work rate per point (energy/time)");
  f.write_real("/sweep/entropy_production", {np}, scalars(pts, &ThermoValues::entropy_production),
               "Pi = -sum_j beta_j Qdot_inc^j per point (1/time)");
  f.write_real("/sweep/entropy_production_ancilla", {np},
               scalars(pts, &ThermoValues::entropy_production_ancilla),
               "Pi_A = -sum_j beta_j Qdot_incA^j per point (1/time)");
  if (std::all_of(pts.begin(), pts.end(), [](const SteadyPoint& p) { return p.with_entropy; }))
    f.write_real("/sweep/entropy", {np}, scalars(pts, &ThermoValues::entropy),
                 "von Neumann entropy of each point's steady state (dimensionless)");
  std::vector<double> residual;
  for (const SteadyPoint& p : pts) residual.push_back(p.report.residual);
  f.write_real("/sweep/residual", {np}, residual, "||L(rho)||_2 per point (1/time)");
  if (!observables.empty()) f.ensure_group("/sweep/observables");
  for (size_t k = 0; k < observables.size(); ++k) {
    std::vector<cplx> data;
    for (const SteadyPoint& p : pts) data.push_back(p.values.observables[k]);
    f.write_complex("/sweep/observables/" + observables[k], {np}, data,
                    "tr(O rho) per point for the deck's observable " + observables[k]);
  }
}

void write_spectrum_table(Hdf5File& f, const std::vector<SteadyPoint>& pts) {
  const hsize_t np = pts.size();
  size_t k = 0;
  for (const SteadyPoint& p : pts) k = std::max(k, p.spectrum.eigenvalues.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> gap;
  std::vector<cplx> eig;
  for (const SteadyPoint& p : pts) {
    gap.push_back(p.spectrum.gap);
    std::vector<cplx> row = p.spectrum.eigenvalues;
    row.resize(k, cplx(nan, nan));
    eig.insert(eig.end(), row.begin(), row.end());
  }
  f.write_real("/sweep/gap", {np}, gap, "Liouvillian spectral gap per point (1/time)");
  f.write_complex("/sweep/eigenvalues", {np, k}, eig,
                  "eigenvalues of L nearest 0 per point, nearest first, NaN-padded (1/time)");
}

}  // namespace

PetscErrorCode RunSweep(MPI_Comm comm, const std::string& task, const Problem& base,
                        std::optional<long long> only, Hdf5File& out) {
  PetscFunctionBeginUser;
  PetscCheck(base.deck->sweep, comm, PETSC_ERR_ARG_WRONG, "the deck has no [sweep]");
  PetscCheck(task == "steady" || task == "spectrum", comm, PETSC_ERR_SUP,
             "[sweep] runs the steady and spectrum tasks, not %s", task.c_str());
  const SweepSettings& sweep = *base.deck->sweep;
  const size_t count = sweep.values.size();
  PetscCheck(
      !only || (*only >= 0 && static_cast<size_t>(*only) < count), comm, PETSC_ERR_ARG_OUTOFRANGE,
      "--sweep-index %lld is out of range: the sweep has %zu points", only.value_or(0), count);
  std::vector<size_t> indices;
  for (size_t k = 0; k < count; ++k)
    if (!only || static_cast<size_t>(*only) == k) indices.push_back(k);
  const bool steady = task == "steady";
  const bool spectrum = !steady || base.deck->steady.gap;
  const bool reuse = lambda_species(sweep.key, base.me) >= 0;
  PetscCall(PetscPrintf(comm, "sweep: %s over %zu value(s) of %s%s\n", task.c_str(), indices.size(),
                        sweep.key.c_str(), reuse ? " (reusing the assembled Liouvillian)" : ""));

  SteadyRunner runner;
  std::vector<SteadyPoint> points;
  std::vector<double> values;
  std::vector<long long> written;
  std::vector<std::string> observables;
  for (size_t n = 0; n < indices.size(); ++n) {
    const size_t k = indices[n];
    SweepPoint pt;
    PetscCall(LoadPoint(*base.deck, sweep, k, &pt));
    const Problem& p = *pt.problem;
    PetscCall(
        PetscPrintf(comm, "sweep: point %zu: %s = %.10g\n", k, sweep.key.c_str(), sweep.values[k]));
    if (n == 0 || !reuse) {
      PetscCall(runner.Setup(comm, p, steady, spectrum));
    } else {
      PetscCall(runner.SetLambdas(p));
    }
    points.emplace_back();
    PetscCall(runner.Solve(p, &points.back()));
    const std::string group = "/sweep/" + std::to_string(k);
    if (steady) {
      PetscCall(runner.WriteSteady(out, group, p, points.back()));
    } else {
      PetscCallCXX(write_spectrum(out, group, points.back().spectrum));
    }
    PetscCallCXX(out.write_attribute(group, "value", sweep.values[k]));
    PetscCallCXX(
        out.write_attribute(group, "override", sweep.key + "=" + sweep_override(sweep, k).value));
    values.push_back(sweep.values[k]);
    written.push_back(static_cast<long long>(k));
    observables = p.ops.observable_names;
  }
  PetscCallCXX({
    out.write_attribute("/sweep", "key", sweep.key);
    out.write_attribute("/sweep", "task", task);
    out.write_attribute("/sweep", "count", static_cast<long long>(count));
    if (only) out.write_attribute("/sweep", "sweep_index", *only);
    out.write_real("/sweep/values", {values.size()}, values,
                   "values of the swept key " + sweep.key + " (one per point)");
    out.write_int("/sweep/index", {written.size()}, written,
                  "index of each point in the full sweep; its group is /sweep/<index>");
    if (steady) write_steady_table(out, points, observables);
    if (spectrum) write_spectrum_table(out, points);
    name_axes(out, "/sweep", "values", steady ? observables : std::vector<std::string>{});
    for (const char* name : {"/sweep/residual", "/sweep/gap", "/sweep/eigenvalues"}) {
      if (!out.exists(name)) continue;
      out.label_dimensions(name, {"values"});
      out.attach_dimension_scale(name, "/sweep/values", 0);
    }
  });
  PetscFunctionReturn(0);
}

}  // namespace qcoll
