#include "qcoll/io/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "qcoll/model/types.hpp"

namespace qcoll {

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  unlink(path_.c_str());  // while still locked: no one else can hold it in between
  close(fd_);
}

void OutputLock::acquire(MPI_Comm comm, const std::string& output, const std::string& key) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  // 0 locked, 1 held by another process, 2 the lock file cannot be made.
  int state = 0;
  std::string reason;
  if (rank == 0) {
    path_ = output + ".lock";
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      state = 2;
      reason = std::strerror(errno);
    } else if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      state = errno == EWOULDBLOCK ? 1 : 2;
      reason = std::strerror(errno);
      close(fd_);
      fd_ = -1;
    } else {
      const std::string pid = std::to_string(getpid()) + "\n";
      if (ftruncate(fd_, 0) == 0 && write(fd_, pid.data(), pid.size()) < 0) reason.clear();
    }
  }
  MPI_Bcast(&state, 1, MPI_INT, 0, comm);
  if (state == 1)
    throw InputError(output + " is being written by another qcoll run (it holds " + output +
                         ".lock); wait for that run to end, or choose another output with -o",
                     key);
  if (state == 2)
    throw InputError("cannot lock the output " + output + " (" + output +
                         ".lock: " + (rank == 0 ? reason : std::string("see rank 0")) +
                         "); is its directory writable?",
                     key);
}

}  // namespace qcoll
