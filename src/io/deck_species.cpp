// [[species]] and evolve.observables.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "deck_checks.hpp"
#include "deck_model.hpp"
#include "deck_schema.hpp"
#include "deck_values.hpp"

namespace qcoll::deck_detail {

namespace {

bool is_species_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// The species' name, checked, and the key prefix "species.<name>".
std::string read_species_name(Context& ctx, const toml::table& table, std::size_t index,
                              const std::set<std::string>& taken) {
  const std::string provisional = "species[" + std::to_string(index) + "]";
  const toml::node* node = table.get("name");
  if (!node) {
    ctx.fail(provisional + ".name", &table,
             "missing required key 'name' in species number " + std::to_string(index) +
                 " (a unique name such as \"hot\")");
  }
  const std::string& name = read_string(ctx, *node, provisional + ".name");
  if (!is_species_name(name)) {
    ctx.fail(provisional + ".name", node,
             "species name \"" + name +
                 "\" is not valid: use letters, digits, '_' and '-' (it addresses the species in "
                 "--set species.<name>.<key> and names HDF5 data)");
  }
  if (taken.count(name)) {
    ctx.fail("species." + name + ".name", node,
             "duplicate species name \"" + name + "\": every species needs a unique name");
  }
  return "species." + name;
}

DenseMatrix ancilla_hamiltonian(const TableReader& reader, const LocalSpace& ancilla,
                                const Parameters& params) {
  if (!reader.has("hamiltonian")) {
    reader.missing("hamiltonian",
                   "the ancilla hamiltonian H_A as terms on site \"A\", e.g. "
                   "[[\"Omega/2\", \"sz\", \"A\"]]");
  }
  const OpSum terms =
      read_terms(reader.context(), *reader.find("hamiltonian"), reader.key_of("hamiltonian"),
                 params, SiteRules{nullptr, &ancilla});
  DenseMatrix h(ancilla.dim(), ancilla.dim());
  for (const Term& t : terms) h += t.coef * term_ancilla_operator(ancilla, t);
  if (!std::all_of(h.data(), h.data() + h.rows() * h.cols(),
                   [](cplx x) { return std::isfinite(x.real()) && std::isfinite(x.imag()); })) {
    reader.fail("hamiltonian",
                "the ancilla hamiltonian H_A has entries that are not finite (the coefficients "
                "are too large)");
  }
  if (!h.is_hermitian(1e-12 * std::max(1.0, h.max_abs()))) {
    reader.fail("hamiltonian",
                "the ancilla hamiltonian H_A must be Hermitian (check complex [re, im] "
                "coefficients and that every sp/sm term comes with its conjugate)");
  }
  return h;
}

OpSum coupling_terms(const TableReader& reader, const std::vector<LocalSpace>& sites,
                     const LocalSpace& ancilla, const Parameters& params) {
  if (!reader.has("coupling")) {
    reader.missing("coupling",
                   "the interaction V as terms on system sites and the ancilla \"A\", e.g. "
                   "[[\"g\", \"sp\", 0, \"sm\", \"A\"], [\"g\", \"sm\", 0, \"sp\", \"A\"]]");
  }
  OpSum v = read_terms(reader.context(), *reader.find("coupling"), reader.key_of("coupling"),
                       params, SiteRules{&sites, &ancilla});
  std::vector<LocalSpace> joint = sites;
  joint.push_back(ancilla);
  OpSum on_joint = v;
  for (Term& t : on_joint) {
    for (Factor& f : t.factors) {
      if (f.site == kAncillaSite) f.site = static_cast<int>(sites.size());
    }
  }
  if (auto defect = non_hermitian_defect(joint, on_joint)) {
    reader.fail("coupling",
                "the coupling V must be Hermitian, but V - V^dag has an entry of size " +
                    format_number(*defect) +
                    " (every term such as g sp_0 sm_A needs its conjugate g sm_0 sp_A)");
  }
  return v;
}

DenseMatrix read_chi(const TableReader& reader, const LocalSpace& ancilla,
                     const Parameters& params) {
  const toml::node* node = reader.find("chi");
  const index_t d = ancilla.dim();
  if (!node) return DenseMatrix(d, d);
  const Context& ctx = reader.context();
  const std::string key = reader.key_of("chi");
  if (auto name = node->as_string()) {
    if (!ancilla.has_op(name->get())) {
      ctx.fail(key, node,
               "unknown operator '" + name->get() + "' for the ancilla (" + ancilla.label() +
                   "); valid operators: " + join(ancilla.operator_names()) +
                   " (or give chi as a matrix)");
    }
    return ancilla.op(name->get());
  }
  if (!node->is_array()) {
    ctx.fail(key, node,
             "chi must be a named ancilla operator such as \"sx\" or a matrix (array of rows), "
             "got " +
                 type_name(*node));
  }
  return read_matrix(ctx, *node, key, params, d);
}

Species read_one_species(Context& ctx, const toml::table& table, const std::string& key,
                         const Parameters& params, const std::vector<LocalSpace>& sites) {
  TableReader reader(ctx, table, key, kSpeciesKeys);
  Species s;
  s.name = key.substr(std::string("species.").size());
  if (!reader.has("ancilla")) {
    reader.missing("ancilla", "the ancilla's local space, e.g. \"spin1/2\" or \"qudit3\"");
  }
  s.ancilla = read_local_space(ctx, *reader.find("ancilla"), reader.key_of("ancilla"));
  if (s.ancilla.dim() > kMaxAncillaDimension) {
    reader.fail("ancilla", "the ancilla dimension " + std::to_string(s.ancilla.dim()) +
                               " exceeds the limit of " + std::to_string(kMaxAncillaDimension));
  }
  s.hamiltonian = ancilla_hamiltonian(reader, s.ancilla, params);
  s.beta = read_inverse_temperature(reader);
  s.coupling = coupling_terms(reader, sites, s.ancilla, params);
  if (const auto lambda = reader.number("lambda")) {
    if (!std::isfinite(*lambda)) {
      reader.fail("lambda", "expected a finite number, got " + format_number(*lambda));
    }
    s.lambda = *lambda;
  }
  s.chi = read_chi(reader, s.ancilla, params);
  check_chi(ctx, reader.key_of("chi"), reader.find("chi") ? reader.find("chi") : &table,
            s.hamiltonian, s.chi);
  return s;
}

}  // namespace

void read_species(Context& ctx, const toml::table& root, const Parameters& params, Model& model) {
  const toml::node* node = root.get("species");
  if (!node) return;
  const toml::array* list = node->as_array();
  if (!list || !list->is_array_of_tables()) {
    ctx.fail("species", node,
             "species must be an array of tables: start each species with [[species]], got " +
                 type_name(*node) +
                 (node->is_table() ? " ([species] instead of [[species]]?)" : ""));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::table& table = *list->get(i)->as_table();
    const std::string key = read_species_name(ctx, table, i, names);
    names.insert(key.substr(std::string("species.").size()));
    model.species.push_back(read_one_species(ctx, table, key, params, model.sites));
  }
}

std::vector<Observable> read_observables(Context& ctx, const toml::node& node,
                                         const std::string& key, const Parameters& params,
                                         const std::vector<LocalSpace>& sites) {
  const toml::array& list = read_array(ctx, node, key);
  std::vector<Observable> out;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    const toml::table& table = read_table(ctx, *list.get(i), item_key);
    TableReader reader(ctx, table, item_key, kObservableKeys);
    Observable obs;
    if (!reader.has("name")) reader.missing("name", "the observable's name, e.g. \"sx\"");
    obs.name = *reader.string("name");
    if (obs.name.empty() || obs.name == "." || obs.name == ".." ||
        obs.name.find('/') != std::string::npos) {
      reader.fail("name", "observable name \"" + obs.name +
                              "\" is not a valid HDF5 name (non-empty, no '/', not '.' or '..')");
    }
    if (!names.insert(obs.name).second) {
      reader.fail("name", "duplicate observable name \"" + obs.name + "\"");
    }
    if (!reader.has("terms")) {
      reader.missing("terms", "the observable as terms, e.g. [[1.0, \"sx\", 0]]");
    }
    obs.terms = read_terms(ctx, *reader.find("terms"), reader.key_of("terms"), params,
                           SiteRules{&sites, nullptr});
    out.push_back(std::move(obs));
  }
  return out;
}

}  // namespace qcoll::deck_detail
