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

namespace qcoll {

struct RunSettings {
  std::string task = "evolve";  // evolve | steady | spectrum | collide
  std::string output;           // HDF5 path ("" -> <deck stem>.h5)
};

struct EvolveSettings {
  double t_final = 10.0;
  double dt_output = 0.1;
  std::string method = "ts";  // ts | expm
  double rtol = 1e-8;
  double atol = 1e-10;
  bool entropy = true;
  index_t store_states = 0;  // store rho every k-th output (0: final only)
};

struct SteadySettings {
  std::string method = "auto";  // auto | eigen | direct | iterative | evolve
  bool gap = false;
  index_t nev = 6;  // eigenvalues for the gap / spectrum
  double tol = 1e-13;
  bool symmetry = true;  // solve in the invariant blocks of rho the steady state lives in
};

struct CollideSettings {
  std::vector<double> tau{0.1, 0.05, 0.025, 0.0125};
  double t_final = 10.0;
  bool compare_master_equation = true;
  index_t output_every = 1;  // record every n-th stroke
};

struct CheckpointSettings {
  double every_seconds = 0.0;  // 0: only on signals
};

struct SweepSettings {
  std::string key;  // dotted deck key, e.g. "species.hot.lambda"
  std::vector<double> values;
};

// One `--set KEY=VALUE` override; VALUE is TOML syntax (a bare word that is not
// valid TOML is taken as a string).
struct Override {
  std::string key;
  std::string value;
};

struct Deck {
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
  RunSettings run;
  EvolveSettings evolve;
  SteadySettings steady;
  CollideSettings collide;
  CheckpointSettings checkpoint;
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

// The override for point `index` of a sweep (value written so that it reads
// back exactly; integral values as TOML integers).
Override sweep_override(const SweepSettings& sweep, std::size_t index);

// The final one-paragraph message for an input error: a DeckError's message
// unchanged; otherwise "<file>, line <n>, key <key>: <message>", the line
// taken from deck->key_lines when the error carries none (the key, or its
// nearest recorded parent; "species[x]" is read as "species.x"). `deck` may
// be null.
std::string format_input_error(const InputError& e, const Deck* deck);

}  // namespace qcoll
