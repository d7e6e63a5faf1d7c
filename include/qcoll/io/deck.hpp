#pragma once
// The input deck (TOML): parsing, --set overrides, validation -> Model + run settings.
// See docs/input.md for every key and its default.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "qcoll/model/expression.hpp"
#include "qcoll/model/model.hpp"
#include "qcoll/problem/settings.hpp"

namespace qcoll {

// One swept key and its values.
struct SweepAxis {
  std::string key;  // dotted deck key, e.g. "species.hot.lambda"
  std::vector<double> values;
};

// [sweep]: one key (key = ..., values or start/stop/count), or several axes
// ([[sweep.axis]], each like the one-key form) combined as a grid (cartesian
// product, last axis fastest) or zipped (point k takes value k of each).
struct SweepSettings {
  std::string key;              // the one-key form: the key (axes[0].key); "" with axes
  std::vector<double> values;   // the one-key form: its values (axes[0].values)
  std::vector<SweepAxis> axes;  // every axis (one for the one-key form)
  std::string mode = "grid";    // grid | zip

  std::size_t count() const;
  // The value index of each axis at point k.
  std::vector<std::size_t> axis_index(std::size_t k) const;
};

// One `--set KEY=VALUE` override; VALUE is TOML syntax (a bare word that is not
// valid TOML is taken as a string).
struct Override {
  std::string key;
  std::string value;
};

// The deck: its typed settings (the base, what every point reads) plus the
// model, the sweep and where it all came from.
struct Deck : Settings {
  std::string path;  // file the deck came from
  std::string title;
  std::string toml;                 // the full deck after overrides, as TOML text
  std::string source_text;          // the deck text before overrides
  std::vector<Override> overrides;  // the overrides applied, in order
  // Dotted key -> source line for every key the loader validated (e.g.
  // "species.hot.lambda", "system.hamiltonian[2]"); kSetOnCommandLine for
  // values given with --set. Lets later layers report an InputError that
  // carries a key but no line (see format_input_error).
  std::map<std::string, int> key_lines;
  Parameters params;
  Model model;
  std::optional<SweepSettings> sweep;
};

// Line number recorded for a value that came from `--set`.
inline constexpr int kSetOnCommandLine = -1;

// An InputError whose what() is already the complete one-paragraph message
// (file, line, key, what was expected). Everything load_deck throws is one.
class DeckError : public InputError {
 public:
  using InputError::InputError;
};

// Parses "KEY=VALUE"; throws InputError if there is no '='.
Override parse_override(const std::string& text);

// Reads, overrides, validates. Throws InputError whose message names the
// file, the line, the key and what was expected.
Deck load_deck(const std::string& path, const std::vector<Override>& overrides = {});
// The same from TOML text (`path` only used in messages).
Deck load_deck_from_string(const std::string& text, const std::string& path,
                           const std::vector<Override>& overrides = {});

// Re-loads the deck from its original text with all of its overrides plus
// `extra` (applied last). Used for sweeps; errors are reported as for --set.
Deck with_override(const Deck& deck, const Override& extra);
Deck with_overrides(const Deck& deck, const std::vector<Override>& extra);

// The override of the one-key sweep at point `index` (value written so that
// it reads back exactly; integral values as TOML integers).
Override sweep_override(const SweepSettings& sweep, std::size_t index);
// Every axis' override at point `index`.
std::vector<Override> sweep_overrides(const SweepSettings& sweep, std::size_t index);

// The final one-paragraph message for an input error: a DeckError's message
// unchanged; otherwise "<file>, line <n>, key <key>: <message>", the line
// taken from deck->key_lines when the error carries none (the key, or its
// nearest recorded parent; "species[x]" is read as "species.x"). `deck` may
// be null.
std::string format_input_error(const InputError& e, const Deck* deck);

}  // namespace qcoll
