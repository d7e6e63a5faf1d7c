// [sweep] with the evolve task: the time evolution at every value of one
// deck key. A key species.<name>.lambda keeps the assembled L_0 and L_Gj
// (matrix-free: their superoperator terms) and only changes coefficients;
// any other key re-loads the deck with the override and rebuilds.
//
// Each point's full results go to /sweep/<k> (the layout of /evolve), which
// gets the attributes value, override, deck (the point's deck) and, once
// every dataset is written, complete = 1; the file is flushed after each
// point. The table /sweep/<quantity>[np, ...] holds each point's values at
// its last output time. Restart (--restart): points whose group is complete
// and was written with the same deck are kept; the first other point
// continues from the checkpoint if it was written with that point's deck
// (and its stored states are in the file), else starts at t = 0, and so do
// the rest.
#include <algorithm>
#include <cstdio>

#include "evolve_runner.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "sweep_points.hpp"

namespace qcoll {
namespace {

std::size_t species_count(const std::vector<ThermoValues>& v) {
  return v.empty() ? 0 : v.front().work_coherent.size();
}

struct FinishedPoint {
  double t = 0.0;  // last output time
  ThermoValues values;
  bool with_entropy = false;
};

// Restart: whether `group` holds a finished point computed with `deck`.
bool finished_in_file(const Hdf5File& f, const std::string& group, const std::string& deck) {
  if (!f.exists(group)) return false;
  try {
    return f.read_int_attribute(group, "complete") == 1 &&
           f.read_string_attribute(group, "deck") == deck;
  } catch (const std::exception&) {
    return false;  // no such attributes: the point did not finish
  }
}

// Restart: a finished point's last values. Its series is written again, so
// its dimension scales refer to the /model the restart has rewritten.
FinishedPoint reread_point(Hdf5File& f, const std::string& group,
                           const std::vector<std::string>& observables) {
  const ThermoSeries s = read_thermo_series(f, group, observables);
  FinishedPoint pt{s.t.back(), s.values.back(), f.exists(group + "/entropy")};
  write_thermo_series(f, group, s.t, s.values, observables,
                      FieldAvailability::evolution(pt.with_entropy, species_count(s.values)));
  return pt;
}

void write_evolve_table(Hdf5File& f, const std::vector<FinishedPoint>& pts,
                        const std::vector<std::string>& observables) {
  std::vector<double> t;
  std::vector<ThermoValues> values;
  for (const FinishedPoint& p : pts) {
    t.push_back(p.t);
    values.push_back(p.values);
  }
  const bool entropy =
      std::all_of(pts.begin(), pts.end(), [](const FinishedPoint& p) { return p.with_entropy; });
  f.write_real("/sweep/t_final", {t.size()}, t,
               "time of each point's last output, where the other tables are taken (1/energy)");
  write_thermo_rows(f, "/sweep", "values", values, observables,
                    FieldAvailability::evolution(entropy, species_count(values)),
                    "; each sweep point at its last output time");
  f.label_dimensions("/sweep/t_final", {"values"});
  f.attach_dimension_scale("/sweep/t_final", "/sweep/values", 0);
}

PetscErrorCode PrintPointDone(MPI_Comm comm, size_t k, const FinishedPoint& pt) {
  PetscFunctionBeginUser;
  const std::string pi =
      pt.with_entropy ? ", Pi " + std::to_string(pt.values.entropy_production) : std::string();
  PetscCall(PetscPrintf(comm, "sweep: point %zu done: t = %g, energy %.10g%s\n", k, pt.t,
                        pt.values.energy, pi.c_str()));
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode RunEvolveSweep(MPI_Comm comm, const Deck& deck, const Problem& base, Hdf5File& out,
                              RunContext& ctx) {
  PetscFunctionBeginUser;
  PetscCheck(deck.sweep, comm, PETSC_ERR_ARG_WRONG, "the deck has no [sweep]");
  const SweepSettings& sweep = *deck.sweep;
  std::vector<size_t> indices;
  PetscCall(SweepIndices(comm, sweep, ctx.sweep_index, &indices));
  const bool reuse = lambda_species(sweep.key, base.me) >= 0;
  PetscCall(PetscPrintf(comm, "sweep: evolve over %zu value(s) of %s%s\n", indices.size(),
                        sweep.key.c_str(),
                        reuse ? " (reusing the parts L_0, L_Gj of the Liouvillian)" : ""));
  PetscCallCXX(write_sweep_attributes(out, sweep, "evolve", ctx.sweep_index));
  const std::vector<std::string>& observables = base.ops.observable_names;
  const std::string checkpoint = checkpoint_path(ctx.output_path);

  EvolutionOperator op;
  bool have_op = false;
  std::vector<FinishedPoint> finished;
  for (size_t n = 0; n < indices.size(); ++n) {
    const size_t k = indices[n];
    const std::string group = "/sweep/" + std::to_string(k);
    SweepPoint pt;
    PetscCall(LoadPoint(deck, sweep, k, &pt));
    const Problem& p = *pt.problem;
    PetscCall(PetscPrintf(comm, "sweep: point %zu (%zu of %zu): %s = %.10g\n", k, n + 1,
                          indices.size(), sweep.key.c_str(), sweep.values[k]));
    bool done = false;
    if (ctx.restart) PetscCallCXX(done = finished_in_file(out, group, pt.deck.toml));
    if (done) {
      PetscCallCXX(finished.push_back(reread_point(out, group, observables)));
      PetscCall(PetscPrintf(comm, "sweep: point %zu was finished before the restart\n", k));
      PetscCall(PrintPointDone(comm, k, finished.back()));
      continue;
    }
    EvolveTarget target;
    target.group = group;
    target.checkpoint = checkpoint;
    if (ctx.restart) {
      // Stored states before the checkpoint must have survived in the output.
      PetscCallCXX(target.resume =
                       checkpoint_has_deck(comm, checkpoint, pt.deck.toml) &&
                       (p.settings.evolve.store_states == 0 || out.exists(group + "/rho")));
      // A point that starts anew drops what an interrupted run left of it.
      if (!target.resume) PetscCallCXX(out.remove(group));
    }
    if (!have_op || !reuse) {
      PetscCall(op.Setup(comm, p));
    } else {
      PetscCall(op.SetLambdas(p));
    }
    have_op = true;
    EvolveResult result;
    PetscCall(EvolveProblem(comm, p, op, out, target, &result));
    PetscCallCXX({
      write_point_attributes(out, group, sweep, k);
      out.write_attribute(group, "deck", pt.deck.toml);
    });
    if (result.stopped) {
      ctx.stopped = true;
      PetscCall(PetscPrintf(comm, "sweep: stopped in point %zu; its checkpoint is %s\n", k,
                            checkpoint.c_str()));
      PetscFunctionReturn(0);
    }
    PetscCallCXX({
      out.write_attribute(group, "complete", true);
      out.flush();
    });
    finished.push_back(FinishedPoint{result.t.back(), result.values.back(), result.with_entropy});
    PetscCall(PrintPointDone(comm, k, finished.back()));
  }
  PetscCallCXX({
    write_sweep_index(out, sweep, indices);
    write_evolve_table(out, finished, observables);
  });
  int rank;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) std::remove(checkpoint.c_str());  // the sweep is complete
  PetscFunctionReturn(0);
}

}  // namespace qcoll
