#pragma once
// Parsing of the qcoll command line (interface.md):
//   qcoll [TASK] DECK.toml [-o OUT.h5] [--set KEY=VALUE ...] [--restart FILE.h5]
//         [--overwrite] [--force] [--sweep-index K] [PETSc/SLEPc options ...]
//   qcoll check DECK.toml [--set ...]
//   qcoll --version | --help
// Anything else that starts with '-' is passed to PETSc/SLEPc, with the
// argument after it as its value unless that starts with '-' (negative
// numbers excepted), is a task name, or ends in ".toml". The value of
// -options_file / -options_file_yaml is always taken (it must not start with
// '-'), so an options file is never mistaken for the deck.
#include <optional>
#include <string>
#include <vector>

#include "qcoll/io/deck.hpp"

namespace qcoll {

struct CommandLine {
  std::string task;  // "" -> the deck's [run] task
  std::string deck;
  std::string output;
  std::string restart;
  std::vector<Override> overrides;
  std::vector<std::string> petsc_args;  // passed to SlepcInitialize
  std::optional<long long> sweep_index;
  bool help = false, version = false, overwrite = false, force = false;
};

inline const std::vector<std::string>& known_tasks() {
  static const std::vector<std::string> tasks{"evolve", "steady", "spectrum", "collide", "check"};
  return tasks;
}

// Throws InputError with a usage hint on malformed arguments.
CommandLine parse_command_line(const std::vector<std::string>& args);

std::string usage_text();

}  // namespace qcoll
