// Fuzzing the deck loader and `qcoll check` (issue #5, hardened input).
//
// Mutated versions of the example decks in inputs/*.toml (and of any seed
// decks in tests/fuzz/*.toml) - truncated, keys renamed, values of the wrong
// type, NaN/inf/huge numbers, huge dimensions, stray bytes and invalid UTF-8,
// deleted/duplicated/swapped lines, swapped brackets, deep nesting - are
// loaded with load_deck_from_string, with and without mutated `--set`
// overrides, plus a list of hand-written hostile decks. A deck that loads goes
// through what `qcoll check` does: derive_master_equation and the
// Liouvillian's sandwich terms (for d <= kDeriveDimension, as check on big
// valid decks is legitimately heavy) and max_admissible_lambda for every
// species and collision time. Every case must end in success or a clean
// qcoll::InputError whose format_input_error message is one non-empty line -
// never a crash, another exception type or a PETSc traceback - within
// kCaseLimitSeconds (a watchdog aborts a case that hangs, printing it).
//
// Reproducing: case i uses std::mt19937 seeded with seed_seq{seed, i} (with
// this standard library's distributions), so a failing case does not depend
// on the number of ranks. Environment:
//   QCOLL_FUZZ_SEED=<n>    base seed (default kDefaultSeed)
//   QCOLL_FUZZ_CASES=<n>   number of random cases (default kDefaultCases)
//   QCOLL_FUZZ_CASE=<i>    run only random case i, printing the whole deck
//   QCOLL_FUZZ_VERBOSE=1   print every case's outcome
// The cases are shared among the MPI ranks (rank r runs i % size == r).
// `make fuzz-asan` runs this test built with AddressSanitizer.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

#include "qcoll/collide/ancilla_state.hpp"
#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/derive/master_equation.hpp"
#include "qcoll/io/deck.hpp"
#include "qcoll/model/types.hpp"
#include "test_support.hpp"

