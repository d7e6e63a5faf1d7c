#include "qcoll/cli/output_replacement.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace qcoll {

OutputReplacement::OutputReplacement(MPI_Comm comm, const std::string& output, bool replace)
    : comm_(comm), output_(output), writing_(replace ? output + ".new" : output) {}

OutputReplacement::~OutputReplacement() {
  if (committed_ || !replacing()) return;
  int rank = 0, finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Comm_rank(comm_, &rank);
  if (rank == 0) std::remove(writing_.c_str());
}

void OutputReplacement::commit() {
  committed_ = true;
  if (!replacing()) return;
  int rank = 0;
  MPI_Comm_rank(comm_, &rank);
  int error = 0;
  if (rank == 0 && std::rename(writing_.c_str(), output_.c_str()) != 0) error = errno;
  MPI_Bcast(&error, 1, MPI_INT, 0, comm_);
  if (error != 0)
    throw std::runtime_error("cannot move " + writing_ + " over " + output_ + ": " +
                             std::strerror(error));
}

}  // namespace qcoll
