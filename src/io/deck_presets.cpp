// Model presets for [system] model = { name = ..., ... }.
#include "deck_model.hpp"
#include "deck_schema.hpp"
#include "deck_values.hpp"

namespace qcoll::deck_detail {

namespace {

// Spin-1/2 XXZ chain with open ends, Pauli matrices:
//   H = J sum_{i=0}^{N-2} (sx_i sx_{i+1} + sy_i sy_{i+1} + Delta sz_i sz_{i+1}) + (h/2) sum_i sz_i
void xxz_chain(index_t n, double j, double delta, double h, OpSum& terms) {
  auto add = [&terms](double coef, std::vector<Factor> factors) {
    if (coef != 0.0) terms.push_back(Term{cplx(coef, 0.0), std::move(factors)});
  };
  for (int i = 0; i + 1 < n; ++i) {
    add(j, {{"sx", i}, {"sx", i + 1}});
    add(j, {{"sy", i}, {"sy", i + 1}});
    add(j * delta, {{"sz", i}, {"sz", i + 1}});
  }
  for (int i = 0; i < n; ++i) add(h / 2.0, {{"sz", i}});
}

}  // namespace

void read_model_preset(Context& ctx, const toml::node& node, const std::string& key,
                       const Parameters& params, std::vector<LocalSpace>& sites, OpSum& terms) {
  const toml::table& table = read_table(ctx, node, key);
  TableReader reader(ctx, table, key, kModelKeys);
  if (!reader.has("name")) reader.missing("name", "the preset's name: \"xxz_chain\"");
  const std::string name = reader.choice("name", "", {"xxz_chain"});
  if (!reader.has("sites"))
    reader.missing("sites",
                   "the number of spins of the chain (>= 2), or an expression such as \"N\"");
  const char* spins = "the xxz_chain needs 2..30 spins (dimension 2^N <= 2^30)";
  index_t n = 0;
  if (const auto* expr = reader.find("sites")->as_string()) {
    // The chain length as an expression over [params] ("N"): a length scan.
    const std::string expected =
        "sites is the number of spins, 2..30: an integer or an expression over [params] with "
        "an integer value such as \"N\"";
    const double v = evaluate_integer(ctx, *reader.find("sites"), reader.key_of("sites"),
                                      expr->get(), params, "number of spins", expected);
    if (v < 2 || v > 30) {
      reader.fail("sites",
                  std::string(spins) + ", got \"" + expr->get() + "\" = " + format_exact(v));
    }
    n = static_cast<index_t>(v);
  } else {
    n = *reader.integer("sites");
    if (n < 2 || n > 30) {
      reader.fail("sites", std::string(spins) + ", got " + std::to_string(n));
    }
  }
  auto real = [&](std::string_view k, double fallback) {
    const toml::node* v = reader.find(k);
    return v ? read_real_value(ctx, *v, reader.key_of(k), params) : fallback;
  };
  const double j = real("J", 1.0), delta = real("Delta", 1.0), h = real("h", 0.0);
  sites.assign(static_cast<std::size_t>(n), LocalSpace::parse("spin1/2"));
  xxz_chain(n, j, delta, h, terms);
}

}  // namespace qcoll::deck_detail
