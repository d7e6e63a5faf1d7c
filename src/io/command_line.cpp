#include "qcoll/io/command_line.hpp"

#include <algorithm>
#include <cctype>

namespace qcoll {
namespace {

bool is_task(const std::string& s) {
  const auto& t = known_tasks();
  return std::find(t.begin(), t.end(), s) != t.end();
}

InputError usage_error(const std::string& what) {
  return InputError(what +
                        ". Usage: qcoll [TASK] DECK.toml [-o OUT.h5] [--set KEY=VALUE ...] "
                        "[PETSc options]; see qcoll --help",
                    "command line");
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Whether the argument after a PETSc option is that option's value: anything
// not starting with '-' (or a negative number), except a task name or a deck.
bool takes_as_value(const std::string& next) {
  if (next.empty()) return true;
  const bool negative_number =
      next.size() > 1 && next[0] == '-' &&
      (std::isdigit(static_cast<unsigned char>(next[1])) || next[1] == '.');
  if (next[0] == '-' && !negative_number) return false;
  return !is_task(next) && !ends_with(next, ".toml");
}

// PETSc's options that read a file of options (case-insensitive, as PETSc).
bool names_options_file(std::string a) {
  for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return a == "-options_file" || a == "-options_file_yaml";
}

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine cl;
  auto value_of = [&](size_t& i, const std::string& flag) -> std::string {
    if (i + 1 >= args.size()) throw usage_error(flag + " needs a value");
    return args[++i];
  };
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      cl.help = true;
    } else if (a == "--version") {
      cl.version = true;
    } else if (a == "-o" || a == "--output") {
      cl.output = value_of(i, a);
    } else if (a.rfind("--output=", 0) == 0) {
      cl.output = a.substr(9);
    } else if (a == "--set") {
      cl.overrides.push_back(parse_override(value_of(i, a)));
    } else if (a.rfind("--set=", 0) == 0) {
      cl.overrides.push_back(parse_override(a.substr(6)));
    } else if (a == "--restart") {
      cl.restart = value_of(i, a);
    } else if (a == "--overwrite") {
      cl.overwrite = true;
    } else if (a == "--force") {
      cl.force = true;
    } else if (a == "--sweep-index") {
      const std::string v = value_of(i, a);
      try {
        size_t used = 0;
        cl.sweep_index = std::stoll(v, &used);
        if (used != v.size() || *cl.sweep_index < 0) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw usage_error("--sweep-index expects a non-negative integer, got '" + v + "'");
      }
    } else if (a.rfind("--", 0) == 0) {
      throw usage_error("unknown option " + a);
    } else if (names_options_file(a)) {
      // Its value is always a file name, even one ending in .toml: never the deck.
      if (i + 1 >= args.size() || args[i + 1].empty() || args[i + 1][0] == '-')
        throw usage_error(a + " needs a file name after it (a file of PETSc options)");
      cl.petsc_args.push_back(a);
      cl.petsc_args.push_back(args[++i]);
    } else if (a.size() > 1 && a[0] == '-' &&
               (std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.')) {
      // A negative number where an option name belongs: PETSc would take it
      // as the value of whatever option came before it.
      throw usage_error("'" + a + "' is not an option name (a value whose option is missing?)");
    } else if (a.size() > 1 && a[0] == '-') {
      // A PETSc/SLEPc option and, if present, its value.
      cl.petsc_args.push_back(a);
      if (i + 1 < args.size() && takes_as_value(args[i + 1])) cl.petsc_args.push_back(args[++i]);
    } else {
      positional.push_back(a);
    }
  }
  if (cl.help || cl.version) return cl;
  if (!positional.empty() && is_task(positional[0])) {
    cl.task = positional[0];
    positional.erase(positional.begin());
  }
  if (positional.empty()) throw usage_error("no input deck given");
  if (positional.size() > 1) {
    std::string tasks;
    for (const std::string& t : known_tasks()) tasks += (tasks.empty() ? "" : ", ") + t;
    throw usage_error("unknown task '" + positional[0] + "' (tasks: " + tasks + ")");
  }
  cl.deck = positional[0];
  return cl;
}

std::string usage_text() {
  return R"(qcoll - thermodynamics of weakly coherent collisional models

usage:
  qcoll [TASK] DECK.toml [-o OUT.h5] [--set KEY=VALUE ...] [PETSc/SLEPc options]
  qcoll check DECK.toml [--set KEY=VALUE ...]
  qcoll --version | --help

tasks:
  evolve     master-equation time evolution (PETSc TS or SLEPc MFN)
  steady     non-equilibrium steady state and its thermodynamics
  spectrum   slowest Liouvillian eigenvalues and the spectral gap
  collide    exact finite-tau collisional map, per-collision thermodynamics
  check      validate the deck and summarise it; solves nothing
  (default: the deck's [run] task)

options:
  -o, --output FILE    HDF5 output (default: [run] output, else DECK.h5)
  --set KEY=VALUE      override a deck key (TOML value), e.g.
                       --set species.bath.lambda=0.3 --set params.g=0.5
  --overwrite          replace an existing output file
  --restart FILE.h5    continue an evolve or collide run from FILE.h5.checkpoint
                       (a no-op when FILE.h5 is already complete)
  --sweep-index K      run only point K of the deck's [sweep]
  --force              run even if the memory or output estimate exceeds the
                       machine (memory per rank, free disk of the output directory)
  -anything            passed to PETSc/SLEPc (-ts_type bdf, -eps_nev 4, -log_view,
                       -options_file FILE); options no solver read are named at the end

Run in parallel with mpiexec -n N qcoll ...; see README.md and docs/.
)";
}

}  // namespace qcoll
