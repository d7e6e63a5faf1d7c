// Loading a deck: TOML parsing, overrides, validation into Deck.
#include "qcoll/io/deck.hpp"

#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "deck_model.hpp"
#include "deck_overrides.hpp"
#include "deck_reader.hpp"
#include "deck_schema.hpp"
#include "deck_settings.hpp"

namespace qcoll {

using deck_detail::compose_message;

namespace {

toml::table parse_toml(const std::string& text, const std::string& path) {
  if (const int line = deck_detail::line_of_overlong_key(text)) {
    throw DeckError(compose_message(path, "", line,
                                    "a dotted key or table name with more than " +
                                        std::to_string(deck_detail::kMaxKeyParts) +
                                        " parts; deck keys have at most 3 (species.<name>.<key>)"),
                    "", line);
  }
  try {
    return toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    const int line = static_cast<int>(e.source().begin.line);
    const std::string message = "TOML syntax error at column " +
                                std::to_string(e.source().begin.column) + ": " +
                                std::string(e.description());
    throw DeckError(compose_message(path, "", line, message), "", line);
  }
}

// "species[hot].lambda" -> "species.hot.lambda".
std::string normalise_key(std::string key) {
  const std::string prefix = "species[";
  if (key.compare(0, prefix.size(), prefix) != 0) return key;
  const std::size_t close = key.find(']');
  if (close == std::string::npos) return key;
  const std::string name = key.substr(prefix.size(), close - prefix.size());
  const bool numeric = !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) return key;
  return "species." + name + key.substr(close + 1);
}

// The recorded line of `key` or of its nearest recorded parent.
int line_of_key(const std::map<std::string, int>& lines, std::string key) {
  key = normalise_key(key);
  while (!key.empty()) {
    if (auto it = lines.find(key); it != lines.end()) return it->second;
    const std::size_t cut = key.find_last_of(".[");
    if (cut == std::string::npos) break;
    key.erase(cut);
  }
  return 0;
}

void validate(deck_detail::Context& ctx, const toml::table& root, Deck& deck) {
  using namespace deck_detail;
  TableReader top(ctx, root, "", kTopKeys);
  deck.title = top.string("title").value_or("");
  deck.params = read_params(ctx, root);
  read_system(ctx, root, deck.params, deck.model);
  read_species(ctx, root, deck.params, deck.model);
  read_initial(ctx, root, deck.model);
  deck.run = read_run(ctx, root);
  deck.evolve = read_evolve(ctx, root, deck.params, deck.model);
  deck.steady = read_steady(ctx, root);
  deck.collide = read_collide(ctx, root);
  deck.checkpoint = read_checkpoint(ctx, root);
  deck.machine = read_machine(ctx, root, deck.model);
  deck.sweep = read_sweep(ctx, root);
}

}  // namespace

Override parse_override(const std::string& text) {
  const std::size_t eq = text.find('=');
  const std::string key = eq == std::string::npos ? "" : text.substr(0, eq);
  if (eq == std::string::npos || key.find_first_not_of(" \t") == std::string::npos) {
    throw DeckError("--set " + text +
                        ": expected KEY=VALUE with a dotted deck key, e.g. --set params.g=0.5 "
                        "or --set species.hot.lambda=0.2",
                    text, kSetOnCommandLine);
  }
  auto trim = [](const std::string& s) {
    const auto a = s.find_first_not_of(" \t");
    return a == std::string::npos ? std::string() : s.substr(a, s.find_last_not_of(" \t") - a + 1);
  };
  return {trim(key), trim(text.substr(eq + 1))};
}

Deck load_deck_from_string(const std::string& text, const std::string& path,
                           const std::vector<Override>& overrides) {
  Deck deck;
  deck.path = path;
  deck.source_text = text;
  deck.overrides = overrides;
  deck_detail::Context ctx(path);
  toml::table root = parse_toml(text, path);
  for (const Override& ov : overrides) deck_detail::apply_override(ctx, root, ov);
  std::ostringstream os;
  os << root;
  deck.toml = os.str();
  try {
    validate(ctx, root, deck);
  } catch (const DeckError&) {
    throw;
  } catch (const InputError& e) {
    // A check inside the model layer: report it at its key's line.
    const int line = e.line() ? e.line() : line_of_key(ctx.key_lines(), e.key());
    throw DeckError(compose_message(path, e.key(), line, e.what()), e.key(), line);
  }
  deck.key_lines = std::move(ctx.key_lines());
  return deck;
}

Deck load_deck(const std::string& path, const std::vector<Override>& overrides) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw DeckError(path + " is a directory, not a deck file: give the TOML deck, e.g. " +
                        (path.empty() || path.back() == '/' ? path : path + "/") + "qubit.toml",
                    "", 0);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw DeckError(path + ": cannot read the deck file (" + std::strerror(errno) + ")", "", 0);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_deck_from_string(text.str(), path, overrides);
}

Deck with_override(const Deck& deck, const Override& extra) {
  return with_overrides(deck, {extra});
}

Deck with_overrides(const Deck& deck, const std::vector<Override>& extra) {
  std::vector<Override> overrides = deck.overrides;
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return load_deck_from_string(deck.source_text, deck.path, overrides);
}

namespace {

// `v` as TOML text that reads back exactly (integral values as integers).
std::string exact_text(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::abs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace

std::size_t SweepSettings::count() const {
  if (axes.empty()) return 0;
  std::size_t n = mode == "zip" ? axes.front().values.size() : 1;
  if (mode != "zip")
    for (const SweepAxis& a : axes) n *= a.values.size();
  return n;
}

std::vector<std::size_t> SweepSettings::axis_index(std::size_t k) const {
  std::vector<std::size_t> index(axes.size(), k);
  if (mode == "zip") return index;
  for (std::size_t i = axes.size(); i-- > 0;) {  // last axis fastest
    index[i] = k % axes[i].values.size();
    k /= axes[i].values.size();
  }
  return index;
}

Override sweep_override(const SweepSettings& sweep, std::size_t index) {
  return sweep_overrides(sweep, index).at(0);
}

std::vector<Override> sweep_overrides(const SweepSettings& sweep, std::size_t index) {
  const std::vector<std::size_t> at = sweep.axis_index(index);
  std::vector<Override> out;
  for (std::size_t i = 0; i < sweep.axes.size(); ++i)
    out.push_back({sweep.axes[i].key, exact_text(sweep.axes[i].values.at(at[i]))});
  return out;
}

std::string format_input_error(const InputError& e, const Deck* deck) {
  if (dynamic_cast<const DeckError*>(&e)) return e.what();
  int line = e.line();
  if (line == 0 && deck && !e.key().empty()) line = line_of_key(deck->key_lines, e.key());
  return compose_message(deck ? deck->path : "", e.key(), line, e.what());
}

}  // namespace qcoll
