#pragma once
// The input deck (TOML): parsing, --set overrides, validation -> Model + run settings.
// See docs/input.md for every key and its default.
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
  double tol = 1e-10;
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

struct Deck {
  std::string path;      // file the deck came from
  std::string title;
  std::string toml;      // the full deck after overrides, as TOML text
  Parameters params;
  Model model;
  RunSettings run;
  EvolveSettings evolve;
  SteadySettings steady;
  CollideSettings collide;
  CheckpointSettings checkpoint;
  std::optional<SweepSettings> sweep;
};

// One `--set KEY=VALUE` override; VALUE is TOML syntax (a bare word that is not
// valid TOML is taken as a string).
struct Override {
  std::string key;
  std::string value;
};
// Parses "KEY=VALUE"; throws InputError if there is no '='.
Override parse_override(const std::string& text);

// Reads, overrides, validates. Throws InputError whose message names the
// file, the line, the key and what was expected.
Deck load_deck(const std::string& path, const std::vector<Override>& overrides = {});
// The same from TOML text (`path` only used in messages).
Deck load_deck_from_string(const std::string& text, const std::string& path,
                           const std::vector<Override>& overrides = {});

}  // namespace qcoll
