#pragma once
// Helpers shared by the tests: paths, MPI rank info, running the qcoll binary.
#include <mpi.h>
#include <petscsys.h>

#include <string>

namespace qcoll::testing {

inline int rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
inline int size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}
inline std::string source_path(const std::string& rel) {
  return std::string(QCOLL_SOURCE_DIR) + "/" + rel;
}

// Result of running the qcoll binary as a child process (serial, no mpiexec).
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
// Runs `qcoll <args>` through the shell (with extra environment assignments
// `env`, e.g. "A=1 B=2"), capturing output. Only call from one
// rank (tests that spawn processes guard with rank() == 0).
CommandResult run_qcoll(const std::string& args, const std::string& env = "");

// The whole content of a text file ("" when it cannot be read).
std::string read_text(const std::string& path);

// Writes `text` to a new temporary file (temp_path(stem, suffix)); its path.
std::string write_temp_file(const std::string& stem, const std::string& suffix,
                            const std::string& text);

// tests/decks/small_qubit.toml: the smallest complete deck (qubit, weakly
// coherent bath, t_final = 1, dt_output = 0.5, one tau).
std::string small_qubit_deck();

// A unique temporary path (in the test's working directory) ending in `suffix`.
std::string temp_path(const std::string& stem, const std::string& suffix);

// A PETSc option set for the lifetime of the object (e.g. -ts_type in one test).
class ScopedOption {
 public:
  ScopedOption(const char* name, const char* value) : name_(name) {
    PetscOptionsSetValue(nullptr, name, value);
  }
  ~ScopedOption() { PetscOptionsClearValue(nullptr, name_); }
  ScopedOption(const ScopedOption&) = delete;
  ScopedOption& operator=(const ScopedOption&) = delete;

 private:
  const char* name_;
};

}  // namespace qcoll::testing
