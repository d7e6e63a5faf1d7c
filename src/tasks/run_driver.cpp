// The one driver of every task: a run is a sweep of one point. Without
// [sweep] the point writes the task's group (/steady, /spectrum, /evolve,
// /collide); with it, point k writes /sweep/<k> (the same layout), with
// attributes value, override, deck and, once every dataset is written,
// complete = 1, and /sweep/<quantity>[np, ...] tabulates every point.
//
// Between points that differ only in species lambdas the solver keeps its
// operators (PointSolver::SetLambdas); any other change sets it up anew. A
// stop signal (SIGTERM, SIGUSR1) stops a checkpointing solver inside its
// point and any task between points. A restart (--restart) keeps the points
// whose group is complete and was written with the same deck, continues the
// first other point from the checkpoint if it was written for that point,
// and computes the rest. The checkpoint is removed when the run completes.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>

#include "point_solver.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/tasks.hpp"

namespace qcoll {
namespace {

std::unique_ptr<PointSolver> make_point_solver(const std::string& task) {
  if (task == "steady") return make_steady_solver();
  if (task == "spectrum") return make_spectrum_solver();
  if (task == "evolve") return make_evolve_solver();
  if (task == "collide") return make_collide_solver();
  return nullptr;
}

// Restart: whether `group` holds a finished point computed from `identity`.
bool finished_in_file(const Hdf5File& f, const std::string& group, const std::string& identity) {
  if (!f.exists(group)) return false;
  try {
    return f.read_int_attribute(group, "complete") == 1 &&
           f.read_string_attribute(group, "deck") == identity;
  } catch (const std::exception&) {
    return false;  // no such attributes: the point did not finish
  }
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// "key = value, key2 = value2" of point k.
std::string describe_point(const std::vector<SweepAxisValues>& axes, size_t k) {
  std::vector<std::string> parts;
  for (const SweepAxisValues& a : axes) {
    char value[64];
    std::snprintf(value, sizeof value, "%.10g", a.values[k]);
    parts.push_back(a.key + " = " + value);
  }
  return join(parts, ", ");
}

void write_sweep_attributes(Hdf5File& f, const PointSource& points,
                            const std::vector<SweepAxisValues>& axes, const std::string& task,
                            std::optional<long long> only) {
  std::vector<std::string> keys;
  for (const SweepAxisValues& a : axes) keys.push_back(a.key);
  f.ensure_group("/sweep");
  f.write_attribute("/sweep", "key", join(keys, ","));
  f.write_attribute("/sweep", "task", task);
  f.write_attribute("/sweep", "count", static_cast<long long>(points.count()));
  if (only) f.write_attribute("/sweep", "sweep_index", *only);
  if (axes.size() < 2) return;  // one key: the layout of a one-key sweep
  f.write_attribute("/sweep", "mode", points.mode());
  f.remove("/sweep/axes");
  f.ensure_group("/sweep/axes");
  for (size_t i = 0; i < axes.size(); ++i) {
    const std::string path = "/sweep/axes/" + std::to_string(i);
    f.write_real(path, {axes[i].levels.size()}, axes[i].levels,
                 "the values of sweep axis " + std::to_string(i) + ", key " + axes[i].key);
    f.write_attribute(path, "key", axes[i].key);
  }
}

// /sweep/values (the first axis' value of each point written) and /sweep/index.
void write_sweep_index(Hdf5File& f, const std::vector<SweepAxisValues>& axes,
                       const std::vector<size_t>& written) {
  const SweepAxisValues& axis = axes.front();
  std::vector<double> values;
  std::vector<long long> index;
  for (size_t k : written) {
    values.push_back(axis.values[k]);
    index.push_back(static_cast<long long>(k));
  }
  f.write_real("/sweep/values", {values.size()}, values,
               "values of the swept key " + axis.key + " (one per point)");
  f.write_int("/sweep/index", {index.size()}, index,
              "index of each point in the full sweep; its group is /sweep/<index>");
  f.make_dimension_scale("/sweep/values", "values");
  if (axes.size() < 2) return;
  std::vector<double> table;  // [np, naxes]
  for (size_t k : written)
    for (const SweepAxisValues& a : axes) table.push_back(a.values[k]);
  f.write_real("/sweep/axis_values", {written.size(), axes.size()}, table,
               "the value of every sweep axis (/sweep/axes/<i>) at each point");
  f.label_dimensions("/sweep/axis_values", {"values"});
  f.attach_dimension_scale("/sweep/axis_values", "/sweep/values", 0);
}

void write_point_attributes(Hdf5File& f, const std::string& group, const PointSource& points,
                            const std::vector<SweepAxisValues>& axes, size_t k,
                            const std::string& identity) {
  f.write_attribute(group, "value", axes.front().values[k]);
  f.write_attribute(group, "override", join(points.overrides(k), " "));
  f.write_attribute(group, "deck", identity);
}

// /sweep/<name>[np] or [np, m] (NaN-padded) from every row's column `name`.
void write_column_table(Hdf5File& f, const std::string& name, const std::vector<PointRow>& rows) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const PointRow::Column* first = nullptr;
  size_t width = 0;
  for (const PointRow& r : rows)
    for (const PointRow::Column& c : r.columns)
      if (c.name == name) {
        if (!first) first = &c;
        width = std::max(width, c.real.empty() ? c.complex.size() : c.real.size());
      }
  const std::string path = "/sweep/" + name;
  if (name.find('/') != std::string::npos) f.ensure_group(path.substr(0, path.rfind('/')));
  if (!first->text.empty()) {  // one string per point
    std::vector<std::string> text;
    for (const PointRow& r : rows) {
      std::string t;
      for (const PointRow::Column& x : r.columns)
        if (x.name == name && !x.text.empty()) t = x.text.front();
      text.push_back(t);
    }
    f.write_strings(path, text, first->description);
    return;
  }
  const bool complex = first->real.empty() && !first->complex.empty();
  std::vector<double> real;
  std::vector<cplx> cdata;
  bool padded = false;
  for (const PointRow& r : rows) {
    const PointRow::Column* c = nullptr;
    for (const PointRow::Column& x : r.columns)
      if (x.name == name) c = &x;
    const size_t have = !c ? 0 : complex ? c->complex.size() : c->real.size();
    padded = padded || have < width;
    for (size_t i = 0; i < width; ++i) {
      if (complex) {
        cdata.push_back(i < have ? c->complex[i] : cplx(nan, nan));
      } else {
        real.push_back(i < have ? c->real[i] : nan);
      }
    }
  }
  // A NaN in a table is either the point's own (its description says so) or padding.
  const std::string description =
      first->description + (padded ? "; NaN where a point has fewer values or none" : "");
  const hsize_t np = rows.size();
  const std::vector<hsize_t> shape =
      first->list ? std::vector<hsize_t>{np, width} : std::vector<hsize_t>{np};
  if (complex) {
    f.write_complex(path, shape, cdata, description);
  } else {
    f.write_real(path, shape, real, description);
  }
  f.label_dimensions(path, {"values"});
  f.attach_dimension_scale(path, "/sweep/values", 0);
}

// Every table of /sweep from the rows of the points written.
void write_sweep_tables(Hdf5File& f, const std::vector<PointRow>& rows) {
  const bool thermo =
      std::all_of(rows.begin(), rows.end(), [](const PointRow& r) { return r.has_values; });
  if (thermo && !rows.empty()) {
    std::vector<ThermoValues> values;
    FieldAvailability fields = rows.front().fields;
    for (const PointRow& r : rows) {
      values.push_back(r.values);
      for (const ResultField& field : thermo_result_fields())
        if (field.needs && !(r.fields.*field.needs)) fields.*field.needs = false;
    }
    // Observables enter the table when every point has the same ones.
    std::vector<std::string> names = rows.front().observable_names;
    for (const PointRow& r : rows)
      if (r.observable_names != names) names.clear();
    if (names.empty())
      for (ThermoValues& v : values) v.observables.clear();
    write_thermo_rows(f, "/sweep", "values", values, names, fields,
                      "; at each sweep point (evolve: its last output time)");
  }
  std::vector<std::string> names;
  for (const PointRow& r : rows)
    for (const PointRow::Column& c : r.columns)
      if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
  for (const std::string& name : names) write_column_table(f, name, rows);
}

PetscErrorCode RemoveCheckpoint(MPI_Comm comm, const PointSolver& solver,
                                const std::string& checkpoint) {
  PetscFunctionBeginUser;
  int rank = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (solver.checkpoints() && rank == 0) std::remove(checkpoint.c_str());  // the run is complete
  PetscFunctionReturn(0);
}

PetscErrorCode RunOnePoint(MPI_Comm comm, PointSolver& solver, const PointSource& points,
                           Hdf5File& out, RunContext& ctx) {
  PetscFunctionBeginUser;
  std::shared_ptr<const Problem> point;
  PetscCallCXX(point = points.load(0));
  const Problem& p = *point;
  // A signal may end a factorisation, which polls no stop flag
  // (tasks/stop_watchdog.hpp): what was written stays readable.
  PetscCallCXX(out.flush());
  PetscCall(solver.Setup(comm, p));
  PointTarget target{solver.group(), checkpoint_path(ctx.output_path),
                     ctx.restart && solver.checkpoints()};
  bool stopped = false;
  PetscCall(solver.Solve(comm, p, out, target, &stopped));
  ctx.stopped = stopped;
  if (!stopped) PetscCall(RemoveCheckpoint(comm, solver, target.checkpoint));
  PetscFunctionReturn(0);
}

PetscErrorCode RunSweepPoints(MPI_Comm comm, const std::string& task, PointSolver& solver,
                              const PointSource& points, Hdf5File& out, RunContext& ctx) {
  PetscFunctionBeginUser;
  const size_t count = points.count();
  PetscCheck(
      !ctx.sweep_index || (*ctx.sweep_index >= 0 && static_cast<size_t>(*ctx.sweep_index) < count),
      comm, PETSC_ERR_ARG_OUTOFRANGE,
      "--sweep-index %lld is out of range: the sweep has %zu points", ctx.sweep_index.value_or(0),
      count);
  std::vector<size_t> indices;
  for (size_t k = 0; k < count; ++k)
    if (!ctx.sweep_index || static_cast<size_t>(*ctx.sweep_index) == k) indices.push_back(k);
  const bool reuse = points.only_lambdas_change();
  std::vector<std::string> keys;
  // Every axis' value at every point, once (a grid has up to 1e5 points).
  std::vector<SweepAxisValues> axes;
  PetscCallCXX(axes = points.axes());
  for (const SweepAxisValues& a : axes) keys.push_back(a.key);
  PetscCall(PetscPrintf(comm, "sweep: %s over %zu value(s) of %s%s\n", task.c_str(), indices.size(),
                        join(keys, ", ").c_str(),
                        reuse ? " (reusing the operators between points)" : ""));
  PetscCallCXX(write_sweep_attributes(out, points, axes, task, ctx.sweep_index));
  const std::string checkpoint = checkpoint_path(ctx.output_path);
  bool have_setup = false;
  std::vector<PointRow> rows;
  for (size_t n = 0; n < indices.size(); ++n) {
    const size_t k = indices[n];
    if (n > 0 && stop_signal_received(comm)) {
      ctx.stopped = true;
      PetscCall(PetscPrintf(comm, "sweep: stopped before point %zu; %zu of %zu points done\n", k, n,
                            indices.size()));
      PetscFunctionReturn(0);
    }
    const std::string group = "/sweep/" + std::to_string(k);
    std::shared_ptr<const Problem> point;
    PetscCallCXX(point = points.load(k));
    const Problem& p = *point;
    PetscCall(PetscPrintf(comm, "sweep: point %zu (%zu of %zu): %s\n", k, n + 1, indices.size(),
                          describe_point(axes, k).c_str()));
    bool done = false;
    if (ctx.restart) PetscCallCXX(done = finished_in_file(out, group, p.identity));
    if (done) {
      PetscCall(PetscPrintf(comm, "sweep: point %zu was finished before the restart\n", k));
      PetscCallCXX(rows.emplace_back());
      PetscCall(solver.ReadRow(comm, p, out, group, true, &rows.back()));
      continue;
    }
    PointTarget target{group, checkpoint, false};
    if (ctx.restart) {
      PetscCallCXX(target.resume =
                       solver.checkpoints() && solver.CanResume(comm, p, checkpoint, out, group));
      // A point that starts anew drops what an interrupted run left of it.
      if (!target.resume) PetscCallCXX(out.remove(group));
    }
    PetscCallCXX(out.flush());  // see RunOnePoint
    if (!have_setup || !reuse) {
      PetscCall(solver.Setup(comm, p));
    } else {
      PetscCall(solver.SetLambdas(comm, p));
    }
    have_setup = true;
    bool stopped = false;
    PetscCall(solver.Solve(comm, p, out, target, &stopped));
    PetscCallCXX(write_point_attributes(out, group, points, axes, k, p.identity));
    if (stopped) {
      ctx.stopped = true;
      PetscCall(PetscPrintf(comm, "sweep: stopped in point %zu; its checkpoint is %s\n", k,
                            checkpoint.c_str()));
      PetscFunctionReturn(0);
    }
    PetscCallCXX({
      out.write_attribute(group, "complete", true);
      out.flush();
      rows.emplace_back();
    });
    PetscCall(solver.ReadRow(comm, p, out, group, false, &rows.back()));
    PetscCall(PetscPrintf(comm, "sweep: point %zu done\n", k));
  }
  PetscCallCXX({
    write_sweep_index(out, axes, indices);
    write_sweep_tables(out, rows);
  });
  PetscCall(RemoveCheckpoint(comm, solver, checkpoint));
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode RunTask(MPI_Comm comm, const std::string& task, const PointSource& points,
                       Hdf5File& out, RunContext& ctx) {
  PetscFunctionBeginUser;
  std::unique_ptr<PointSolver> solver = make_point_solver(task);
  PetscCheck(solver, comm, PETSC_ERR_SUP, "task '%s' is not available in this build", task.c_str());
  if (points.is_sweep()) {
    PetscCall(RunSweepPoints(comm, task, *solver, points, out, ctx));
  } else {
    PetscCall(RunOnePoint(comm, *solver, points, out, ctx));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode RunProblem(MPI_Comm comm, const std::string& task, const Problem& p, Hdf5File& out,
                          RunContext& ctx) {
  PetscFunctionBeginUser;
  PetscCall(RunTask(comm, task, SinglePoint(p), out, ctx));
  PetscFunctionReturn(0);
}

}  // namespace qcoll
