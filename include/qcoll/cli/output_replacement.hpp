#pragma once
// Where a run writes its output. A new output is written in place. An
// existing one that --overwrite replaces is written as OUT.h5.new and moved
// over OUT.h5 only when the run ends with something to keep (finished, or
// stopped to be continued): a run that fails (a full disk, a solver error, a
// kill) leaves the old file as it was.
#include <mpi.h>

#include <string>

namespace qcoll {

class OutputReplacement {
 public:
  // `replace`: `output` exists and is to be replaced (not a restart).
  OutputReplacement(MPI_Comm comm, const std::string& output, bool replace);
  ~OutputReplacement();  // removes OUT.h5.new unless commit() was called (rank 0)
  OutputReplacement(const OutputReplacement&) = delete;
  OutputReplacement& operator=(const OutputReplacement&) = delete;

  const std::string& path() const { return writing_; }  // the file to write
  bool replacing() const { return writing_ != output_; }
  // Collective, after the file is closed: moves OUT.h5.new over OUT.h5
  // (atomically, rank 0); throws std::runtime_error when it cannot.
  void commit();

 private:
  MPI_Comm comm_;
  std::string output_, writing_;
  bool committed_ = false;
};

}  // namespace qcoll
