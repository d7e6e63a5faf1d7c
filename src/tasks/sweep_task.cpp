// [sweep]: the steady (or spectrum) task at every value of one deck key.
// A key species.<name>.lambda only changes coefficients of the assembled
// L = L_0 + sum_j lambda_j L_Gj, so the Liouvillian and the solvers (with
// the symbolic phase of their factorisations) are reused; any other key
// re-loads the deck with the override and rebuilds everything.
#include <algorithm>
#include <cmath>
#include <limits>

#include "qcoll/io/output.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "steady_runner.hpp"
#include "sweep_points.hpp"

namespace qcoll {
namespace {

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
  std::vector<size_t> indices;
  PetscCall(SweepIndices(comm, sweep, only, &indices));
  const bool steady = task == "steady";
  const bool spectrum = !steady || base.deck->steady.gap;
  const bool reuse = lambda_species(sweep.key, base.me) >= 0;
  PetscCall(PetscPrintf(comm, "sweep: %s over %zu value(s) of %s%s\n", task.c_str(), indices.size(),
                        sweep.key.c_str(), reuse ? " (reusing the assembled Liouvillian)" : ""));

  SteadyRunner runner;
  std::vector<SteadyPoint> points;
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
    PetscCallCXX(write_point_attributes(out, group, sweep, k));
    observables = p.ops.observable_names;
  }
  PetscCallCXX({
    write_sweep_attributes(out, sweep, task, only);
    write_sweep_index(out, sweep, indices);
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
