#include "qcoll/tasks/stop_watchdog.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "qcoll/tasks/checkpoint.hpp"

namespace qcoll {
namespace {

std::mutex g_mutex;
std::string g_part;  // "" when no uninterruptible part is open
std::string g_restart_hint;
bool g_sweep = false;
std::string g_written, g_output;  // a sweep's output file and its final name
int g_rank = 0;
std::atomic<bool> g_started{false};

void write_all(const std::string& text) {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

[[noreturn]] void stop_now(const std::string& part) {
  if (g_rank == 0) {
    std::string text = "qcoll: stopped by a signal (SIGTERM or SIGUSR1) during " + part +
                       ", which cannot be interrupted at a safe point; ";
    if (g_sweep && g_written != g_output) std::rename(g_written.c_str(), g_output.c_str());
    if (g_sweep)
      text +=
          "the points finished before it are in the output, which is not complete. "
          "Continue with:\n  " +
          g_restart_hint + "\n";
    else
      text +=
          "nothing of it is finished and the output has no attribute complete: run it "
          "again\n";
    write_all(text);
  }
  ::_exit(g_sweep ? 0 : 2);
}

void watch() {
  using clock = std::chrono::steady_clock;
  bool seen = false;
  clock::time_point since;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!stop_flag_raised()) {
      seen = false;
      continue;
    }
    if (!seen) {
      seen = true;
      since = clock::now();
    }
    std::string part;
    {
      std::lock_guard<std::mutex> lock(g_mutex);
      part = g_part;
    }
    if (part.empty()) {
      since = clock::now();  // the grace starts when a part is open
      continue;
    }
    if (std::chrono::duration<double>(clock::now() - since).count() >= kStopGraceSeconds)
      stop_now(part);
  }
}

}  // namespace

void start_stop_watchdog(MPI_Comm comm, const std::string& restart_hint, bool sweep,
                         const std::string& written, const std::string& output) {
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    MPI_Comm_rank(comm, &g_rank);
    g_restart_hint = restart_hint;
    g_sweep = sweep;
    g_written = written;
    g_output = output;
  }
  if (!g_started.exchange(true)) std::thread(watch).detach();
}

UninterruptiblePart::UninterruptiblePart(const std::string& what) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_part = what;
}

UninterruptiblePart::~UninterruptiblePart() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_part.clear();
}

}  // namespace qcoll
