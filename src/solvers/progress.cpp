#include "qcoll/solvers/progress.hpp"

#include <petscsys.h>

#include <cstdio>

namespace qcoll {

ProgressReporter::ProgressReporter(MPI_Comm comm, std::string label, double interval_seconds,
                                   double start_fraction)
    : comm_(comm),
      label_(std::move(label)),
      interval_(interval_seconds),
      start_fraction_(start_fraction),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

double ProgressReporter::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressReporter::update(double fraction, const std::string& detail, bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && std::chrono::duration<double>(now - last_).count() < interval_) return;
  last_ = now;
  const double wall = elapsed();
  const double done = fraction - start_fraction_;  // in this process
  const double eta = done > 0 ? wall * (1.0 - fraction) / done : 0.0;
  char line[256];
  std::snprintf(line, sizeof line, "%s: %5.1f%%  %s  wall %.1f s  ETA %.1f s\n", label_.c_str(),
                100.0 * fraction, detail.c_str(), wall, eta);
  PetscPrintf(comm_, "%s", line);
}

WallTicker::WallTicker(MPI_Comm comm, std::string label, std::string detail,
                       double interval_seconds) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  if (rank != 0) return;
  thread_ =
      std::thread([this, label = std::move(label), detail = std::move(detail), interval_seconds]() {
        const auto start = std::chrono::steady_clock::now();
        std::unique_lock<std::mutex> lock(mutex_);
        while (!wake_.wait_for(lock, std::chrono::duration<double>(interval_seconds),
                               [this] { return done_; })) {
          const double wall =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          std::printf("%s: running, wall %.0f s%s\n", label.c_str(), wall, detail.c_str());
          std::fflush(stdout);
        }
      });
}

WallTicker::~WallTicker() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace qcoll
