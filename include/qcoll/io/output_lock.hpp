#pragma once
// One run per output file: rank 0 holds an exclusive flock on OUT.h5.lock for
// as long as the run writes OUT.h5 (and its checkpoint). A second run on the
// same output is refused instead of both writing one file. The lock goes with
// the process (a killed run leaves no stale lock: the file may stay, the lock
// does not); the lock file is removed when the holder ends normally.
#include <mpi.h>

#include <string>

namespace qcoll {

class OutputLock {
 public:
  OutputLock() = default;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  ~OutputLock();

  // Collective. Throws InputError (with `key`: where the name came from) when
  // another process
  // holds the lock of `output`, naming it.
  void acquire(MPI_Comm comm, const std::string& output, const std::string& key);

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace qcoll
