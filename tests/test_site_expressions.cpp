// System-size scans: site indices of hamiltonian, coupling and observable
// terms, and the xxz_chain's `sites`, are expressions over [params] like
// coefficients ("N-1" is the last site of a chain of sites = "N"). An
// expression that is not an integer, out of range or not evaluable is an
// input error naming the key, the expression, its value and the valid range;
// `[sweep] key = "params.N"` runs every chain length in one command, each
// point equal to a separate run with --set params.N=K.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "physics_support.hpp"
#include "qcoll/io/deck_points.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

// tests/decks/small_chain.toml: N = 3 spins, field and cold bath on "N-1".
std::string chain_text() {
  return read_text(source_path("tests/decks/small_chain.toml"));
}

Deck chain(const std::vector<Override>& overrides = {}, const std::string& extra = "") {
  return load_deck_from_string(chain_text() + extra, "small_chain.toml", overrides);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: '" << from << "' not in the deck";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The message of the InputError that loading `text` throws ("" and a failure if none).
std::string error_of(const std::string& text, const std::vector<Override>& overrides = {}) {
  try {
    load_deck_from_string(text, "bad.toml", overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no input error";
  return "";
}

void expect_mentions(const std::string& message, const std::vector<std::string>& phrases) {
  for (const std::string& p : phrases)
    EXPECT_NE(message.find(p), std::string::npos) << "'" << p << "' not in: " << message;
}

std::vector<int> sites_of(const Term& t) {
  std::vector<int> out;
  for (const Factor& f : t.factors) out.push_back(f.site);
  return out;
}

void expect_same_terms(const OpSum& a, const OpSum& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].coef, b[i].coef) << i;
    ASSERT_EQ(a[i].factors.size(), b[i].factors.size()) << i;
    for (size_t f = 0; f < a[i].factors.size(); ++f) {
      EXPECT_EQ(a[i].factors[f].op, b[i].factors[f].op) << i;
      EXPECT_EQ(a[i].factors[f].site, b[i].factors[f].site) << i;
    }
  }
}

// Runs `task` on every point of `deck` into a new shared file; its path.
std::string run_points(const std::string& task, const Deck& deck, const std::string& stem) {
  const std::string path = shared_temp_path(stem);
  Hdf5File f(path, MPI_COMM_WORLD);
  RunContext ctx;
  ctx.output_path = path;
  EXPECT_EQ(RunTask(MPI_COMM_WORLD, task, DeckPoints(deck), f, ctx), 0);
  return path;
}

void remove_shared(const std::string& path) {
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) std::remove(path.c_str());
}

const std::string kPresetSites = "name = \"xxz_chain\", sites = \"N\"";
const std::string kLengthSweep = "[sweep]\nkey = \"params.N\"\nvalues = [2, 3, 4]\n";

}  // namespace

// The deck with "N-1", "N-2" and sites = "N" is, at every N, the deck with
// those numbers written out.
TEST(SiteExpressions, ChainDeckEqualsItsIntegerSpelling) {
  for (int n = 2; n <= 5; ++n) {
    SCOPED_TRACE("N = " + std::to_string(n));
    const Deck d = chain({{"params.N", std::to_string(n)}});
    ASSERT_EQ(d.model.sites.size(), static_cast<size_t>(n));
    EXPECT_EQ(d.model.dimension(), index_t{1} << n);
    EXPECT_EQ(sites_of(d.model.hamiltonian.back()), std::vector<int>{n - 1});
    EXPECT_EQ(sites_of(d.model.species[1].coupling[0]), (std::vector<int>{n - 1, kAncillaSite}));
    EXPECT_EQ(sites_of(d.model.observables[1].terms[1]), (std::vector<int>{n - 2, n - 1}));
    std::string text = chain_text();
    text = replaced(text, kPresetSites, "name = \"xxz_chain\", sites = " + std::to_string(n));
    for (std::size_t at; (at = text.find("\"N-1\"")) != std::string::npos;)
      text.replace(at, 5, std::to_string(n - 1));
    for (std::size_t at; (at = text.find("\"N-2\"")) != std::string::npos;)
      text.replace(at, 5, std::to_string(n - 2));
    const Deck plain = load_deck_from_string(text, "plain.toml", {{"params.N", "0"}});
    expect_same_terms(d.model.hamiltonian, plain.model.hamiltonian);
    for (size_t s = 0; s < 2; ++s)
      expect_same_terms(d.model.species[s].coupling, plain.model.species[s].coupling);
    for (size_t o = 0; o < 2; ++o)
      expect_same_terms(d.model.observables[o].terms, plain.model.observables[o].terms);
  }
}

