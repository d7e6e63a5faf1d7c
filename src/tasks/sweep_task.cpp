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

// The steady-state rows of every point (the fields of result_fields.hpp, as
// an evolve sweep's final-time table has them) and each point's residual.
void write_steady_table(Hdf5File& f, const std::vector<SteadyPoint>& pts,
                        const std::vector<std::string>& observables) {
  std::vector<ThermoValues> values;
  std::vector<double> residual;
  for (const SteadyPoint& p : pts) {
    values.push_back(p.values);
    residual.push_back(p.report.residual);
  }
  const bool entropy =
      std::all_of(pts.begin(), pts.end(), [](const SteadyPoint& p) { return p.with_entropy; });
  const std::size_t ns = values.front().work_coherent.size();
  write_thermo_rows(f, "/sweep", "values", values, observables,
                    FieldAvailability::steady_state(entropy, ns),
                    "; at each sweep point's steady state");
  f.write_real("/sweep/residual", {residual.size()}, residual, "||L(rho)||_2 per point (1/time)");
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

PetscErrorCode RunSweep(MPI_Comm comm, const std::string& task, const Deck& deck,
                        const Problem& base, std::optional<long long> only, Hdf5File& out) {
  PetscFunctionBeginUser;
  PetscCheck(deck.sweep, comm, PETSC_ERR_ARG_WRONG, "the deck has no [sweep]");
  PetscCheck(task == "steady" || task == "spectrum", comm, PETSC_ERR_SUP,
             "[sweep] runs the steady and spectrum tasks, not %s", task.c_str());
  const SweepSettings& sweep = *deck.sweep;
  std::vector<size_t> indices;
  PetscCall(SweepIndices(comm, sweep, only, &indices));
  const bool steady = task == "steady";
  const bool spectrum = !steady || base.settings.steady.gap;
  const bool reuse = lambda_species(sweep.key, base.me) >= 0;
  PetscCall(PetscPrintf(comm, "sweep: %s over %zu value(s) of %s%s\n", task.c_str(), indices.size(),
                        sweep.key.c_str(), reuse ? " (reusing the assembled Liouvillian)" : ""));

  SteadyRunner runner;
  std::vector<SteadyPoint> points;
  std::vector<std::string> observables;
  for (size_t n = 0; n < indices.size(); ++n) {
    const size_t k = indices[n];
    SweepPoint pt;
    PetscCall(LoadPoint(deck, sweep, k, &pt));
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
