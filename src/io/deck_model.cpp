// [params], [system], [initial] and temperatures.
#include "deck_model.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "deck_checks.hpp"
#include "deck_schema.hpp"
#include "deck_values.hpp"

namespace qcoll::deck_detail {

namespace {

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

const toml::table* optional_table(const Context& ctx, const toml::table& root,
                                  std::string_view name) {
  const toml::node* node = root.get(name);
  return node ? &read_table(ctx, *node, std::string(name)) : nullptr;
}

}  // namespace

LocalSpace read_local_space(const Context& ctx, const toml::node& node, const std::string& key) {
  const std::string& label = read_string(ctx, node, key);
  try {
    return LocalSpace::parse(label);
  } catch (const InputError& e) {
    ctx.fail(key, &node, e.what());
  }
}

Parameters read_params(Context& ctx, const toml::table& root) {
  Parameters params;
  const toml::table* table = optional_table(ctx, root, "params");
  if (!table) return params;
  TableReader reader(ctx, *table, "params", {});
  std::vector<std::pair<std::string, const toml::node*>> pending;
  for (const auto& [name, node] : *table) {
    const std::string n(name.str());
    const std::string key = reader.key_of(n);
    if (!is_identifier(n)) {
      ctx.fail(key, &node,
               "parameter names must be identifiers (letters, digits and '_', not starting with "
               "a digit)");
    }
    if (node.is_string()) {
      pending.emplace_back(n, &node);
    } else {
      params[n] = read_real_value(ctx, node, key, params);
    }
  }
  // Expressions may use parameters defined anywhere in the table: evaluate
  // whatever can be evaluated until nothing changes.
  for (bool progress = true; progress && !pending.empty();) {
    progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      try {
        const double v = evaluate_expression(it->second->as_string()->get(), params);
        params[it->first] = v;
        it = pending.erase(it);
        progress = true;
      } catch (const std::exception&) {
        ++it;
      }
    }
  }
  if (!pending.empty()) {
    auto first = std::min_element(pending.begin(), pending.end(), [](auto& a, auto& b) {
      return a.second->source().begin < b.second->source().begin;
    });
    try {
      read_real_value(ctx, *first->second, reader.key_of(first->first), params);
    } catch (const DeckError& e) {
      if (pending.size() == 1) throw;
      std::vector<std::string> names;
      for (const auto& p : pending) names.push_back(p.first);
      throw DeckError(std::string(e.what()) + " (parameters left unevaluated: " + join(names) +
                          "; parameters may use each other, but not in a cycle)",
                      e.key(), e.line());
    }
  }
  for (const auto& [name, value] : params) {
    if (!std::isfinite(value)) {
      reader.fail(name, "parameter " + name + " = " + format_number(value) +
                            "; parameters must be finite numbers");
    }
  }
  return params;
}

void read_system(Context& ctx, const toml::table& root, const Parameters& params, Model& model) {
  const toml::table* table = optional_table(ctx, root, "system");
  if (!table) {
    ctx.fail_line("system", 0,
                  "missing required table [system] (the system's sites and hamiltonian, or a "
                  "model preset)");
  }
  TableReader reader(ctx, *table, "system", kSystemKeys);
  const toml::node* sites = reader.find("sites");
  const toml::node* preset = reader.find("model");
  if (sites && preset) reader.fail("model", "give either system.sites or system.model, not both");
  if (!sites && !preset) {
    reader.missing("sites",
                   "an array of site labels such as [\"spin1/2\", \"boson10\"] (or a preset, "
                   "model = { name = \"xxz_chain\", sites = 6, ... })");
  }
  if (preset) {
    read_model_preset(ctx, *preset, reader.key_of("model"), params, model.sites, model.hamiltonian);
  } else {
    const toml::array& labels = read_array(ctx, *sites, reader.key_of("sites"));
    if (labels.empty()) reader.fail("sites", "the system needs at least one site");
    index_t dim = 1;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const std::string key = reader.key_of("sites") + "[" + std::to_string(i) + "]";
      ctx.record(key, labels.get(i));
      model.sites.push_back(read_local_space(ctx, *labels.get(i), key));
      const index_t d = model.sites.back().dim();
      if (d > kMaxSystemDimension / dim) {
        reader.fail("sites", "the Hilbert-space dimension of the first " + std::to_string(i + 1) +
                                 " sites already exceeds the limit of 2^30 = " +
                                 std::to_string(kMaxSystemDimension));
      }
      dim *= d;
    }
    if (!reader.has("hamiltonian")) {
      reader.missing("hamiltonian",
                     "an array of terms [coef, op, site, op, site, ...], e.g. "
                     "[[\"Omega/2\", \"sz\", 0]]");
    }
  }
  if (const toml::node* h = reader.find("hamiltonian")) {
    const OpSum extra =
        read_terms(ctx, *h, reader.key_of("hamiltonian"), params, SiteRules{&model.sites, nullptr});
    model.hamiltonian.insert(model.hamiltonian.end(), extra.begin(), extra.end());
  }
  if (auto defect = non_hermitian_defect(model.sites, model.hamiltonian)) {
    const std::string name = reader.has("hamiltonian") ? "hamiltonian" : "model";
    reader.fail(name,
                "the system hamiltonian H_S must be Hermitian, but H_S - H_S^dag has an "
                "entry of size " +
                    format_number(*defect) +
                    " (check complex [re, im] coefficients, and that every sp/sm, a/adag "
                    "term comes with its Hermitian conjugate)");
  }
}

