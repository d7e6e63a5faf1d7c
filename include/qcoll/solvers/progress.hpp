#pragma once
// Plain progress lines on rank 0 for long runs (no carriage returns, so SLURM
// logs stay readable), at most one every `interval` seconds.
#include <mpi.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace qcoll {

class ProgressReporter {
 public:
  // `start_fraction`: the part done before (a resumed run), for the ETA.
  ProgressReporter(MPI_Comm comm, std::string label, double interval_seconds,
                   double start_fraction = 0.0);
  // fraction in [0, 1]; `detail` is appended (e.g. "t = 3.2 / 20, steps 120").
  void update(double fraction, const std::string& detail, bool force = false);
  double elapsed() const;

 private:
  MPI_Comm comm_;
  std::string label_;
  double interval_, start_fraction_;
  std::chrono::steady_clock::time_point start_, last_;
};

// Progress of one long call that reports nothing itself (an LU
// factorisation inside MUMPS): while the object lives, rank 0 prints
// "<label>: running, wall X s<detail>" every `interval` seconds from a
// helper thread. Other ranks do nothing.
class WallTicker {
 public:
  WallTicker(MPI_Comm comm, std::string label, std::string detail, double interval_seconds = 10.0);
  WallTicker(const WallTicker&) = delete;
  WallTicker& operator=(const WallTicker&) = delete;
  ~WallTicker();

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace qcoll
