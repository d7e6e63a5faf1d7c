// Run settings: [run], [evolve], [steady], [collide], [checkpoint].
#include "deck_settings.hpp"

#include <cmath>

#include "deck_model.hpp"
#include "deck_schema.hpp"
#include "deck_values.hpp"
#include "qcoll/io/time_grid.hpp"

namespace qcoll::deck_detail {

namespace {

// An empty table stands in for a missing one, so defaults apply.
const toml::table& table_or_empty(const Context& ctx, const toml::table& root,
                                  std::string_view name) {
  static const toml::table kEmpty;
  const toml::node* node = root.get(name);
  return node ? read_table(ctx, *node, std::string(name)) : kEmpty;
}

}  // namespace

RunSettings read_run(Context& ctx, const toml::table& root) {
  TableReader reader(ctx, table_or_empty(ctx, root, "run"), "run", kRunKeys);
  RunSettings run;
  run.task = reader.choice("task", run.task, {"evolve", "steady", "spectrum", "collide"});
  run.output = reader.string("output").value_or("");
  return run;
}

EvolveSettings read_evolve(Context& ctx, const toml::table& root, const Parameters& params,
                           Model& model) {
  TableReader reader(ctx, table_or_empty(ctx, root, "evolve"), "evolve", kEvolveKeys);
  EvolveSettings s;
  s.t_final = reader.positive("t_final", s.t_final);
  s.dt_output = reader.positive("dt_output", s.dt_output);
  if (s.dt_output > s.t_final) {
    reader.fail(reader.has("dt_output") ? "dt_output" : "t_final",
                "dt_output = " + format_number(s.dt_output) +
                    " must not exceed t_final = " + format_number(s.t_final));
  }
  // The series must reach t_final on the dt_output grid (evolve_runner checks it again).
  if (const std::string problem = time_grid_problem(s.t_final, s.dt_output, "dt_output", true);
      !problem.empty())
    reader.fail(reader.has("dt_output") || !reader.has("t_final") ? "dt_output" : "t_final",
                problem);
  s.method = reader.choice("method", s.method, {"ts", "expm"});
  s.rtol = reader.positive("rtol", s.rtol);
  s.atol = reader.positive("atol", s.atol);
  s.entropy = reader.boolean("entropy").value_or(s.entropy);
  s.store_states = reader.integer_at_least("store_states", s.store_states, 0);
  if (const toml::node* obs = reader.find("observables")) {
    model.observables =
        read_observables(ctx, *obs, reader.key_of("observables"), params, model.sites);
  }
  return s;
}

SteadySettings read_steady(Context& ctx, const toml::table& root) {
  TableReader reader(ctx, table_or_empty(ctx, root, "steady"), "steady", kSteadyKeys);
  SteadySettings s;
  s.method = reader.choice("method", s.method, {"auto", "eigen", "direct", "iterative", "evolve"});
  s.gap = reader.boolean("gap").value_or(s.gap);
  s.nev = reader.integer_at_least("nev", s.nev, 1);
  s.tol = reader.positive("tol", s.tol);
  s.symmetry = reader.boolean("symmetry").value_or(s.symmetry);
  s.fluctuations = reader.boolean("fluctuations").value_or(s.fluctuations);
  return s;
}

MachineSettings read_machine(Context& ctx, const toml::table& root, const Model& model) {
  TableReader reader(ctx, table_or_empty(ctx, root, "machine"), "machine", kMachineKeys);
  MachineSettings s;
  std::vector<std::string> names;
  for (const Species& sp : model.species) names.push_back(sp.name);
  for (const char* key : {"hot", "cold"}) {
    if (!reader.has(key)) continue;
    const std::string name = reader.choice(key, "", names);
    (std::string(key) == "hot" ? s.hot : s.cold) = name;
  }
  if (!s.hot.empty() && s.hot == s.cold)
    reader.fail("cold", "the hot and the cold species must differ, both are \"" + s.hot + "\"");
  return s;
}

CollideSettings read_collide(Context& ctx, const toml::table& root) {
  TableReader reader(ctx, table_or_empty(ctx, root, "collide"), "collide", kCollideKeys);
  CollideSettings s;
  s.t_final = reader.positive("t_final", s.t_final);
  if (const toml::node* tau = reader.find("tau")) {
    const std::string key = reader.key_of("tau");
    s.tau.clear();
    if (tau->is_number()) {
      s.tau.push_back(read_number(ctx, *tau, key));
    } else {
      const toml::array& list = read_array(ctx, *tau, key);
      if (list.empty()) reader.fail("tau", "expected at least one collision time tau");
      for (const toml::node& v : list) s.tau.push_back(read_number(ctx, v, key));
    }
  }
  for (double t : s.tau) {
    if (!(std::isfinite(t) && t > 0.0 && t <= s.t_final)) {
      reader.fail(reader.has("tau") ? "tau" : "t_final",
                  "every tau must be a finite number > 0 and <= t_final = " +
                      format_number(s.t_final) + ", got tau = " + format_number(t));
    }
    // N = round(t_final / tau) strokes; t_final need not be a multiple of tau.
    if (const std::string problem = time_grid_problem(s.t_final, t, "tau", false); !problem.empty())
      reader.fail(reader.has("tau") || !reader.has("t_final") ? "tau" : "t_final", problem);
  }
  s.compare_master_equation =
      reader.boolean("compare_master_equation").value_or(s.compare_master_equation);
  s.output_every = reader.integer_at_least("output_every", s.output_every, 1);
  return s;
}

CheckpointSettings read_checkpoint(Context& ctx, const toml::table& root) {
  TableReader reader(ctx, table_or_empty(ctx, root, "checkpoint"), "checkpoint", kCheckpointKeys);
  CheckpointSettings s;
  s.every_seconds = reader.positive("every_seconds", s.every_seconds, /*allow_zero=*/true);
  return s;
}

}  // namespace qcoll::deck_detail