double read_inverse_temperature(const TableReader& table) {
  const bool has_beta = table.has("beta");
  const bool has_temperature = table.has("temperature");
  if (has_beta && has_temperature) {
    table.fail("temperature", "give either beta or temperature, not both");
  }
  if (!has_beta && !has_temperature) {
    table.missing("beta",
                  "the inverse temperature beta, or temperature (exactly one; beta = inf or "
                  "temperature = 0 for zero temperature)");
  }
  const char* name = has_beta ? "beta" : "temperature";
  const double v = *table.number(name);
  if (v < 0.0) {
    table.fail(name, std::string(name) + " must be >= 0 (" +
                         (has_beta ? "inf: zero temperature, 0: infinite temperature"
                                   : "0: zero temperature, inf: infinite temperature") +
                         "), got " + format_number(v));
  }
  if (has_beta) return v;
  if (v == 0.0) return kInfinity;
  return std::isinf(v) ? 0.0 : 1.0 / v;
}

void read_initial(Context& ctx, const toml::table& root, Model& model) {
  const toml::table* table = optional_table(ctx, root, "initial");
  if (!table) return;
  TableReader reader(ctx, *table, "initial", kInitialKeys);
  const std::string state = reader.choice(
      "state", "ground", {"ground", "excited", "maximally_mixed", "thermal", "basis", "product"});
  auto only_for = [&](std::string_view key, const std::string& wanted) {
    if (reader.has(key) && state != wanted) {
      reader.fail(key, "key " + reader.key_of(key) + " applies only to state = \"" + wanted +
                           "\", but state = \"" + state + "\"");
    }
  };
  only_for("beta", "thermal");
  only_for("temperature", "thermal");
  only_for("index", "basis");
  only_for("product", "product");
  InitialState& init = model.initial;
  using Kind = InitialState::Kind;
  if (state == "ground") init.kind = Kind::Ground;
  if (state == "excited") init.kind = Kind::Excited;
  if (state == "maximally_mixed") init.kind = Kind::MaximallyMixed;
  if (state == "thermal") {
    init.kind = Kind::Thermal;
    init.beta = read_inverse_temperature(reader);
  }
  if (state == "basis") {
    init.kind = Kind::Basis;
    if (!reader.has("index"))
      reader.missing("index", "the basis-state index for state = \"basis\"");
    const index_t d = model.dimension();
    init.index = *reader.integer("index");
    if (init.index < 0 || init.index >= d) {
      reader.fail("index", "basis index " + std::to_string(init.index) +
                               " is out of range: the system dimension is " + std::to_string(d) +
                               " (indices 0.." + std::to_string(d - 1) + ")");
    }
  }
  if (state == "product") {
    init.kind = Kind::Product;
    if (!reader.has("product")) {
      reader.missing("product", "one basis index per site for state = \"product\"");
    }
    const toml::array& levels = *reader.array("product");
    if (levels.size() != model.sites.size()) {
      reader.fail("product", "expected one basis index per site (" +
                                 std::to_string(model.sites.size()) + " sites), got " +
                                 std::to_string(levels.size()));
    }
    for (std::size_t s = 0; s < levels.size(); ++s) {
      const std::string key = reader.key_of("product") + "[" + std::to_string(s) + "]";
      const index_t level = read_integer(ctx, *levels.get(s), key);
      if (level < 0 || level >= model.sites[s].dim()) {
        ctx.fail(key, levels.get(s),
                 "basis index " + std::to_string(level) + " is out of range for site " +
                     std::to_string(s) + " (" + model.sites[s].label() + ", indices 0.." +
                     std::to_string(model.sites[s].dim() - 1) + ")");
      }
      init.product.push_back(level);
    }
  }
}

}  // namespace qcoll::deck_detail
