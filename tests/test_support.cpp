#include "test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace qcoll::testing {

CommandResult run_qcoll(const std::string& args, const std::string& env) {
  CommandResult result;
  // The child must not inherit the parent's MPI (PMIx) environment, or it
  // would try to join the parent's job instead of starting as a singleton.
  const std::string cmd =
      "env $(env | grep -oE '^(OMPI_COMM|OMPI_MCA_orte|OMPI_FILE|OMPI_UNIVERSE|OMPI_FIRST|OMPI_APP|"
      "OMPI_NUM|OMPI_ARGV|OMPI_COMMAND|OMPI_MCA_ess|OMPI_MCA_pmix|OMPI_MCA_initial|PMIX|OPAL)[^=]*'"
      " "
      "| sed 's/^/-u /') " +
      env + " " + std::string(QCOLL_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string temp_path(const std::string& stem, const std::string& suffix) {
  static int counter = 0;
  return stem + "_" + std::to_string(getpid()) + "_" + std::to_string(rank()) + "_" +
         std::to_string(counter++) + suffix;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string write_temp_file(const std::string& stem, const std::string& suffix,
                            const std::string& text) {
  const std::string path = temp_path(stem, suffix);
  std::ofstream(path) << text;
  return path;
}

std::string small_qubit_deck() {
  return read_text(source_path("tests/decks/small_qubit.toml"));
}

}  // namespace qcoll::testing
