// The input deck: example decks load, --set overrides, TOML round trip, and
// one-paragraph errors naming the key and the line for bad decks.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "qcoll/io/deck.hpp"
#include "test_support.hpp"

namespace {

using qcoll::cplx;
using qcoll::Deck;
using qcoll::InputError;
using qcoll::load_deck;
using qcoll::load_deck_from_string;
using qcoll::Override;

// A small valid deck; the bad decks below are edits of it.
const std::string kBase = R"(title = "test deck"
[params]
Omega = 1.0
g = 0.5

[system]
sites = ["spin1/2"]
hamiltonian = [["Omega/2", "sz", 0]]

[[species]]
name = "bath"
ancilla = "spin1/2"
hamiltonian = [["Omega/2", "sz", "A"]]
beta = 1.0
coupling = [["g", "sp", 0, "sm", "A"], ["g", "sm", 0, "sp", "A"]]
lambda = 0.2
chi = "sx"

[run]
task = "evolve"

[evolve]
t_final = 20.0
dt_output = 0.1
observables = [{ name = "sx", terms = [[1.0, "sx", 0]] }]
)";

std::string replaced(const std::string& text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: '" << from << "' not in the deck";
  std::string out = text;
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

// 1-based line of the n-th (1-based) occurrence of `needle`.
int line_of(const std::string& text, const std::string& needle, int occurrence = 1) {
  std::size_t at = std::string::npos;
  for (int k = 0; k < occurrence; ++k) at = text.find(needle, at == std::string::npos ? 0 : at + 1);
  EXPECT_NE(at, std::string::npos) << "test bug: '" << needle << "' not in the deck";
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

// Loads `text`, expects an InputError whose message names the file, `key` and
// `line`, and returns the message.
std::string expect_error(const std::string& text, const std::string& key, int line,
                         const std::vector<Override>& overrides = {}) {
  try {
    load_deck_from_string(text, "bad.toml", overrides);
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("bad.toml", 0), 0u) << msg;
    if (!key.empty()) EXPECT_NE(msg.find("key " + key), std::string::npos) << msg;
    if (line != 0) EXPECT_EQ(e.line(), line) << msg;
    if (line > 0) {
      const std::string at = "line " + std::to_string(line);
      EXPECT_TRUE(msg.find(at + ",") != std::string::npos ||
                  msg.find(at + ":") != std::string::npos)
          << msg;
    }
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one paragraph: " << msg;
    EXPECT_EQ(e.key(), key) << msg;
    return msg;
  }
  ADD_FAILURE() << "no InputError for key " << key;
  return "";
}

std::vector<std::string> example_decks() {
  std::vector<std::string> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(qcoll::testing::source_path("inputs"))) {
    if (entry.path().extension() == ".toml") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Deck, EveryExampleDeckLoads) {
  const auto paths = example_decks();
  ASSERT_GE(paths.size(), 4u);
  for (const auto& path : paths) {
    SCOPED_TRACE(path);
    EXPECT_NO_THROW({
      const Deck deck = load_deck(path);
      EXPECT_FALSE(deck.title.empty());
      EXPECT_FALSE(deck.model.species.empty());
    });
  }
}

TEST(Deck, QubitExampleIsThePapersModel) {
  const Deck deck = load_deck(qcoll::testing::source_path("inputs/qubit.toml"));
  ASSERT_EQ(deck.model.sites.size(), 1u);
  EXPECT_EQ(deck.model.sites[0].label(), "spin1/2");
  ASSERT_EQ(deck.model.hamiltonian.size(), 1u);
  EXPECT_DOUBLE_EQ(deck.model.hamiltonian[0].coef.real(), 0.5);
  ASSERT_EQ(deck.model.species.size(), 1u);
  const qcoll::Species& s = deck.model.species[0];
  EXPECT_EQ(s.name, "bath");
  EXPECT_DOUBLE_EQ(s.beta, 1.0);
  EXPECT_DOUBLE_EQ(s.lambda, 0.2);
  EXPECT_EQ(s.chi(0, 1), cplx(1.0));
  EXPECT_EQ(s.chi(1, 0), cplx(1.0));
  EXPECT_EQ(s.chi(0, 0), cplx(0.0));
  EXPECT_EQ(s.hamiltonian(0, 0), cplx(0.5));
  EXPECT_EQ(s.hamiltonian(1, 1), cplx(-0.5));
  ASSERT_EQ(s.coupling.size(), 2u);
  EXPECT_DOUBLE_EQ(s.coupling[0].coef.real(), 0.5);
  EXPECT_EQ(s.coupling[0].factors[1].site, qcoll::kAncillaSite);
  EXPECT_EQ(deck.model.initial.kind, qcoll::InitialState::Kind::Ground);
  EXPECT_EQ(deck.run.task, "evolve");
  EXPECT_DOUBLE_EQ(deck.evolve.t_final, 20.0);
  EXPECT_DOUBLE_EQ(deck.evolve.dt_output, 0.1);
  ASSERT_EQ(deck.model.observables.size(), 3u);
  EXPECT_EQ(deck.model.observables[2].name, "sz");
  EXPECT_EQ(deck.steady.method, "auto");
  EXPECT_TRUE(deck.steady.gap);
  EXPECT_EQ(deck.collide.tau, (std::vector<double>{0.1, 0.05, 0.025, 0.0125}));
  EXPECT_DOUBLE_EQ(deck.collide.t_final, 10.0);
  EXPECT_DOUBLE_EQ(deck.checkpoint.every_seconds, 600.0);
  // key_lines point at the file's lines.
  const std::string text = file_text(deck.path);
  EXPECT_EQ(deck.key_lines.at("species.bath.chi"), line_of(text, "chi = \"sx\""));
  EXPECT_EQ(deck.key_lines.at("system.hamiltonian[0]"),
            line_of(text, "[[\"Omega/2\", \"sz\", 0]]"));
}

TEST(Deck, XxzPresetHasTheDocumentedSpectrum) {
  // N = 2, J = 1, Delta = 0.5, h = 1: |uu> Delta + h, |dd> Delta - h,
  // triplet 2 - Delta, singlet -2 - Delta.
  const std::string text = replaced(
      replaced(
          kBase, "sites = [\"spin1/2\"]",
          "model = { name = \"xxz_chain\", sites = 2, J = 1.0, Delta = 0.5, h = \"2*Omega/2\" }"),
      "hamiltonian = [[\"Omega/2\", \"sz\", 0]]\n", "");
  const Deck deck = load_deck_from_string(text, "xxz.toml");
  ASSERT_EQ(deck.model.sites.size(), 2u);
  const auto h = qcoll::build_operator(deck.model.sites, deck.model.hamiltonian).to_dense();
  const auto e = qcoll::eigvalsh(h);
  const std::vector<double> expected{-2.5, -0.5, 1.5, 1.5};
  ASSERT_EQ(e.size(), expected.size());
  for (std::size_t k = 0; k < e.size(); ++k) EXPECT_NEAR(e[k], expected[k], 1e-12);

  const Deck chain = load_deck(qcoll::testing::source_path("inputs/xxz_chain.toml"));
  EXPECT_EQ(chain.model.dimension(), 64);
  EXPECT_EQ(chain.model.hamiltonian.size(), 5u * 3u + 6u);
}

TEST(Deck, HermiticityCheckAboveTheExactLimit) {
  // d = 2^17: H_S and V are checked per group of terms on the same sites.
  const std::vector<Override> chain{{"system.model", "{ name = \"xxz_chain\", sites = 17 }"},
                                    {"system.hamiltonian", "[[0.3, \"sx\", 16]]"}};
  std::string text = replaced(kBase, "sites = [\"spin1/2\"]\n", "");
  const Deck deck = load_deck_from_string(text, "big.toml", chain);
  EXPECT_EQ(deck.model.dimension(), qcoll::index_t{1} << 17);
  std::vector<Override> bad = chain;
  bad.push_back({"system.hamiltonian", "[[[0, 1], \"sx\", 16, \"sz\", 3]]"});
  const std::string msg = expect_error(text, "system.hamiltonian", qcoll::kSetOnCommandLine, bad);
  EXPECT_NE(msg.find("must be Hermitian"), std::string::npos) << msg;
}

TEST(Deck, OverridesApplyBeforeValidation) {
  const Deck deck = load_deck_from_string(kBase, "base.toml",
                                          {{"params.g", "0.7"},
                                           {"species.bath.lambda", "0.5"},
                                           {"evolve.t_final", "100"},
                                           {"run.task", "steady"},
                                           {"steady.nev", "3"}});
  EXPECT_DOUBLE_EQ(deck.params.at("g"), 0.7);
  EXPECT_DOUBLE_EQ(deck.model.species[0].coupling[0].coef.real(), 0.7);
  EXPECT_DOUBLE_EQ(deck.model.species[0].lambda, 0.5);
  EXPECT_DOUBLE_EQ(deck.evolve.t_final, 100.0);
  EXPECT_EQ(deck.run.task, "steady");
  EXPECT_EQ(deck.steady.nev, 3);
  EXPECT_EQ(deck.key_lines.at("species.bath.lambda"), qcoll::kSetOnCommandLine);
  EXPECT_EQ(deck.key_lines.at("species.bath.chi"), line_of(kBase, "chi ="));
  // The stored TOML is the deck after the overrides.
  const Deck again = load_deck_from_string(deck.toml, "again.toml");
  EXPECT_DOUBLE_EQ(again.model.species[0].lambda, 0.5);
  EXPECT_DOUBLE_EQ(again.params.at("g"), 0.7);
  EXPECT_EQ(again.run.task, "steady");
}

TEST(Deck, ParseOverride) {
  const Override o = qcoll::parse_override("species.hot.lambda=0.2");
  EXPECT_EQ(o.key, "species.hot.lambda");
  EXPECT_EQ(o.value, "0.2");
  EXPECT_EQ(qcoll::parse_override("run.output=a=b.h5").value, "a=b.h5");
  EXPECT_THROW(qcoll::parse_override("evolve.t_final"), InputError);
  EXPECT_THROW(qcoll::parse_override("=3"), InputError);
}

TEST(Deck, OverrideErrors) {
  std::string msg = expect_error(kBase, "species.cold.lambda", qcoll::kSetOnCommandLine,
                                 {{"species.cold.lambda", "0.1"}});
  EXPECT_NE(msg.find("no species named \"cold\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("bath"), std::string::npos) << msg;
  msg = expect_error(kBase, "species.bath.beta", qcoll::kSetOnCommandLine,
                     {{"species.bath.beta", "-2"}});
  EXPECT_NE(msg.find("set on the command line with --set"), std::string::npos) << msg;
  msg =
      expect_error(kBase, "evolve.t_final", qcoll::kSetOnCommandLine, {{"evolve.t_final", "long"}});
  EXPECT_NE(msg.find("expected a number, got a string"), std::string::npos) << msg;
  expect_error(kBase, "title.x", qcoll::kSetOnCommandLine, {{"title.x", "1"}});
}

TEST(Deck, TomlRoundTrip) {
  for (const auto& path : example_decks()) {
    SCOPED_TRACE(path);
    const Deck a = load_deck(path);
    const Deck b = load_deck_from_string(a.toml, "roundtrip.toml");
    EXPECT_EQ(a.title, b.title);
    EXPECT_EQ(a.params, b.params);
    EXPECT_EQ(a.model.dimension(), b.model.dimension());
    ASSERT_EQ(a.model.hamiltonian.size(), b.model.hamiltonian.size());
    for (std::size_t k = 0; k < a.model.hamiltonian.size(); ++k) {
      EXPECT_EQ(a.model.hamiltonian[k].coef, b.model.hamiltonian[k].coef);
      EXPECT_EQ(a.model.hamiltonian[k].factors.size(), b.model.hamiltonian[k].factors.size());
    }
    ASSERT_EQ(a.model.species.size(), b.model.species.size());
    for (std::size_t j = 0; j < a.model.species.size(); ++j) {
      const auto &sa = a.model.species[j], &sb = b.model.species[j];
      EXPECT_EQ(sa.name, sb.name);
      EXPECT_EQ(sa.beta, sb.beta);
      EXPECT_EQ(sa.lambda, sb.lambda);
      EXPECT_EQ((sa.chi - sb.chi).max_abs(), 0.0);
      EXPECT_EQ((sa.hamiltonian - sb.hamiltonian).max_abs(), 0.0);
      EXPECT_EQ(sa.coupling.size(), sb.coupling.size());
    }
    EXPECT_EQ(a.model.initial.kind, b.model.initial.kind);
    EXPECT_EQ(a.model.observables.size(), b.model.observables.size());
    EXPECT_EQ(a.run.task, b.run.task);
    EXPECT_EQ(a.run.output, b.run.output);
    EXPECT_EQ(a.evolve.t_final, b.evolve.t_final);
    EXPECT_EQ(a.evolve.dt_output, b.evolve.dt_output);
    EXPECT_EQ(a.steady.gap, b.steady.gap);
    EXPECT_EQ(a.collide.tau, b.collide.tau);
    EXPECT_EQ(b.toml, load_deck_from_string(b.toml, "again.toml").toml);
  }
}

TEST(Deck, Temperatures) {
  auto beta_of = [](const std::string& line) {
    return load_deck_from_string(replaced(kBase, "beta = 1.0", line), "t.toml")
        .model.species[0]
        .beta;
  };
  EXPECT_EQ(beta_of("beta = inf"), qcoll::kInfinity);
  EXPECT_EQ(beta_of("beta = 0"), 0.0);
  EXPECT_EQ(beta_of("temperature = 0.0"), qcoll::kInfinity);
  EXPECT_EQ(beta_of("temperature = inf"), 0.0);
  EXPECT_DOUBLE_EQ(beta_of("temperature = 4"), 0.25);
  const std::string both = replaced(kBase, "beta = 1.0", "beta = 1.0\ntemperature = 1.0");
  expect_error(both, "species.bath.temperature", line_of(both, "temperature"));
}

TEST(Deck, InitialStates) {
  auto initial = [](const std::string& table) {
    return load_deck_from_string(kBase + "[initial]\n" + table, "i.toml").model.initial;
  };
  EXPECT_EQ(initial("state = \"thermal\"\ntemperature = 0.5\n").beta, 2.0);
  EXPECT_EQ(initial("state = \"basis\"\nindex = 1\n").index, 1);
  EXPECT_EQ(initial("state = \"product\"\nproduct = [1]\n").product,
            (std::vector<qcoll::index_t>{1}));
  const std::string bad = kBase + "[initial]\nstate = \"basis\"\nindex = 2\n";
  expect_error(bad, "initial.index", line_of(bad, "index = 2"));
  const std::string misplaced = kBase + "[initial]\nstate = \"ground\"\nindex = 0\n";
  expect_error(misplaced, "initial.index", line_of(misplaced, "index = 0"));
}

TEST(Deck, SweepAndWithOverride) {
  const std::string text =
      kBase + "[sweep]\nkey = \"species.bath.lambda\"\nstart = 0.0\nstop = 0.4\ncount = 5\n";
  const Deck deck = load_deck_from_string(text, "sweep.toml", {{"params.g", "0.3"}});
  ASSERT_TRUE(deck.sweep);
  EXPECT_EQ(deck.sweep->values.size(), 5u);
  EXPECT_DOUBLE_EQ(deck.sweep->values[1], 0.1);
  EXPECT_EQ(deck.sweep->values[4], 0.4);
  const Override point = qcoll::sweep_override(*deck.sweep, 1);
  EXPECT_EQ(point.key, "species.bath.lambda");
  EXPECT_EQ(point.value, "0.1");
  EXPECT_EQ(qcoll::sweep_override(*deck.sweep, 0).value, "0");
  const Deck moved = qcoll::with_override(deck, point);
  EXPECT_DOUBLE_EQ(moved.model.species[0].lambda, 0.1);
  EXPECT_DOUBLE_EQ(moved.params.at("g"), 0.3);  // earlier overrides kept
  const std::string bad = kBase + "[sweep]\nkey = \"species.bath.lamda\"\nvalues = [0.1]\n";
  expect_error(bad, "sweep.key", line_of(bad, "key = "));
  const std::string other = kBase + "[sweep]\nkey = \"species.hot.lambda\"\nvalues = [0.1]\n";
  expect_error(other, "sweep.key", line_of(other, "key = "));
}

TEST(Deck, FormatInputErrorFillsTheLine) {
  const Deck deck = load_deck(qcoll::testing::source_path("inputs/qubit.toml"));
  const int line = line_of(file_text(deck.path), "lambda = 0.2");
  for (const std::string key : {"species.bath.lambda", "species[bath].lambda"}) {
    const std::string msg =
        qcoll::format_input_error(InputError("rho_A is not positive", key), &deck);
    EXPECT_EQ(msg, deck.path + ", line " + std::to_string(line) + ", key " + key +
                       ": rho_A is not positive");
  }
  // A nested key falls back to its nearest recorded parent.
  const std::string nested =
      qcoll::format_input_error(InputError("bad", "species.bath.coupling[7]"), &deck);
  EXPECT_NE(nested.find("line " + std::to_string(line_of(file_text(deck.path), "coupling ="))),
            std::string::npos)
      << nested;
  // Errors from the loader are already complete.
  try {
    load_deck_from_string(replaced(kBase, "lambda", "lamda"), "bad.toml");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(qcoll::format_input_error(e, nullptr), std::string(e.what()));
  }
  EXPECT_EQ(qcoll::format_input_error(InputError("no deck"), nullptr), "no deck");
}

// Each bad deck: the edit, the key the message must name, the text on the
// offending line, and a phrase the message must contain.
struct BadDeck {
  const char* name;
  std::string text;
  std::string key;
  std::string line_text;
  std::string phrase;
};

std::vector<BadDeck> bad_decks() {
  const std::string dup =
      kBase + "\n[[species]]\nname = \"bath\"\nancilla = \"spin1/2\"\nhamiltonian = []\n";
  return {
      {"unknown operator", replaced(kBase, "\"sz\", 0]", "\"sq\", 0]"), "system.hamiltonian[0]",
       "\"sq\"", "unknown operator 'sq'"},
      {"site out of range", replaced(kBase, "\"sz\", 0]", "\"sz\", 3]"), "system.hamiltonian[0]",
       "\"sz\", 3]", "out of range"},
      {"expression syntax", replaced(kBase, "\"Omega/2\", \"sz\", 0", "\"Omega/*2\", \"sz\", 0"),
       "system.hamiltonian[0]", "Omega/*2", "Omega/*2"},
      {"undefined parameter", replaced(kBase, "\"g\", \"sp\", 0", "\"gg\", \"sp\", 0"),
       "species.bath.coupling[0]", "\"gg\"", "gg"},
      {"chi with a diagonal", replaced(kBase, "chi = \"sx\"", "chi = [[0.3, 1], [1, -0.3]]"),
       "species.bath.chi", "chi =", "<1|chi|1> = -0.3"},
      {"negative temperature", replaced(kBase, "beta = 1.0", "temperature = -1.0"),
       "species.bath.temperature", "temperature", "must be >= 0"},
      {"string for beta", replaced(kBase, "beta = 1.0", "beta = \"hot\""), "species.bath.beta",
       "beta =", "expected a number, got a string"},
      {"missing system.sites", replaced(kBase, "sites = [\"spin1/2\"]\n", ""), "system.sites",
       "[system]", "missing required key 'sites'"},
      {"missing coupling",
       replaced(
           kBase,
           "coupling = [[\"g\", \"sp\", 0, \"sm\", \"A\"], [\"g\", \"sm\", 0, \"sp\", \"A\"]]\n",
           ""),
       "species.bath.coupling", "[[species]]", "missing required key 'coupling'"},
      {"non-Hermitian H_S",
       replaced(kBase, "[[\"Omega/2\", \"sz\", 0]]",
                "[[\"Omega/2\", \"sz\", 0], [[0, 1], \"sx\", 0]]"),
       "system.hamiltonian", "[[0, 1], \"sx\"", "must be Hermitian"},
      {"non-Hermitian chi", replaced(kBase, "chi = \"sx\"", "chi = [[0, 1], [0, 0]]"),
       "species.bath.chi", "chi =", "chi must be Hermitian"},
      {"typo lamda", replaced(kBase, "lambda = 0.2", "lamda = 0.2"), "species.bath.lamda", "lamda",
       "did you mean 'lambda'"},
      {"TOML syntax", replaced(kBase, "t_final = 20.0", "t_final = = 20.0"), "",
       "t_final = =", "TOML syntax error"},
      {"bad site label", replaced(kBase, "[\"spin1/2\"]", "[\"spin1/3\"]"), "system.sites[0]",
       "spin1/3", "spin1/3"},
      {"duplicate species", dup, "species.bath.name", "", "duplicate species name"},
      {"NaN", replaced(kBase, "lambda = 0.2", "lambda = nan"), "species.bath.lambda",
       "lambda = nan", "nan"},
      {"huge system",
       replaced(kBase, "[\"spin1/2\"]",
                "[\"boson1000\", \"boson1000\", \"boson1000\", \"boson1000\"]"),
       "system.sites", "sites =", "exceeds the limit"},
      {"huge ancilla", replaced(kBase, "ancilla = \"spin1/2\"", "ancilla = \"qudit100\""),
       "species.bath.ancilla", "qudit100", "exceeds the limit of 64"},
      {"bad task", replaced(kBase, "task = \"evolve\"", "task = \"evolv\""), "run.task", "evolv",
       "expected one of: evolve, steady, spectrum, collide"},
      {"dt_output > t_final", replaced(kBase, "dt_output = 0.1", "dt_output = 30.0"),
       "evolve.dt_output", "dt_output", "must not exceed t_final"},
      {"unknown preset",
       replaced(kBase, "sites = [\"spin1/2\"]", "model = { name = \"ising\", sites = 2 }"),
       "system.model.name", "ising", "xxz_chain"},
      {"[species] not [[species]]", replaced(kBase, "[[species]]", "[species]"), "species",
       "[species]", "[[species]]"},
      {"degenerate H_A",
       replaced(kBase, "[[\"Omega/2\", \"sz\", \"A\"]]", "[[0.0, \"sz\", \"A\"]]"),
       "species.bath.chi", "chi =", "degenerate"},
      {"observable name with /", replaced(kBase, "name = \"sx\"", "name = \"s/x\""),
       "evolve.observables[0].name", "s/x", "HDF5"},
      {"ancilla op in H_S", replaced(kBase, "\"sz\", 0]]", "\"sz\", \"A\"]]"),
       "system.hamiltonian[0]", "\"Omega/2\", \"sz\", \"A\"]]\n\n", "only allowed in a species"},
      {"non-Hermitian coupling",
       replaced(kBase, "[\"g\", \"sm\", 0, \"sp\", \"A\"]", "[\"g\", \"sm\", 0, \"sm\", \"A\"]"),
       "species.bath.coupling", "coupling =", "coupling V must be Hermitian"},
      {"negative tau", kBase + "[collide]\ntau = [0.1, -0.05]\n", "collide.tau", "tau =", "> 0"},
      {"unknown top-level key", kBase + "[evolv]\nt_final = 1.0\n", "evolv", "[evolv]",
       "did you mean 'evolve'"},
  };
}

TEST(Deck, BadDecksNameKeyAndLine) {
  const auto cases = bad_decks();
  EXPECT_GE(cases.size(), 14u);
  for (const BadDeck& c : cases) {
    SCOPED_TRACE(c.name);
    const int line =
        c.line_text.empty() ? line_of(c.text, "name = \"bath\"", 2) : line_of(c.text, c.line_text);
    const std::string msg = expect_error(c.text, c.key, line);
    EXPECT_NE(msg.find(c.phrase), std::string::npos) << msg;
  }
}

TEST(Deck, MissingFileIsAnInputError) {
  EXPECT_THROW(load_deck("/nonexistent/deck.toml"), InputError);
}

}  // namespace