// Any expression of coefficients works; values within 1e-9 of an integer count
// as that integer (round-off of "0.1*3*10"), farther ones do not.
TEST(SiteExpressions, ExpressionsAreEvaluatedLikeCoefficients) {
  const std::string field = "hamiltonian = [[0.2, \"sz\", \"N-1\"]]";
  const std::vector<std::pair<std::string, int>> cases{
      {"N - 1", 2}, {"min(N, 9) - 2", 1}, {"rint(N/2)", 2}, {"0.1*3*10 - 1", 2}, {"N*g/g - 3", 0}};
  for (const auto& [expr, site] : cases) {
    SCOPED_TRACE(expr);
    const Deck d = load_deck_from_string(
        replaced(chain_text(), field, "hamiltonian = [[0.2, \"sz\", \"" + expr + "\"]]"),
        "small_chain.toml");
    EXPECT_EQ(sites_of(d.model.hamiltonian.back()), std::vector<int>{site});
  }
  EXPECT_EQ(chain({{"params.N", "4.0000000001"}}).model.sites.size(), 4u);
  const std::string far = error_of(chain_text(), {{"params.N", "4.00000001"}});
  expect_mentions(
      far, {"key system.model.sites", "\"N\" evaluates to 4.00000001", "not an integer", "2..30"});
  // Plain integers keep their messages.
  expect_mentions(
      error_of(replaced(chain_text(), "\"sz\", \"N-1\"", "\"sz\", 3")),
      {"key system.hamiltonian[0]", "site 3 is out of range: the system has 3 sites (0..2)"});
}

