// Coefficients, operator terms and matrices of the deck.
#include "deck_values.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace qcoll::deck_detail {

std::string format_number(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

std::string format_complex(cplx v) {
  if (v.imag() == 0.0) return format_number(v.real());
  return "(" + format_number(v.real()) + (v.imag() < 0 ? " - " : " + ") +
         format_number(std::abs(v.imag())) + "i)";
}

std::string format_exact(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

double evaluate_integer(const Context& ctx, const toml::node& node, const std::string& key,
                        const std::string& expr, const Parameters& params, const std::string& what,
                        const std::string& expected) {
  double v = 0.0;
  try {
    v = evaluate_expression(expr, params);
  } catch (const InputError& e) {
    ctx.fail(key, &node, e.what() + std::string("; ") + expected);
  }
  const double r = std::round(v);
  if (!(std::abs(v - r) <= 1e-9)) {
    ctx.fail(key, &node,
             "the " + what + " \"" + expr + "\" evaluates to " + format_exact(v) +
                 ", which is not an integer (to 1e-9); " + expected);
  }
  return r == 0.0 ? 0.0 : r;  // no -0
}

namespace {

constexpr const char* kCoefficientForms =
    "a coefficient is a number, an expression string over [params] such as \"g/2\", or a "
    "[re, im] pair of those";

double evaluate(const Context& ctx, const toml::node& node, const std::string& key,
                const std::string& expr, const Parameters& params) {
  double v = 0.0;
  try {
    v = evaluate_expression(expr, params);
  } catch (const InputError& e) {
    ctx.fail(key, &node, e.what());
  }
  if (!std::isfinite(v)) {
    ctx.fail(key, &node,
             "the expression \"" + expr + "\" evaluates to " + format_number(v) +
                 "; a finite number is expected");
  }
  return v;
}

double real_part_value(const Context& ctx, const toml::node& node, const std::string& key,
                       const Parameters& params, const char* expected) {
  if (auto s = node.as_string()) return evaluate(ctx, node, key, s->get(), params);
  if (!node.is_number()) ctx.fail(key, &node, std::string(expected) + ", got " + type_name(node));
  const double v = read_number(ctx, node, key);
  if (!std::isfinite(v)) ctx.fail(key, &node, "expected a finite number, got " + format_number(v));
  return v;
}

// What a system site may be: "an integer 0..n-1, an expression ... or \"A\" ...".
std::string site_forms(std::size_t nsites, bool ancilla) {
  return "an integer 0.." + std::to_string(nsites - 1) + (ancilla ? ", " : " or ") +
         "an expression over [params] with an integer value such as \"N-1\"" +
         (ancilla ? " or \"A\" for the ancilla" : "");
}

const LocalSpace& site_space(const Context& ctx, const toml::node& site, const std::string& key,
                             const Parameters& params, const SiteRules& rules, int& index) {
  const std::size_t nsites = rules.system ? rules.system->size() : 0;
  const std::string range =
      nsites ? "an integer 0.." + std::to_string(nsites - 1) : std::string("\"A\"");
  if (auto s = site.as_string()) {
    if (s->get() == "A" && rules.ancilla) {
      index = kAncillaSite;
      return *rules.ancilla;
    }
    if (s->get() == "A") {
      ctx.fail(key, &site,
               "site \"A\" (the ancilla) is only allowed in a species' hamiltonian and coupling; "
               "system sites are integers 0.." +
                   std::to_string(nsites - 1));
    }
    if (!nsites) ctx.fail(key, &site, "site \"" + s->get() + "\" is not valid: a site is " + range);
    // A site expression over [params] (a chain's last site "N-1").
    const std::string& expr = s->get();
    const std::string forms = site_forms(nsites, rules.ancilla != nullptr);
    const double v = evaluate_integer(ctx, site, key, expr, params, "site", "a site is " + forms);
    if (v < 0 || v >= static_cast<double>(nsites)) {
      ctx.fail(key, &site,
               "site \"" + expr + "\" = " + format_exact(v) + " is out of range: the system has " +
                   std::to_string(nsites) + " site" + (nsites == 1 ? "" : "s") + " (0.." +
                   std::to_string(nsites - 1) + ")");
    }
    index = static_cast<int>(v);
    return (*rules.system)[static_cast<std::size_t>(index)];
  }
  if (!site.is_integer()) {
    ctx.fail(key, &site,
             "a site is " + (nsites ? site_forms(nsites, rules.ancilla != nullptr) : range) +
                 ", got " + type_name(site));
  }
  const index_t i = site.as_integer()->get();
  if (!rules.system) {
    ctx.fail(key, &site,
             "the ancilla hamiltonian acts on the ancilla only: every site must be \"A\", got " +
                 std::to_string(i));
  }
  if (i < 0 || i >= static_cast<index_t>(nsites)) {
    ctx.fail(key, &site,
             "site " + std::to_string(i) + " is out of range: the system has " +
                 std::to_string(nsites) + " site" + (nsites == 1 ? "" : "s") + " (0.." +
                 std::to_string(nsites - 1) + ")");
  }
  index = static_cast<int>(i);
  return (*rules.system)[i];
}

}  // namespace

double read_real_value(const Context& ctx, const toml::node& node, const std::string& key,
                       const Parameters& params) {
  return real_part_value(ctx, node, key, params,
                         "expected a number or an expression string over [params]");
}

cplx read_coefficient(const Context& ctx, const toml::node& node, const std::string& key,
                      const Parameters& params) {
  if (auto pair = node.as_array()) {
    if (pair->size() != 2) {
      ctx.fail(key, &node,
               "a complex coefficient is a [re, im] pair, got an array of " +
                   std::to_string(pair->size()) + " entries");
    }
    const char* expected = "each entry of [re, im] must be a number or an expression string";
    return {real_part_value(ctx, *pair->get(0), key, params, expected),
            real_part_value(ctx, *pair->get(1), key, params, expected)};
  }
  const std::string expected = std::string(kCoefficientForms);
  return real_part_value(ctx, node, key, params, expected.c_str());
}

Term read_term(const Context& ctx, const toml::node& node, const std::string& key,
               const Parameters& params, const SiteRules& rules) {
  const auto* items = node.as_array();
  if (!items) {
    ctx.fail(key, &node,
             "a term is an array [coef, op, site, op, site, ...], got " + type_name(node));
  }
  if (items->size() < 3 || items->size() % 2 == 0) {
    ctx.fail(key, &node,
             "a term is [coef, op, site, op, site, ...] (a coefficient, then an operator name "
             "and a site for each factor), got " +
                 std::to_string(items->size()) + " entries");
  }
  Term term;
  term.coef = read_coefficient(ctx, *items->get(0), key, params);
  for (std::size_t k = 1; k < items->size(); k += 2) {
    const toml::node& op_node = *items->get(k);
    const toml::node& site_node = *items->get(k + 1);
    const auto* op = op_node.as_string();
    if (!op) {
      ctx.fail(key, &op_node,
               "entry " + std::to_string(k) +
                   " of the term must be an operator name (a string such as \"sx\"), got " +
                   type_name(op_node));
    }
    int site = 0;
    const LocalSpace& space = site_space(ctx, site_node, key, params, rules, site);
    if (!space.has_op(op->get())) {
      const std::string where =
          site == kAncillaSite ? "on the ancilla" : "on site " + std::to_string(site);
      try {
        space.op(op->get());
      } catch (const InputError& e) {
        ctx.fail(key, &op_node, where + ": " + e.what());
      }
    }
    term.factors.push_back({op->get(), site});
  }
  return term;
}

OpSum read_terms(Context& ctx, const toml::node& node, const std::string& key,
                 const Parameters& params, const SiteRules& rules) {
  const auto* list = node.as_array();
  if (!list) ctx.fail(key, &node, "expected an array of terms, got " + type_name(node));
  if (!list->empty() && !list->get(0)->is_array()) {
    ctx.fail(key, &node,
             "expected an array of terms such as [[\"g\", \"sx\", 0], [\"h\", \"sz\", 1]]; a "
             "single term still needs the outer brackets");
  }
  OpSum sum;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string term_key = key + "[" + std::to_string(i) + "]";
    ctx.record(term_key, list->get(i));
    sum.push_back(read_term(ctx, *list->get(i), term_key, params, rules));
  }
  return sum;
}

DenseMatrix read_matrix(const Context& ctx, const toml::node& node, const std::string& key,
                        const Parameters& params, index_t dim) {
  const std::string shape = std::to_string(dim) + " x " + std::to_string(dim);
  const auto* rows = node.as_array();
  if (!rows || static_cast<index_t>(rows->size()) != dim) {
    ctx.fail(key, &node,
             "expected a " + shape + " matrix (an array of " + std::to_string(dim) +
                 " rows, entries numbers or [re, im])");
  }
  DenseMatrix m(dim, dim);
  for (index_t i = 0; i < dim; ++i) {
    const auto* row = rows->get(i)->as_array();
    if (!row || static_cast<index_t>(row->size()) != dim) {
      ctx.fail(key, rows->get(i),
               "row " + std::to_string(i) + " of a " + shape + " matrix must be an array of " +
                   std::to_string(dim) + " entries");
    }
    for (index_t j = 0; j < dim; ++j) m(i, j) = read_coefficient(ctx, *row->get(j), key, params);
  }
  return m;
}

}  // namespace qcoll::deck_detail
