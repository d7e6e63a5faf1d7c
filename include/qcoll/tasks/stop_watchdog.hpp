#pragma once
// Stop signals in the parts of a run that poll no stop flag: an LU
// factorisation, a dense eigendecomposition, an eigenvalue or steady-state
// solve. A SIGTERM/SIGUSR1 that arrives while such a part is open ends the
// process kStopGraceSeconds later if the part has not ended (or polled the
// flag) by then: rank 0 prints one paragraph naming the part and what to do,
// and every rank exits at once (status 2 for a single point, 0 for a sweep,
// whose finished points are in the output and which --restart continues).
// The output file is flushed when a part opens, so what was written before
// it stays readable.
#include <mpi.h>

#include <string>

namespace qcoll {

inline constexpr double kStopGraceSeconds = 6.0;

// Starts the watchdog thread (once per process). `restart_hint` is the
// command that continues a sweep. A sweep's output, written to `written`, is
// moved to `output` (when they differ) so that the restart finds its points.
void start_stop_watchdog(MPI_Comm comm, const std::string& restart_hint, bool sweep,
                         const std::string& written, const std::string& output);

// While alive, the process is in an uninterruptible part named `what`
// ("the steady solve of point 3").
class UninterruptiblePart {
 public:
  explicit UninterruptiblePart(const std::string& what);
  ~UninterruptiblePart();
  UninterruptiblePart(const UninterruptiblePart&) = delete;
  UninterruptiblePart& operator=(const UninterruptiblePart&) = delete;
};

}  // namespace qcoll