// Each bad expression: the key, the expression, its value and the valid range.
TEST(SiteExpressions, BadExpressionsNameKeyExpressionValueAndRange) {
  struct Case {
    const char* name;
    std::string text;
    std::vector<std::string> phrases;
  };
  const std::string text = chain_text();
  const std::vector<Case> cases{
      {"non-integer site",
       replaced(text, "\"sz\", \"N-1\"", "\"sz\", \"N/2\""),
       {"key system.hamiltonian[0]", "\"N/2\"", "evaluates to 1.5", "not an integer", "0..2"}},
      {"site out of range",
       replaced(text, "[\"g\", \"sp\", \"N-1\"", "[\"g\", \"sp\", \"N\""),
       {"key species.cold.coupling[0]", "site \"N\" = 3 is out of range",
        "the system has 3 sites (0..2)"}},
      {"negative site",
       replaced(text, "[\"g\", \"sm\", \"N-1\"", "[\"g\", \"sm\", \"N-4\""),
       {"key species.cold.coupling[1]", "site \"N-4\" = -1 is out of range", "(0..2)"}},
      {"unknown parameter",
       replaced(text, "[[1.0, \"sz\", \"N-1\"]]", "[[1.0, \"sz\", \"M-1\"]]"),
       {"key evolve.observables[0].terms[0]", "\"M-1\"", "unknown name 'M'", "0..2"}},
      {"expression syntax",
       replaced(text, "[-2.0, \"sy\", \"N-2\"", "[-2.0, \"sy\", \"N-*2\""),
       {"key evolve.observables[1].terms[1]", "\"N-*2\"", "0..2"}},
      {"non-integer chain length",
       replaced(text, kPresetSites, "name = \"xxz_chain\", sites = \"N/2\""),
       {"key system.model.sites", "\"N/2\"", "evaluates to 1.5", "not an integer", "2..30"}},
      {"chain too short",
       replaced(text, kPresetSites, "name = \"xxz_chain\", sites = \"N-2\""),
       {"key system.model.sites", "2..30 spins", "got \"N-2\" = 1"}},
      {"chain length unknown parameter",
       replaced(text, kPresetSites, "name = \"xxz_chain\", sites = \"L\""),
       {"key system.model.sites", "\"L\"", "unknown name 'L'"}},
      {"expression in the ancilla hamiltonian",
       replaced(text, "[[0.5, \"sz\", \"A\"]]", "[[0.5, \"sz\", \"N-1\"]]"),
       {"key species.hot.hamiltonian[0]", "site \"N-1\" is not valid: a site is \"A\""}},
      {"ancilla site in H_S",
       replaced(text, "[[0.2, \"sz\", \"N-1\"]]", "[[0.2, \"sz\", \"A\"]]"),
       {"key system.hamiltonian[0]", "only allowed in a species"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_mentions(error_of(c.text), c.phrases);
  }
  // A line of the file is named for expressions as for numbers.
  const std::string bad = replaced(text, "\"sz\", \"N-1\"", "\"sz\", \"N/2\"");
  try {
    load_deck_from_string(bad, "bad.toml");
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 10) << e.what();
  }
}

// [sweep] key = "params.N" is accepted and every point is validated before
// anything runs; the largest point is found for the memory check.
TEST(SiteExpressions, LengthSweepValidatesEveryPoint) {
  const Deck deck = chain({}, "[sweep]\nkey = \"params.N\"\nvalues = [3, 4, 2]\n");
  ASSERT_TRUE(deck.sweep);
  EXPECT_EQ(deck.sweep->key, "params.N");
  EXPECT_EQ(check_sweep_points(deck, std::nullopt), 1u);  // N = 4
  EXPECT_EQ(check_sweep_points(deck, 2), 2u);
  EXPECT_FALSE(DeckPoints(deck).only_lambdas_change());
  const std::vector<std::pair<std::string, std::vector<std::string>>> bad{
      {"[2, 2.5]", {"point 1 (params.N = 2.5)", "system.model.sites", "not an integer"}},
      {"[2, 31]", {"point 1 (params.N = 31)", "got \"N\" = 31"}},
      {"[1, 2]", {"point 0 (params.N = 1)", "got \"N\" = 1"}},
  };
  for (const auto& [values, phrases] : bad) {
    SCOPED_TRACE(values);
    const Deck d = chain({}, "[sweep]\nkey = \"params.N\"\nvalues = " + values + "\n");
    try {
      check_sweep_points(d, std::nullopt);
      ADD_FAILURE() << "no input error";
    } catch (const InputError& e) {
      EXPECT_EQ(e.key(), "sweep.values");
      expect_mentions(e.what(), phrases);
    }
  }
}

// The steady state of every chain length in one sweep equals a separate run
// with --set params.N=K: energy and <sz> on the last site "N-1" to 1e-12,
// each point's rho of its own size 2^K x 2^K, tables one entry per length.
TEST(SiteExpressions, LengthSweepPointsEqualSeparateRuns) {
  const Deck deck = chain({}, kLengthSweep);
  const std::string sweep_path = run_points("steady", deck, "length_sweep");
  Hdf5File sweep(sweep_path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  EXPECT_EQ(sweep.read_real("/sweep/values"), (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(sweep.shape("/sweep/energy"), std::vector<hsize_t>{3});
  EXPECT_EQ(sweep.shape("/sweep/observables/sz_last"), std::vector<hsize_t>{3});
  EXPECT_EQ(sweep.shape("/sweep/heat_incoherent"), (std::vector<hsize_t>{3, 2}));
  EXPECT_EQ(sweep.shape("/sweep/eigenvalues"), (std::vector<hsize_t>{3, 3}));
  const std::vector<double> energies = sweep.read_real("/sweep/energy");
  const std::vector<cplx> last = sweep.read_complex("/sweep/observables/sz_last");
  for (int k = 0; k < 3; ++k) {
    const int n = k + 2;
    SCOPED_TRACE("N = " + std::to_string(n));
    const std::string g = "/sweep/" + std::to_string(k);
    EXPECT_EQ(sweep.read_int_attribute(g, "complete"), 1);
    EXPECT_EQ(sweep.read_string_attribute(g, "override"), "params.N=" + std::to_string(n));
    EXPECT_EQ(sweep.shape(g + "/rho"), std::vector<hsize_t>{hsize_t{1} << (2 * n)});
    const Deck single = chain({{"params.N", std::to_string(n)}});
    ASSERT_FALSE(single.sweep);
    const std::string path = run_points("steady", single, "length_single");
    {
      Hdf5File one(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
      const double e = one.read_real("/steady/energy").at(0);
      const cplx sz = one.read_complex("/steady/observables/sz_last").at(0);
      EXPECT_NEAR(sweep.read_real(g + "/energy").at(0), e, 1e-12);
      EXPECT_NEAR(energies[k], e, 1e-12);
      EXPECT_LT(std::abs(sweep.read_complex(g + "/observables/sz_last").at(0) - sz), 1e-12);
      EXPECT_LT(std::abs(last[k] - sz), 1e-12);
      EXPECT_GT(std::abs(sz), 0.1);  // a magnetised last spin, not a default zero
    }
    remove_shared(path);
  }
  // The length changes the physics: the points differ.
  EXPECT_GT(std::abs(energies[0] - energies[2]), 1e-3);
  sweep.close();
  remove_shared(sweep_path);
}

// Spectrum and evolve sweeps over the chain length write well-formed tables.
TEST(SiteExpressions, LengthSweepTablesOfSpectrumAndEvolve) {
  const Deck deck = chain({}, kLengthSweep);
  {
    const std::string path = run_points("spectrum", deck, "length_spectrum");
    Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
    EXPECT_EQ(f.shape("/sweep/gap"), std::vector<hsize_t>{3});
    EXPECT_EQ(f.shape("/sweep/eigenvalues"), (std::vector<hsize_t>{3, 3}));
    const std::vector<double> gap = f.read_real("/sweep/gap");
    for (double x : gap) EXPECT_GT(x, 0.0);
    EXPECT_GT(gap[0], gap[2]);  // relaxation slows down in a longer chain
    f.close();
    remove_shared(path);
  }
  const std::string path = run_points("evolve", deck, "length_evolve");
  Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  EXPECT_EQ(f.shape("/sweep/energy"), std::vector<hsize_t>{3});
  EXPECT_EQ(f.shape("/sweep/t_final"), std::vector<hsize_t>{3});
  EXPECT_EQ(f.shape("/sweep/observables/current_last"), std::vector<hsize_t>{3});
  const std::vector<cplx> last = f.read_complex("/sweep/observables/sz_last");
  for (int k = 0; k < 3; ++k) {
    const std::string g = "/sweep/" + std::to_string(k);
    EXPECT_EQ(f.shape(g + "/rho_final"), std::vector<hsize_t>{hsize_t{1} << (2 * (k + 2))});
    EXPECT_EQ(f.read_complex(g + "/observables/sz_last").back(), last[k]);
  }
  f.close();
  remove_shared(path);
}

// The example deck checks at every length.
TEST(SiteExpressions, ExampleDeckChecks) {
  const Deck deck = load_deck(source_path("inputs/chain_length_scan.toml"));
  ASSERT_TRUE(deck.sweep);
  EXPECT_EQ(deck.sweep->key, "params.N");
  EXPECT_EQ(check_sweep_points(deck, std::nullopt), deck.sweep->values.size() - 1);
}
