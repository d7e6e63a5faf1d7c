#pragma once
// Private to the deck loader: the valid keys of every deck table.
#include <string_view>
#include <vector>

namespace qcoll::deck_detail {

using KeyList = std::vector<std::string_view>;

inline const KeyList kTopKeys{"title",  "params", "system",  "species",    "initial", "run",
                              "evolve", "steady", "collide", "checkpoint", "sweep",   "machine"};
inline const KeyList kSystemKeys{"sites", "hamiltonian", "model"};
inline const KeyList kModelKeys{"name", "sites", "J", "Delta", "h"};
inline const KeyList kSpeciesKeys{"name",        "ancilla",  "hamiltonian", "beta",
                                  "temperature", "coupling", "lambda",      "chi"};
inline const KeyList kInitialKeys{"state", "beta", "temperature", "index", "product"};
inline const KeyList kRunKeys{"task", "output"};
inline const KeyList kEvolveKeys{"t_final", "dt_output", "method",       "rtol",
                                 "atol",    "entropy",   "store_states", "observables"};
inline const KeyList kObservableKeys{"name", "terms"};
inline const KeyList kSteadyKeys{"method", "gap", "nev", "tol", "symmetry", "fluctuations"};
inline const KeyList kMachineKeys{"hot", "cold"};
inline const KeyList kCollideKeys{"tau", "t_final", "compare_master_equation", "output_every"};
inline const KeyList kCheckpointKeys{"every_seconds"};
inline const KeyList kSweepKeys{"key", "values", "start", "stop", "count", "axis", "mode"};
inline const KeyList kSweepAxisKeys{"key", "values", "start", "stop", "count"};

// Valid keys of the table at a dotted path with species entries collapsed
// ("system.model", "species"); nullptr if the path names no known table,
// an empty list for [params] (any name).
inline const KeyList* keys_of_table(std::string_view path) {
  static const KeyList kAny{};
  if (path.empty()) return &kTopKeys;
  if (path == "params") return &kAny;
  if (path == "system") return &kSystemKeys;
  if (path == "system.model") return &kModelKeys;
  if (path == "species") return &kSpeciesKeys;
  if (path == "initial") return &kInitialKeys;
  if (path == "run") return &kRunKeys;
  if (path == "evolve") return &kEvolveKeys;
  if (path == "steady") return &kSteadyKeys;
  if (path == "collide") return &kCollideKeys;
  if (path == "checkpoint") return &kCheckpointKeys;
  if (path == "sweep") return &kSweepKeys;
  if (path == "machine") return &kMachineKeys;
  return nullptr;
}

}  // namespace qcoll::deck_detail