namespace {

using qcoll::Deck;
using qcoll::InputError;
using qcoll::Override;

constexpr std::uint32_t kDefaultSeed = 20240605;
constexpr long kDefaultCases = 5000;
// A case slower than this fails the test (the loader must not hang).
constexpr double kCaseLimitSeconds = 5.0;
// A case still running after this long is a hang: the watchdog prints it and aborts.
constexpr double kWatchdogSeconds = 120.0;
// `qcoll check` derives the master equation only up to this dimension here.
constexpr qcoll::index_t kDeriveDimension = 4096;

long env_long(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtol(v, nullptr, 10);
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct SeedDeck {
  std::string name;
  std::string text;
};

std::vector<SeedDeck> seed_decks() {
  std::vector<SeedDeck> seeds;
  for (const char* dir : {"inputs", "tests/fuzz"}) {
    const std::filesystem::path root = qcoll::testing::source_path(dir);
    if (!std::filesystem::is_directory(root)) continue;
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(root)) {
      if (entry.path().extension() == ".toml") paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths)
      seeds.push_back({std::string(dir) + "/" + p.filename().string(), file_text(p.string())});
  }
  return seeds;
}

// Printable form of fuzzed text: control characters and non-ASCII bytes as \xNN.
std::string printable(const std::string& s, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\n";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > limit) out += "...[" + std::to_string(s.size()) + " bytes in all]";
  return out;
}

// ---------------------------------------------------------------------------
// Mutations

using Rng = std::mt19937;

std::size_t pick(Rng& rng, std::size_t n) {
  return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}
template <class T>
const T& pick(Rng& rng, const std::vector<T>& v) {
  return v[pick(rng, v.size())];
}
bool chance(Rng& rng, double p) {
  return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string nested_array(std::size_t depth, const std::string& inner = "1") {
  return repeat("[", depth) + inner + repeat("]", depth);
}

std::string site_list(const std::string& label, std::size_t n) {
  std::string out = "[";
  for (std::size_t i = 0; i < n; ++i) out += (i ? ", \"" : "\"") + label + "\"";
  return out + "]";
}

// Local-space labels, valid, invalid and huge.
// clang-format off
const std::vector<std::string> kLabels{
    "spin1/2", "spin1", "spin3/2", "spin63/2", "spin1000", "spin0", "spin1/3", "spin2/2", "spin/2",
    "spin", "spin-1", "spin1/2 ", "spin511/2", "spin1023/2", "spin999999999/2", "spin4294967297/2",
    "qudit2", "qudit64", "qudit65", "qudit1", "qudit0", "qudit999999", "qudit1024", "qudit1025",
    "qudit99999999999999999999", "qudit-3", "qudit+3", "qudit 3", "qudit3\x01", "boson1",
    "boson15", "boson63", "boson1023", "boson1024", "boson100000", "boson0", "boson", "boson-1",
    "", "A", "\xce\xbb", "spin\xff", "qudit\xd9\xa3"};
// clang-format on

// Operator names, valid on some space or not.
// clang-format off
const std::vector<std::string> kOperators{
    "sx", "sy", "sz", "sp", "sm", "Sx", "Sy", "Sz", "Sp", "Sm", "a", "adag", "n", "id", "proj01",
    "proj10", "proj22", "proj99", "proj1_0", "proj999999999_0", "proj9999999999_0", "proj_",
    "proj", "proj-1_0", "proj0_-1", "", "SX", "x", "proj\xff\xfe"};
// clang-format on

// Expressions over parameters, good and bad.
// clang-format off
const std::vector<std::string> kExpressions{
    "g", "g/2", "Omega/2", "1/0", "0/0", "sqrt(-1)", "log(0)", "1e308*10", "-1e308*10", "g*",
    "((((g", "g))", "g,g", "pi", "e", "_", "inf", "nan", "a", "A", "", " ", "g g", "\"s\"", "sin",
    "sin(", "x = 1", "g?1:2", "1?g:", "#", "\xce\xbb", "\xff", std::string("g\0h", 3), "1e400",
    "2^1024", "(-8)^(1/3)", "rnd()", "sum()", "min(g)", "avg(1,2,3)", "g+g+g+g+g+g+g+g"};
// clang-format on

// clang-format off
const std::vector<std::string> kNumbers{
    "nan", "+nan", "-nan", "inf", "+inf", "-inf", "1e308", "-1e308", "1e-308", "5e-324", "1e400",
    "-1e400", "0", "-0", "-0.0", "0.0", "1", "-1", "2", "-2", "3", "17", "64", "65536",
    "2147483647", "2147483648", "-2147483649", "4294967296", "9007199254740993",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "99999999999999999999",
    "1e15", "1e16", "9e15", "1e19", "0x7fffffffffffffff", "0xffffffffffffffff", "0b1", "0o7",
    "1_000", "1__0", "01", "1.", ".5", "1e", "1.5e+3", "-1000000"};
// clang-format on

const std::vector<std::string> kNegativeIndices{
    "-1", "-2", "-30", "-1000000", "-9223372036854775808", "-2147483648"};

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A value of a random type (for wrong-type replacements).
std::string random_value(Rng& rng) {
  switch (pick(rng, 16)) {
    case 0:
      return pick(rng, kNumbers);
    case 1:
      return quoted(pick(rng, kLabels));
    case 2:
      return quoted(pick(rng, kOperators));
    case 3:
      return quoted(pick(rng, kExpressions));
    case 4:
      return chance(rng, 0.5) ? "true" : "false";
    case 5:
      return "[]";
    case 6:
      return "{}";
    case 7:
      return "\"\"";
    case 8:
      return nested_array(1 + pick(rng, 6));
    case 9:
      return "[[\"g\", \"sx\", 0], [1, 2]]";
    case 10:
      return "{ name = \"xxz_chain\", sites = " + pick(rng, kNumbers) + " }";
    case 11:
      return "1979-05-27T07:32:00Z";
    case 12:
      return "[1, \"a\", [2], { b = 3 }]";
    case 13:
      return "[" + pick(rng, kNumbers) + ", " + pick(rng, kNumbers) + "]";
    case 14:
      return quoted(repeat("g+", 1 + pick(rng, 2000)) + "g");
    default:
      return "'''\nmulti\nline'''";
  }
}

// Stray bytes: control characters, unicode, invalid UTF-8.
// clang-format off
const std::vector<std::string> kGarbage{
    std::string(1, '\0'), "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\t", "\r",
    "\r\n", "\n", "\"", "'", "\\", "=", "#", ".", ",", "[[", "]]", "{", "}",
    "\xc3\xa9",          // e acute
    "\xce\xbb",          // lambda
    "\xe2\x80\x8b",      // zero-width space
    "\xef\xbb\xbf",      // BOM
    "\xe2\x80\xae",      // right-to-left override
    "\xf0\x9f\x98\x80",  // emoji
    "\xff", "\xfe", "\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80", "\xe2\x82",
    "\xf8\x88\x80\x80\x80", "\\u0000", "\\uD800", "\\U0010FFFF", "\\x"};
// clang-format on

struct Token {
  enum Kind { String, Number, Word, Bracket, Other } kind;
  std::size_t pos, len;
};

// A rough TOML tokenizer: enough to find values, keys and brackets to mutate.
std::vector<Token> tokenize(const std::string& t) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto is_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  };
  while (i < t.size()) {
    const char c = t[i];
    if (c == '#') {
      while (i < t.size() && t[i] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      std::size_t j = i + 1;
      while (j < t.size() && t[j] != c && t[j] != '\n') j += (t[j] == '\\' && c == '"') ? 2 : 1;
      j = std::min(j + 1, t.size());
      out.push_back({Token::String, i, j - i});
      i = j;
    } else if (c == '[' || c == ']' || c == '{' || c == '}') {
      out.push_back({Token::Bracket, i, 1});
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               ((c == '-' || c == '+') && i + 1 < t.size() &&
                std::isdigit(static_cast<unsigned char>(t[i + 1])))) {
      std::size_t j = i + 1;
      while (j < t.size() && (is_word(t[j]) || t[j] == '.' || t[j] == '+')) ++j;
      out.push_back({Token::Number, i, j - i});
      i = j;
    } else if (is_word(c)) {
      std::size_t j = i + 1;
      while (j < t.size() && is_word(t[j])) ++j;
      out.push_back({Token::Word, i, j - i});
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

std::vector<Token> tokens_of(const std::vector<Token>& all, Token::Kind kind) {
  std::vector<Token> out;
  for (const Token& t : all)
    if (t.kind == kind) out.push_back(t);
  return out;
}

// Word tokens followed by '=' (keys of key/value pairs).
std::vector<Token> key_tokens(const std::string& text, const std::vector<Token>& all) {
  std::vector<Token> out;
  for (const Token& t : all) {
    if (t.kind != Token::Word) continue;
    std::size_t j = t.pos + t.len;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
    if (j < text.size() && text[j] == '=') out.push_back(t);
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out;
}

const std::vector<std::string> kKeyNames{"title",
                                         "params",
                                         "system",
                                         "species",
                                         "initial",
                                         "run",
                                         "evolve",
                                         "steady",
                                         "collide",
                                         "checkpoint",
                                         "sweep",
                                         "sites",
                                         "hamiltonian",
                                         "model",
                                         "name",
                                         "J",
                                         "Delta",
                                         "h",
                                         "ancilla",
                                         "beta",
                                         "temperature",
                                         "coupling",
                                         "lambda",
                                         "chi",
                                         "state",
                                         "index",
                                         "product",
                                         "task",
                                         "output",
                                         "t_final",
                                         "dt_output",
                                         "method",
                                         "rtol",
                                         "atol",
                                         "entropy",
                                         "store_states",
                                         "observables",
                                         "terms",
                                         "gap",
                                         "nev",
                                         "tol",
                                         "tau",
                                         "compare_master_equation",
                                         "output_every",
                                         "every_seconds",
                                         "key",
                                         "values",
                                         "start",
                                         "stop",
                                         "count",
                                         "pi",
                                         "e",
                                         "sin",
                                         "_",
                                         "x1"};

std::string renamed_key(Rng& rng, const std::string& key) {
  std::string k = key;
  switch (pick(rng, 7)) {
    case 0:
      return pick(rng, kKeyNames);
    case 1:  // drop a character
      if (k.size() > 1) k.erase(pick(rng, k.size()), 1);
      return k;
    case 2:  // duplicate a character
      k.insert(pick(rng, k.size()), 1, k[pick(rng, k.size())]);
      return k;
    case 3:
      return k + "_";
    case 4:
      return quoted(k + pick(rng, kGarbage));
    case 5:
      return "\"\"";
    default: {
      std::string up = k;
      for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return up;
    }
  }
}

// Whole-line snippets inserted at random places.
std::vector<std::string> snippets() {
  return {
      "[[species]]",
      "[system]",
      "[params]",
      "[species]",
      "[[system]]",
      "[sweep]\nkey = \"species.bath.lambda\"\nvalues = [0.1, 0.2]",
      "[sweep]\nkey = \"params.g\"\nstart = 0\nstop = 1\ncount = 3",
      "[sweep]\nkey = \"" + repeat("x.", 200) + "x\"\nvalues = [1]",
      "[sweep]\nkey = \"species.hot.lambda\"\nstart = -inf\nstop = inf\ncount = "
      "9223372036854775807",
      "[sweep]\nkey = \"params.g\"\nstart = 0\nstop = 1\ncount = 1000000000000",
      "sites = " + site_list("spin1/2", 40),
      "sites = " + site_list("spin1/2", 30),
      "sites = " + site_list("spin1/2", 12),
      "sites = " + site_list("boson1023", 3),
      "sites = " + site_list("qudit64", 2),
      "sites = [\"boson100000\"]",
      "sites = [\"spin1000\"]",
      "sites = [\"qudit999999\"]",
      "model = { name = \"xxz_chain\", sites = 60 }",
      "model = { name = \"xxz_chain\", sites = 30 }",
      "model = { name = \"xxz_chain\", sites = 12, J = \"1/0\" }",
      "model = { name = \"xxz_chain\", sites = -9223372036854775808 }",
      "x.y.z = 1",
      repeat("a.", 300) + "a = 1",
      repeat("a.", 5000) + "a = 1",
      "[" + repeat("t.", 300) + "t]",
      "v = " + nested_array(100),
      "v = " + nested_array(255),
      "v = " + nested_array(300),
      "v = " + nested_array(100000),
      "v = " + repeat("{ a = ", 300) + "1" + repeat(" }", 300),
      "\"\" = 1",
      "\"\xce\xbb\" = 1",
      "species = 1",
      "species = []",
      "species = [1, 2]",
      "system = \"spin1/2\"",
      "lambda = nan",
      "lambda = inf",
      "beta = -inf",
      "temperature = 0",
      "index = -1",
      "product = [-1, 0, 0, 0, 0, 0]",
      "state = \"thermal\"\ntemperature = inf",
      "state = \"basis\"\nindex = 9223372036854775807",
      "state = \"product\"\nproduct = []",
      "tau = []",
      "tau = 5e-324",
      "tau = [1e-300, 1e-320]",
      "chi = [[0, 1], [1, 0]]",
      "chi = [[0, [1, 1e308]], [[1, -1e308], 0]]",
      "chi = [[0, 1e308], [1e308, 0]]",
      "chi = " + nested_array(3, "0"),
      "hamiltonian = [[\"1e308\", \"n\", \"A\"]]",
      "hamiltonian = [[1e308, \"sz\", \"A\"], [1e308, \"sz\", \"A\"]]",
      "hamiltonian = [[1e308, \"sz\", 0], [1e308, \"sz\", 0]]",
      "hamiltonian = [[1e308, \"Sx\", 0]]",
      "coupling = [[1e308, \"sx\", 0, \"sx\", \"A\"], [1e308, \"sx\", 0, \"sx\", \"A\"]]",
      "coupling = [[\"g\", \"sx\", -1, \"sx\", \"A\"]]",
      "coupling = [[\"g\", \"sx\", 9223372036854775807, \"sx\", \"A\"]]",
      "coupling = [[\"g\", \"sx\", \"A\", \"sx\", \"A\"]]",
      "coupling = [[\"g\", \"id\", 0, \"id\", \"A\"]]",
      "coupling = [[\"g\"]]",
      "coupling = [[\"g\", \"sx\"]]",
      "observables = [{ name = \"\", terms = [] }]",
      "observables = [{ name = \"x/y\", terms = [[1, \"sx\", 0]] }]",
      "observables = 1",
      "ancilla = \"qudit64\"\nhamiltonian = [[1, \"n\", \"A\"]]",
      "ancilla = \"qudit65\"",
      "ancilla = \"boson100000\"",
      "name = \"" + repeat("x", 10000) + "\"",
      "title = \"" + repeat("\\u00e9", 1000) + "\"",
      "title = \"\\u0000\"",
      "title = \"\\uD800\"",
      "title = '''" + repeat("\n", 50) + "'''",
      "g = \"g\"",
      "a = \"b\"\nb = \"a\"",
      "\xef\xbb\xbftitle = \"bom\"",
  };
}

// Names of the species of a deck text (lines `name = "..."` after [[species]]).
std::vector<std::string> species_names(const std::string& text) {
  std::vector<std::string> names;
  bool in_species = false;
  for (const std::string& line : split_lines(text)) {
    if (!line.empty() && line[0] == '[') in_species = line.rfind("[[species]]", 0) == 0;
    const std::string prefix = "name = \"";
    if (in_species && line.rfind(prefix, 0) == 0) {
      const std::size_t end = line.find('"', prefix.size());
      if (end != std::string::npos)
        names.push_back(line.substr(prefix.size(), end - prefix.size()));
    }
  }
  return names;
}

struct Mutator {
  Rng& rng;
  const std::vector<SeedDeck>& seeds;
  const std::vector<std::string> lines_pool = snippets();

  std::string replace(const std::string& text, const Token& t, const std::string& with) {
    return text.substr(0, t.pos) + with + text.substr(t.pos + t.len);
  }

  // Value-level mutations only: these leave the TOML readable, so that many
  // decks get past the parser into validation, derive and check.
  std::string mutate_value(const std::string& text) {
    static const std::vector<std::size_t> kValueMutations{2, 4, 5, 6, 13, 16, 18, 18, 18};
    return mutate_once(text, pick(rng, kValueMutations));
  }

  std::string mutate_once(const std::string& text) { return mutate_once(text, pick(rng, 19)); }

  std::string mutate_once(const std::string& text, std::size_t which) {
    const std::vector<Token> all = tokenize(text);
    switch (which) {
      case 18: {  // a plausible number in place of another
        static const std::vector<std::string> kPlausible{
            "0", "1", "2", "3", "5", "0.5", "0.01", "1e-3", "1e-12", "100.0", "-0.5", "10", "inf"};
        const auto numbers = tokens_of(all, Token::Number);
        if (numbers.empty()) break;
        return replace(text, pick(rng, numbers), pick(rng, kPlausible));
      }
      case 0:  // truncate
        return text.substr(0, pick(rng, text.size() + 1));
      case 1: {  // rename a key
        const auto keys = key_tokens(text, all);
        if (keys.empty()) break;
        const Token& t = pick(rng, keys);
        return replace(text, t, renamed_key(rng, text.substr(t.pos, t.len)));
      }
      case 2:
      case 3: {  // replace a value by one of another type
        std::vector<Token> values;
        for (const Token& t : all)
          if (t.kind == Token::String || t.kind == Token::Number) values.push_back(t);
        if (values.empty()) break;
        return replace(text, pick(rng, values), random_value(rng));
      }
      case 4: {  // special numbers: NaN, inf, huge
        const auto numbers = tokens_of(all, Token::Number);
        if (numbers.empty()) break;
        return replace(text, pick(rng, numbers), pick(rng, kNumbers));
      }
      case 5: {  // negative indices
        const auto numbers = tokens_of(all, Token::Number);
        if (numbers.empty()) break;
        return replace(text, pick(rng, numbers), pick(rng, kNegativeIndices));
      }
      case 6: {  // strings: empty, labels, operators, expressions
        const auto strings = tokens_of(all, Token::String);
        if (strings.empty()) break;
        const std::vector<std::string>& pool = chance(rng, 0.4)   ? kLabels
                                               : chance(rng, 0.5) ? kOperators
                                                                  : kExpressions;
        return replace(text, pick(rng, strings), quoted(chance(rng, 0.15) ? "" : pick(rng, pool)));
      }
      case 7: {  // stray bytes
        const std::size_t at = pick(rng, text.size() + 1);
        return text.substr(0, at) + pick(rng, kGarbage) + text.substr(at);
      }
      case 8: {  // delete lines
        auto lines = split_lines(text);
        const std::size_t at = pick(rng, lines.size());
        const std::size_t n = std::min(lines.size() - at, 1 + pick(rng, 4));
        lines.erase(lines.begin() + at, lines.begin() + at + n);
        return join_lines(lines);
      }
      case 9: {  // duplicate a line
        auto lines = split_lines(text);
        const std::size_t at = pick(rng, lines.size());
        lines.insert(lines.begin() + pick(rng, lines.size() + 1), lines[at]);
        return join_lines(lines);
      }
      case 10: {  // swap two lines
        auto lines = split_lines(text);
        std::swap(lines[pick(rng, lines.size())], lines[pick(rng, lines.size())]);
        return join_lines(lines);
      }
      case 11: {  // swap brackets
        const auto brackets = tokens_of(all, Token::Bracket);
        if (brackets.empty()) break;
        static const std::vector<std::string> kBrackets{"[", "]", "{",  "}",  "(",
                                                        ")", "",  "[[", "]]", "<"};
        return replace(text, pick(rng, brackets), pick(rng, kBrackets));
      }
      case 12: {  // deeply nested arrays
        std::vector<Token> values;
        for (const Token& t : all)
          if (t.kind == Token::String || t.kind == Token::Number) values.push_back(t);
        if (values.empty()) break;
        static const std::vector<std::size_t> kDepths{2, 3, 10, 100, 255, 256, 257, 1000, 50000};
        const Token& t = pick(rng, values);
        return replace(text, t, nested_array(pick(rng, kDepths), text.substr(t.pos, t.len)));
      }
      case 13: {  // huge dimensions: a site or ancilla label
        std::vector<Token> labels;
        for (const Token& t : tokens_of(all, Token::String)) {
          const std::string s = text.substr(t.pos, t.len);
          if (s.find("spin") != std::string::npos || s.find("qudit") != std::string::npos ||
              s.find("boson") != std::string::npos)
            labels.push_back(t);
        }
        if (labels.empty()) break;
        return replace(text, pick(rng, labels), quoted(pick(rng, kLabels)));
      }
      case 14:
      case 15: {  // insert a snippet line (sections, huge systems, odd values)
        auto lines = split_lines(text);
        lines.insert(lines.begin() + pick(rng, lines.size() + 1), pick(rng, lines_pool));
        return join_lines(lines);
      }
      case 16: {  // replace the right-hand side of a key = value line
        auto lines = split_lines(text);
        std::vector<std::size_t> assignments;
        for (std::size_t i = 0; i < lines.size(); ++i)
          if (lines[i].find('=') != std::string::npos && lines[i][0] != '#')
            assignments.push_back(i);
        if (assignments.empty()) break;
        std::string& line = lines[pick(rng, assignments)];
        line = line.substr(0, line.find('=') + 1) + " " + random_value(rng);
        return join_lines(lines);
      }
      case 17: {  // splice lines of another deck
        const auto other = split_lines(pick(rng, seeds).text);
        auto lines = split_lines(text);
        const std::size_t from = pick(rng, other.size());
        const std::size_t n = std::min(other.size() - from, 1 + pick(rng, 8));
        lines.insert(lines.begin() + pick(rng, lines.size() + 1), other.begin() + from,
                     other.begin() + from + n);
        return join_lines(lines);
      }
    }
    // The chosen mutation found nothing to act on: flip a random byte.
    if (text.empty()) return pick(rng, kGarbage);
    std::string out = text;
    out[pick(rng, out.size())] = static_cast<char>(pick(rng, 256));
    return out;
  }

  std::string mutate(const std::string& text) {
    std::string out = text;
    const std::size_t n = 1 + pick(rng, chance(rng, 0.7) ? 2 : 5);
    for (std::size_t k = 0; k < n; ++k) out = mutate_once(out);
    return out;
  }

  // `--set` overrides with valid, mutated and nonsense keys and values.
  // `wild`: nonsense keys and values too; otherwise keys of the deck with
  // values of roughly the right kind.
  std::vector<Override> overrides(bool wild, const std::string& text) {
    static const std::vector<std::string> kKeys{
        "params.g", "params.Omega", "params.new_one", "params.J", "species.bath.lambda",
        "species.hot.lambda", "species.cold.beta", "species.drive.chi", "species.bath.ancilla",
        "species.hot.coupling", "species.bath.hamiltonian", "species.bath.name",
        "species.cold.temperature", "species.bath.chi", "system.sites", "system.model",
        "system.model.sites", "system.model.J", "system.hamiltonian", "initial.state",
        "initial.index", "initial.product", "initial.beta", "run.task", "run.output",
        "evolve.t_final", "evolve.dt_output", "evolve.observables", "evolve.method",
        "evolve.store_states", "steady.nev", "steady.tol", "collide.tau", "collide.t_final",
        "collide.output_every", "checkpoint.every_seconds", "sweep.key", "sweep.values",
        "sweep.count", "title",
        // nonsense
        "", ".", "..", "a..b", "species", "species.bath", "species..lambda", "species.nope.lambda",
        "title.x", "params.g.h", " params . g ", "params.\xce\xbb", "params.\xff", "system.sites.0",
        "species.bath.lambda.x", "params.1abc", "species.\xff.lambda", "run", "params",
        "species.bath.coupling.x", repeat("x.", 1000) + "x", repeat(".", 50)};
    static const std::vector<std::pair<std::string, std::vector<std::string>>> kTame{
        {"params.g", {"0.1", "1", "0", "-2", "\"2*Omega\"", "\"J\"", "1e5"}},
        {"params.J", {"0.5", "\"g/2\"", "nan", "-1"}},
        {"species.bath.lambda", {"0", "0.1", "1.5", "-0.3", "100", "inf"}},
        {"species.hot.lambda", {"0", "0.5", "-1", "1e10"}},
        {"species.hot.beta", {"0", "inf", "1e-300", "1e300", "-1"}},
        {"species.cold.temperature", {"0", "inf", "2", "-1"}},
        {"species.drive.chi",
         {"\"sy\"", "\"sz\"", "\"sp\"", "[[0, 1], [1, 0]]", "[[0, [0, 1]], [[0, -1], 0]]"}},
        {"species.bath.ancilla", {"\"qudit3\"", "\"spin1\"", "\"boson4\"", "\"qudit64\""}},
        {"species.bath.chi", {"\"sy\"", "\"proj01\"", "[[0, 2], [2, 0]]", "[[1, 0], [0, -1]]"}},
        {"system.sites",
         {"[\"spin1/2\", \"spin1/2\"]", "[\"qudit3\"]", "[\"boson15\"]", "[\"qudit4096\"]"}},
        {"system.model.sites", {"2", "3", "12", "30", "31", "60"}},
        {"system.model.J", {"0", "\"J*2\"", "-1"}},
        {"initial.state", {"\"thermal\"", "\"excited\"", "\"maximally_mixed\"", "\"basis\""}},
        {"initial.index", {"0", "1", "63", "64", "-1"}},
        {"initial.product", {"[0]", "[1, 0, 0, 0, 0, 0]", "[0, 0]"}},
        {"collide.tau", {"0.1", "[0.5, 0.2]", "[1e-300]", "1e300", "[]"}},
        {"collide.t_final", {"1", "0.01", "1e300"}},
        {"evolve.t_final", {"1", "0.05", "1e300"}},
        {"steady.nev", {"1", "0", "100000"}},
        {"run.task", {"\"collide\"", "\"check\""}},
        {"sweep.key", {"\"params.g\"", "\"species.hot.lambda\""}},
    };
    std::vector<Override> out;
    const std::size_t n = 1 + pick(rng, 3);
    for (std::size_t k = 0; !wild && k < n; ++k) {
      const auto& [key, values] = pick(rng, kTame);
      std::string target = key;
      // Mostly address a species the deck has.
      const auto names = species_names(text);
      if (target.rfind("species.", 0) == 0 && !names.empty() && chance(rng, 0.9)) {
        const std::size_t dot = target.find('.', 8);
        target = "species." + pick(rng, names) + target.substr(dot);
      }
      out.push_back({target, pick(rng, values)});
    }
    for (std::size_t k = 0; wild && k < n; ++k) {
      std::string key = pick(rng, kKeys);
      if (chance(rng, 0.2)) key = renamed_key(rng, key);
      if (chance(rng, 0.1)) key.insert(pick(rng, key.size() + 1), pick(rng, kGarbage));
      std::string value;
      switch (pick(rng, 6)) {
        case 0:
          value = pick(rng, kNumbers);
          break;
        case 1:
          value = random_value(rng);
          break;
        case 2:
          value = pick(rng, kExpressions);  // bare: taken as a string if not TOML
          break;
        case 3:
          value = pick(rng, kLabels);
          break;
        case 4:
          value = "[" + site_list("spin1/2", 1 + pick(rng, 40)).substr(1);
          break;
        default:
          value = pick(rng, kNumbers) + pick(rng, kGarbage) + pick(rng, kGarbage);
          break;
      }
      // Half of them go through the command-line parser, as `qcoll --set` does.
      if (chance(rng, 0.5)) {
        try {
          out.push_back(qcoll::parse_override(key + "=" + value));
        } catch (const InputError&) {
          out.push_back({key, value});
        }
      } else {
        out.push_back({key, value});
      }
    }
    return out;
  }
};

// ---------------------------------------------------------------------------
// Running one case

struct Outcome {
  bool loaded = false;
  bool derived = false;
  std::string failure;  // empty: success or a clean InputError
  std::string error;    // the InputError's message, if any
};

// Checks the message format_input_error makes; returns a failure or "".
std::string check_message(const InputError& e, const Deck* deck) {
  std::string msg;
  try {
    msg = qcoll::format_input_error(e, deck);
  } catch (const std::exception& x) {
    return std::string("format_input_error threw ") + typeid(x).name() + ": " + x.what();
  }
  if (msg.empty()) return "format_input_error gave an empty message";
  if (msg.find('\n') != std::string::npos)
    return "format_input_error gave more than one line: " + printable(msg, 400);
  return "";
}

Outcome run_case(const std::string& text, const std::vector<Override>& overrides) {
  Outcome out;
  std::string stage = "load_deck_from_string";
  try {
    const Deck deck = qcoll::load_deck_from_string(text, "fuzz.toml", overrides);
    out.loaded = true;
    try {
      if (deck.sweep && !deck.sweep->values.empty()) {
        stage = "sweep_override/with_override";
        qcoll::with_override(deck, qcoll::sweep_override(*deck.sweep, 0));
      }
      stage = "model.dimension";
      if (deck.model.dimension() <= kDeriveDimension) {
        stage = "derive_master_equation";
        const qcoll::MasterEquation me =
            qcoll::derive_master_equation(deck.model, /*require_zero_mean=*/false);
        out.derived = true;
        // check's estimate of the Liouvillian's size uses its sandwich terms.
        stage = "liouvillian terms";
        qcoll::fixed_liouvillian_terms(me);
        qcoll::coherent_liouvillian_terms(me);
        me.effective_hamiltonian();
      }
      stage = "max_admissible_lambda";
      for (const qcoll::Species& s : deck.model.species)
        for (double tau : deck.collide.tau) qcoll::max_admissible_lambda(s, tau);
    } catch (const InputError& e) {
      out.failure = check_message(e, nullptr);
      if (out.failure.empty()) out.failure = check_message(e, &deck);
      out.error = "(" + stage + ") " + e.what();
    }
  } catch (const InputError& e) {
    out.failure = check_message(e, nullptr);
    out.error = e.what();
  } catch (const std::exception& e) {
    out.failure = stage + " threw " + typeid(e).name() + " (not an InputError): " + e.what();
  } catch (...) {
    out.failure = stage + " threw a non-std::exception";
  }
  return out;
}

// Aborts the process when one case runs far beyond the limit (a hang), after
// printing what it was running.
class Watchdog {
 public:
  Watchdog() : thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void start(const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex_);
    what_ = what;
    started_ = std::chrono::steady_clock::now();
    running_ = true;
  }
  void done() {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      if (!running_) continue;
      const double t =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      if (t > kWatchdogSeconds) {
        std::fprintf(stderr, "FUZZ HANG: %s still running after %.0f s; aborting\n", what_.c_str(),
                     t);
        std::fflush(stderr);
        std::abort();
      }
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false, running_ = false;
  std::string what_;
  std::chrono::steady_clock::time_point started_;
  std::thread thread_;
};

// The lines of `text` that differ from `base` (common leading and trailing
// lines cut), so that a report shows the mutation and not the deck's comments.
std::string changed_lines(const std::string& base, const std::string& text) {
  const auto a = split_lines(base), b = split_lines(text);
  std::size_t head = 0, tail = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
    ++tail;
  std::ostringstream os;
  os << "lines " << head + 1 << ".." << b.size() - tail << " of the mutated deck (seed lines "
     << head + 1 << ".." << a.size() - tail << " replaced):\n";
  for (std::size_t i = head; i < b.size() - tail; ++i) os << b[i] << "\n";
  return os.str();
}

std::string describe(std::size_t index, std::uint32_t seed, const SeedDeck& base,
                     const std::string& text, const std::vector<Override>& overrides,
                     std::size_t limit) {
  std::ostringstream os;
  os << "case " << index << " (QCOLL_FUZZ_SEED=" << seed << " QCOLL_FUZZ_CASE=" << index
     << ", from " << base.name << ")";
  for (const Override& ov : overrides)
    os << "\n  --set " << printable(ov.key, 120) << "=" << printable(ov.value, 120);
  os << "\n--- deck (" << text.size() << " bytes) ---\n" << printable(text, limit) << "\n---";
  if (text != base.text) os << "\n" << printable(changed_lines(base.text, text), 1000) << "---";
  return os.str();
}

// Runs cases with the hang guard, counts the outcomes and reports failures.
class CaseRunner {
 public:
  explicit CaseRunner(bool verbose) : verbose_(verbose), begin_(std::chrono::steady_clock::now()) {}

  // `label` names the case in reports; `description` is what describe() made.
  void run(const std::string& label, const std::string& text,
           const std::vector<Override>& overrides, const std::string& description) {
    if (verbose_) {
      std::printf("%s: running\n", label.c_str());
      std::fflush(stdout);
    }
    watchdog_.start(description);
    const auto t0 = std::chrono::steady_clock::now();
    const Outcome out = run_case(text, overrides);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    watchdog_.done();
    if (verbose_)
      std::printf("%s: %.3f s: %s\n", label.c_str(), seconds,
                  out.error.empty() ? (out.loaded ? "loaded" : "?")
                                    : printable(out.error.substr(0, 200), 240).c_str());
    ++counts_[0];
    counts_[1] += out.loaded;
    counts_[2] += out.derived;
    if (seconds > slowest_) slowest_ = seconds, slowest_label_ = label;
    std::string failure = out.failure;
    if (failure.empty() && seconds > kCaseLimitSeconds) {
      failure = "took " + std::to_string(seconds) + " s (limit " +
                std::to_string(kCaseLimitSeconds) + " s)";
    }
    if (failure.empty()) return;
    ++counts_[3];
    const int rank = qcoll::testing::rank();
    const std::string report = "rank " + std::to_string(rank) + ": " + failure + "\n" + description;
    // Ranks other than 0 have no GoogleTest printer: print directly as well.
    if (rank != 0) std::fprintf(stderr, "FUZZ FAILURE on %s\n", report.c_str());
    ADD_FAILURE() << report;
  }

  // Prints this rank's summary; returns the counts summed over the ranks:
  // run, loaded, derived, failed.
  std::array<long, 4> summary(const char* what) const {
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
    std::printf(
        "[rank %d] %s: %ld cases in %.1f s (slowest: %s, %.2f s), %ld loaded, %ld derived, "
        "%ld failures\n",
        qcoll::testing::rank(), what, counts_[0], total, slowest_label_.c_str(), slowest_,
        counts_[1], counts_[2], counts_[3]);
    std::fflush(stdout);
    std::array<long, 4> all{};
    MPI_Allreduce(counts_.data(), all.data(), 4, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    return all;
  }

 private:
  bool verbose_;
  std::chrono::steady_clock::time_point begin_;
  Watchdog watchdog_;
  std::array<long, 4> counts_{};
  double slowest_ = 0.0;
  std::string slowest_label_ = "none";
};

// ---------------------------------------------------------------------------
// Hand-written hostile decks: the huge dimensions and odd values of issue #5
// that random mutation reaches only rarely, and regressions of fixed bugs.

struct TargetedCase {
  std::string name;
  std::string seed;                                        // file name in inputs/
  std::vector<std::pair<std::string, std::string>> edits;  // line prefix -> new line ("": drop)
  std::vector<Override> overrides;
};

// `text` with the first line starting with each prefix replaced (appended if absent).
std::string edited(const std::string& text,
                   const std::vector<std::pair<std::string, std::string>>& edits) {
  auto lines = split_lines(text);
  for (const auto& [prefix, line] : edits) {
    auto it = std::find_if(lines.begin(), lines.end(),
                           [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
    if (it == lines.end()) {
      lines.push_back(line);
    } else if (line.empty()) {
      lines.erase(it);
    } else {
      *it = line;
    }
  }
  return join_lines(lines);
}

std::string many_observables(int n) {
  std::string out = "[";
  for (int k = 0; k < n; ++k)
    out += "{ name = \"o" + std::to_string(k) + "\", terms = [[1, \"sz\", 0]] }, ";
  return out + "]";
}

std::vector<TargetedCase> targeted_cases() {
  const std::string sites = "sites = ";
  const std::string qudit64 = "[[\"1\", \"n\", \"A\"]]";
  std::vector<TargetedCase> c{
      {"boson100000", "qubit", {{sites, sites + "[\"boson100000\"]"}}, {}},
      {"spin1000", "qubit", {{sites, sites + "[\"spin1000\"]"}}, {}},
      {"qudit999999", "qubit", {{sites, sites + "[\"qudit999999\"]"}}, {}},
      {"qudit 10 digits", "qubit", {{sites, sites + "[\"qudit9999999999\"]"}}, {}},
      {"40 spin1/2", "qubit", {{sites, sites + site_list("spin1/2", 40)}}, {}},
      {"30 spin1/2 (2^30, valid)", "qubit", {{sites, sites + site_list("spin1/2", 30)}}, {}},
      {"31 spin1/2", "qubit", {{sites, sites + site_list("spin1/2", 31)}}, {}},
      {"12 spin1/2 (d = 4096, derived)", "qubit", {{sites, sites + site_list("spin1/2", 12)}}, {}},
      {"3 boson1023 (2^30, valid)", "oscillator", {{sites, sites + site_list("boson1023", 3)}}, {}},
      {"boson1023 x boson3 (d = 4096, derived)",
       "oscillator",
       {{sites, sites + "[\"boson1023\", \"boson3\"]"}},
       {}},
      {"spin1023/2 (d = 1024, derived)",
       "qubit",
       {{sites, sites + "[\"spin1023/2\"]"},
        {"hamiltonian = [[\"Omega/2\"", "hamiltonian = [[1, \"Sz\", 0]]"},
        {"coupling",
         "coupling = [[\"g\", \"Sp\", 0, \"sm\", \"A\"], [\"g\", \"Sm\", 0, \"sp\", \"A\"]]"},
        {"observables", "observables = [{ name = \"Sx\", terms = [[1.0, \"Sx\", 0]] }]"},
        {"  { name = \"s", ""},
        {"  { name = \"s", ""},
        {"  { name = \"s", ""},
        {"]", ""}},
       {}},
      {"qudit64 ancilla on d = 4096",
       "qubit",
       {{sites, sites + site_list("qudit64", 2)},
        {"hamiltonian = [[\"Omega/2\", \"sz\", 0]]", "hamiltonian = [[1, \"n\", 0]]"},
        {"ancilla", "ancilla = \"qudit64\""},
        {"hamiltonian = [[\"Omega/2\", \"sz\", \"A\"]]", "hamiltonian = " + qudit64},
        {"coupling",
         "coupling = [[\"g\", \"proj01\", 1, \"proj10\", \"A\"], [\"g\", \"proj10\", 1, "
         "\"proj01\", \"A\"]]"},
        {"chi", ""},
        {"observables", "observables = []"},
        {"  { name = \"s", ""},
        {"  { name = \"s", ""},
        {"  { name = \"s", ""},
        {"]", ""}},
       {}},
      {"qudit65 ancilla", "qubit", {{"ancilla", "ancilla = \"qudit65\""}}, {}},
      {"model sites = 60", "xxz_chain", {}, {{"system.model.sites", "60"}}},
      {"model sites = 30 (2^30, valid)", "xxz_chain", {}, {{"system.model.sites", "30"}}},
      {"model sites = 31", "xxz_chain", {}, {{"system.model.sites", "31"}}},
      {"model sites = 12 (d = 4096, derived)", "xxz_chain", {}, {{"system.model.sites", "12"}}},
      {"model sites = int64 min",
       "xxz_chain",
       {},
       {{"system.model.sites", "-9223372036854775808"}}},
      {"model sites = 1e300", "xxz_chain", {}, {{"system.model.sites", "1e300"}}},
      {"model sites = nan", "xxz_chain", {}, {{"system.model.sites", "nan"}}},
      {"lambda = nan", "qubit", {{"lambda", "lambda = nan"}}, {}},
      {"lambda = inf", "qubit", {}, {{"species.bath.lambda", "inf"}}},
      {"lambda = 1e308", "qubit", {}, {{"species.bath.lambda", "1e308"}}},
      {"beta = nan", "qubit", {}, {{"species.bath.beta", "nan"}}},
      {"beta = inf", "qubit", {}, {{"species.bath.beta", "inf"}}},
      {"beta = 1e-320", "maser", {}, {{"species.hot.beta", "1e-320"}}},
      {"temperature = 5e-324", "maser", {{"beta = 0.2", "temperature = 5e-324"}}, {}},
      {"temperature = nan", "maser", {{"beta = 0.2", "temperature = nan"}}, {}},
      {"tau = inf", "qubit", {}, {{"collide.tau", "[inf]"}}},
      {"tau = 5e-324", "qubit", {}, {{"collide.tau", "[5e-324]"}}},
      {"tau = nan", "qubit", {}, {{"collide.tau", "nan"}}},
      {"t_final = inf", "qubit", {}, {{"evolve.t_final", "inf"}}},
      {"nev = int64 max", "qubit", {}, {{"steady.nev", "9223372036854775807"}}},
      {"store_states = -1", "qubit", {}, {{"evolve.store_states", "-1"}}},
      {"basis index = -1", "oscillator", {{"index", "index = -1"}}, {}},
      {"basis index = int64 min", "oscillator", {{"index", "index = -9223372036854775808"}}, {}},
      {"basis index = 2^62", "oscillator", {{"index", "index = 4611686018427387904"}}, {}},
      {"product = [-1]", "qubit", {{"state", "state = \"product\"\nproduct = [-1]"}}, {}},
      {"product = [1e300]", "qubit", {{"state", "state = \"product\"\nproduct = [1e300]"}}, {}},
      {"site index -1",
       "qubit",
       {{"hamiltonian = [[\"Omega/2\", \"sz\", 0]]", "hamiltonian = [[\"Omega/2\", \"sz\", -1]]"}},
       {}},
      {"site index int64 max",
       "qubit",
       {{"hamiltonian = [[\"Omega/2\", \"sz\", 0]]",
         "hamiltonian = [[1, \"sz\", 9223372036854775807]]"}},
       {}},
      {"site index 2^32", "qubit", {}, {{"system.hamiltonian", "[[1, \"sz\", 4294967296]]"}}},
      {"proj with huge levels",
       "maser",
       {},
       {{"system.hamiltonian", "[[1, \"proj999999999_999999999\", 0]]"}}},
      {"coefficient 1e308 twice (inf on H_S)",
       "qubit",
       {},
       {{"system.hamiltonian", "[[1e308, \"sz\", 0], [1e308, \"sz\", 0]]"}}},
      {"coefficient 1e308 twice (inf on H_A)",
       "qubit",
       {},
       {{"species.bath.hamiltonian", "[[1e308, \"sz\", \"A\"], [1e308, \"sz\", \"A\"]]"}}},
      {"coefficient 1e308 n on boson ancilla",
       "qubit",
       {},
       {{"species.bath.ancilla", "\"boson3\""},
        {"species.bath.hamiltonian", "[[1e308, \"n\", \"A\"]]"},
        {"species.bath.coupling",
         "[[1, \"sx\", 0, \"a\", \"A\"], [1, \"sx\", 0, \"adag\", \"A\"]]"},
        {"species.bath.chi", "\"proj01\""}}},
      {"coefficient 1e308 twice (inf on V)",
       "qubit",
       {},
       {{"species.bath.coupling",
         "[[1e308, \"sx\", 0, \"sx\", \"A\"], [1e308, \"sx\", 0, \"sx\", \"A\"]]"}}},
      {"coefficient 1e308 on V",
       "qubit",
       {},
       {{"species.bath.coupling", "[[1e308, \"sx\", 0, \"sx\", \"A\"]]"}}},
      {"coefficient 1e-320 on V",
       "qubit",
       {},
       {{"species.bath.coupling", "[[1e-320, \"sx\", 0, \"sx\", \"A\"]]"}}},
      {"chi 1e308", "qubit", {}, {{"species.bath.chi", "[[0, 1e308], [1e308, 0]]"}}},
      {"chi 1e-320", "qubit", {}, {{"species.bath.chi", "[[0, 1e-320], [1e-320, 0]]"}}},
      {"chi nan", "qubit", {}, {{"species.bath.chi", "[[0, nan], [nan, 0]]"}}},
      {"H_A 1e-320", "qubit", {}, {{"species.bath.hamiltonian", "[[1e-320, \"sz\", \"A\"]]"}}},
      {"H_A 1e308", "qubit", {}, {{"species.bath.hamiltonian", "[[1e308, \"sz\", \"A\"]]"}}},
      {"H_A 1e308 off-diagonal",
       "qubit",
       {},
       {{"species.bath.hamiltonian", "[[1e308, \"sx\", \"A\"], [1e307, \"sz\", \"A\"]]"}}},
      {"H_A inf - inf on a boson",
       "oscillator",
       {},
       {{"species.bath.ancilla", "\"boson3\""},
        {"species.bath.hamiltonian",
         "[[1e308, \"n\", \"A\"], [-1e308, \"n\", \"A\"], [1e308, \"n\", \"A\"]]"},
        {"species.bath.coupling",
         "[[\"g\", \"a\", 0, \"adag\", \"A\"], [\"g\", \"adag\", 0, \"a\", \"A\"]]"}}},
      {"lambda 1e308 with chi 1e308",
       "qubit",
       {},
       {{"species.bath.lambda", "1e308"}, {"species.bath.chi", "[[0, 1e308], [1e308, 0]]"}}},
      {"H_A zero", "qubit", {}, {{"species.bath.hamiltonian", "[]"}}},
      {"expression 1e308*10", "qubit", {}, {{"params.g", "\"1e308*10\""}}},
      {"expression 1/0", "qubit", {}, {{"params.g", "\"1/0\""}}},
      {"parameter cycle", "qubit", {}, {{"params.g", "\"Omega\""}, {"params.Omega", "\"g\""}}},
      {"parameter named like a function", "qubit", {}, {{"params.sin", "1"}}},
      {"long expression", "qubit", {}, {{"params.g", quoted(repeat("g+", 20000) + "1")}}},
      {"nested parentheses",
       "qubit",
       {},
       {{"params.x", quoted(repeat("(", 100000) + "1" + repeat(")", 100000))}}},
      {"deep array 256", "qubit", {{"lambda", "lambda = " + nested_array(256)}}, {}},
      {"deep array 100000", "qubit", {{"lambda", "lambda = " + nested_array(100000)}}, {}},
      {"deep inline tables",
       "qubit",
       {{"lambda", "lambda = " + repeat("{a=", 100000) + "1" + repeat("}", 100000)}},
       {}},
      {"deep dotted key 1000", "qubit", {{"title", repeat("t.", 1000) + "t = 1"}}, {}},
      {"deep dotted key 100000", "qubit", {{"title", repeat("t.", 100000) + "t = 1"}}, {}},
      {"dotted key of 16 parts", "qubit", {{"title", repeat("t.", 15) + "t = 1"}}, {}},
      {"dotted key of 17 parts", "qubit", {{"title", repeat("t . ", 16) + "t = 1"}}, {}},
      {"quoted dotted key 100000", "qubit", {{"title", repeat("\"t\".", 100000) + "t = 1"}}, {}},
      {"dotted key in inline table 100000",
       "qubit",
       {{"lambda", "lambda = { " + repeat("a.", 100000) + "a = 1 }"}},
       {}},
      {"dots in strings (loads)",
       "qubit",
       {{"title", "title = \"" + repeat("a.", 1000) + "\""},
        {"output", "output = '''\n" + repeat("b.", 1000) + "\n'''"}},
       {}},
      {"many floats in an array (loads)",
       "qubit",
       {{"tau = ", "tau = [" + repeat("0.5, ", 1000) + "0.1]"}},
       {}},
      {"--set deep dotted inline table",
       "qubit",
       {},
       {{"params.g", "{ " + repeat("a.", 100000) + "a = 1 }"}}},
      {"deep table header 100000", "qubit", {{"title", "[" + repeat("t.", 100000) + "t]"}}, {}},
      {"--set key with 100000 parts", "qubit", {}, {{repeat("x.", 100000) + "x", "1"}}},
      {"--set deep array value", "qubit", {}, {{"species.bath.lambda", nested_array(100000)}}},
      {"--set invalid UTF-8 value", "qubit", {}, {{"params.g", "\xff\xfe"}}},
      {"--set invalid UTF-8 key", "qubit", {}, {{"params.\xff", "1"}}},
      {"--set NUL in value", "qubit", {}, {{"params.g", std::string("1\0x", 3)}}},
      {"--set newline in value", "qubit", {}, {{"run.output", "a\nb = 1"}}},
      {"--set empty key and value", "qubit", {}, {{"", ""}}},
      {"sweep count 1e12",
       "qubit",
       {{"[checkpoint]", "[sweep]\nkey = \"params.g\"\nstart = 0\nstop = 1\ncount = 1000000000000"},
        {"every_seconds", ""}},
       {}},
      {"sweep count int64 max",
       "qubit",
       {},
       {{"sweep.key", "\"params.g\""},
        {"sweep.start", "0"},
        {"sweep.stop", "1"},
        {"sweep.count", "9223372036854775807"}}},
      {"sweep from -1e308 to 1e308",
       "qubit",
       {},
       {{"sweep.key", "\"params.g\""},
        {"sweep.start", "-1e308"},
        {"sweep.stop", "1e308"},
        {"sweep.count", "3"}}},
      {"sweep key of 1000 parts",
       "qubit",
       {},
       {{"sweep.key", quoted(repeat("x.", 1000) + "x")}, {"sweep.values", "[1]"}}},
      {"sweep values inf",
       "qubit",
       {},
       {{"sweep.key", "\"species.bath.lambda\""}, {"sweep.values", "[inf, -inf]"}}},
      {"title with NUL escape", "qubit", {{"title", "title = \"\\u0000\""}}, {}},
      {"BOM", "qubit", {{"title", "\xef\xbb\xbftitle = \"x\""}}, {}},
      {"invalid UTF-8 in a comment", "qubit", {{"#", "# \xff\xfe"}}, {}},
      {"NUL byte", "qubit", {{"title", std::string("title = \"a\0b\"", 13)}}, {}},
      {"CR line ends", "qubit", {{"title", "title = \"x\"\r\r\r"}}, {}},
      {"10^4 observables", "qubit", {}, {{"evolve.observables", many_observables(10000)}}},
      {"1 MB title", "qubit", {{"title", "title = \"" + repeat("x", 1 << 20) + "\""}}, {}},
  };
  for (auto& t : c) t.seed = "inputs/" + t.seed + ".toml";
  return c;
}

TEST(FuzzDeck, HostileDecksLoadOrFailCleanly) {
  const std::vector<SeedDeck> seeds = seed_decks();
  const int rank = qcoll::testing::rank(), size = qcoll::testing::size();
  const bool verbose = env_long("QCOLL_FUZZ_VERBOSE", 0) != 0;
  const std::vector<TargetedCase> cases = targeted_cases();
  CaseRunner runner(verbose);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (static_cast<int>(i % size) != rank) continue;
    const TargetedCase& t = cases[i];
    auto base = std::find_if(seeds.begin(), seeds.end(),
                             [&](const SeedDeck& s) { return s.name == t.seed; });
    ASSERT_NE(base, seeds.end()) << t.seed;
    const std::string text = edited(base->text, t.edits);
    runner.run("hostile deck '" + t.name + "'", text, t.overrides,
               "hostile deck '" + t.name + "'\n" + describe(i, 0, *base, text, t.overrides, 300));
  }
  const auto all = runner.summary("hostile decks");
  EXPECT_EQ(all[0], static_cast<long>(cases.size()));
  EXPECT_EQ(all[3], 0);
}

TEST(FuzzDeck, MutatedDecksLoadOrFailCleanly) {
  const std::vector<SeedDeck> seeds = seed_decks();
  ASSERT_GE(seeds.size(), 4u);
  const auto seed = static_cast<std::uint32_t>(env_long("QCOLL_FUZZ_SEED", kDefaultSeed));
  const long cases = env_long("QCOLL_FUZZ_CASES", kDefaultCases);
  const long only = env_long("QCOLL_FUZZ_CASE", -1);
  const bool verbose = env_long("QCOLL_FUZZ_VERBOSE", 0) != 0;
  const int rank = qcoll::testing::rank(), size = qcoll::testing::size();

  CaseRunner runner(verbose);
  for (long i = 0; i < cases; ++i) {
    if (only >= 0 ? i != only : i % size != rank) continue;
    std::seed_seq seq{seed, static_cast<std::uint32_t>(i)};
    Rng rng(seq);
    Mutator mutator{rng, seeds};
    const SeedDeck& base = pick(rng, seeds);
    // Cases i % 10 == 0..3: any mutations of the text, a third of them with
    // nonsense --set overrides as well; 4..6: one value-level mutation; 7:
    // one value-level mutation and --set overrides; 8: tame --set overrides
    // of a valid deck; 9: nonsense --set overrides of a valid deck.
    std::string text = base.text;
    std::vector<Override> overrides;
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        text = mutator.mutate(text);
        if (chance(rng, 0.33)) overrides = mutator.overrides(/*wild=*/true, text);
        break;
      case 4:
      case 5:
      case 6:
        text = mutator.mutate_value(text);
        break;
      case 7:
        text = mutator.mutate_value(text);
        overrides = mutator.overrides(chance(rng, 0.3), text);
        break;
      case 8:
        overrides = mutator.overrides(/*wild=*/false, text);
        break;
      default:
        overrides = mutator.overrides(/*wild=*/true, text);
        break;
    }
    if (only >= 0) std::printf("%s\n", describe(i, seed, base, text, overrides, 1 << 20).c_str());
    runner.run("case " + std::to_string(i), text, overrides,
               describe(i, seed, base, text, overrides, 300));
  }
  const auto all = runner.summary("fuzz");
  if (only < 0) {
    EXPECT_EQ(all[0], cases);
    // The mutations must leave enough decks valid to exercise derive and check.
    EXPECT_GT(all[1], cases / 20) << "too few mutated decks load";
    EXPECT_GT(all[2], cases / 40) << "too few mutated decks reach derive_master_equation";
  }
  EXPECT_EQ(all[3], 0);
}

}  // namespace
