// qcoll command line (being built: see src/cli/). Prints the version for now.
#include <cstdio>

#include "qcoll/version.hpp"

int main() {
  std::printf("qcoll %s (%s)\n", qcoll::kVersion, qcoll::kGitCommit);
  return 0;
}
