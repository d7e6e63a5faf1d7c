#include "qcoll/cli/output_growth.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "qcoll/io/time_grid.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/thermo/operators.hpp"

namespace qcoll {
namespace {

std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", x);
  return text;
}

// One evolve series: rows x columns of float64 and the stored states.
struct Series {
  double rows = 0, columns = 0, states_bytes = 0, memory = 0;
};

Series evolve_series(const Deck& deck, index_t d) {
  const EvolveSettings& e = deck.evolve;
  const double ns = static_cast<double>(deck.model.species.size());
  const double nobs = static_cast<double>(deck.model.observables.size());
  const double intervals = static_cast<double>(grid_intervals(e.t_final, e.dt_output));
  Series s;
  s.rows = intervals + 1;
  // t, energy, dEdt, trace, purity, work_switching; four rates per species;
  // entropy, dSdt, Pi, Pi_A (and F for one species); complex observables.
  s.columns = 6 + 4 * ns + (e.entropy ? 4 + (ns == 1 ? 1 : 0) : 0) + 2 * nobs;
  if (e.store_states > 0)
    s.states_bytes = (std::floor(intervals / static_cast<double>(e.store_states)) + 1) *
                     static_cast<double>(d) * static_cast<double>(d) * 16.0;
  // In memory every rank holds a ThermoValues per row (its vectors on the
  // heap) and, while a checkpoint is written, a copy of the series.
  const double row = sizeof(ThermoValues) + 4 * (8 * ns + 16) + (16 * nobs + 16) + 8;
  s.memory = 2 * s.rows * row;
  return s;
}

GrowthEstimate evolve_growth(const Deck& deck, index_t d, std::optional<long long> sweep_index) {
  GrowthEstimate g;
  double series_bytes = 0, states_bytes = 0, largest = 0, rows = 0, columns = 0, memory = 0;
  std::size_t count = 0;
  index_t largest_d = d;
  auto add = [&](const Deck& point) {  // points run one after another
    // A sweep point's own dimension (a sweep of the chain length changes it).
    const index_t point_d = deck.sweep ? point.model.dimension() : d;
    largest_d = std::max(largest_d, point_d);
    const Series s = evolve_series(point, point_d);
    const double bytes = s.rows * s.columns * 8;
    series_bytes += bytes;
    states_bytes += s.states_bytes;
    memory = std::max(memory, s.memory);
    if (bytes >= largest) {
      largest = bytes;
      rows = s.rows;
      columns = s.columns;
    }
    ++count;
  };
  if (!deck.sweep) add(deck);
  for (std::size_t k = 0; deck.sweep && k < deck.sweep->count(); ++k)
    if (!sweep_index || static_cast<std::size_t>(*sweep_index) == k)
      add(with_overrides(deck, sweep_overrides(*deck.sweep, k)));
  const double checkpoints = deck.checkpoint.every_seconds > 0 ? 2 : 1;
  g.output_bytes = series_bytes + states_bytes;
  g.checkpoint_bytes = checkpoints * (largest + static_cast<double>(largest_d * largest_d) * 16.0);
  g.memory_per_rank = memory;
  g.what = "evolve writes " +
           (count > 1 ? std::to_string(count) + " time series (sweep points) of "
                      : std::string("a time series of ")) +
           "up to " + number(rows) + " rows x " + number(columns) + " numbers" +
           (states_bytes > 0 ? " and stores " + human_bytes(states_bytes) + " of states" : "");
  if (states_bytes > series_bytes) {
    g.key = "evolve.store_states";
    g.advice = "raise evolve.store_states (store every n-th state) or set it to 0";
  } else {
    g.key = "evolve.dt_output";
    g.advice = "raise evolve.dt_output (fewer output times) or lower evolve.t_final";
  }
  bool swept = false;  // the sweep sets it: its values are the key
  for (std::size_t i = 0; deck.sweep && i < deck.sweep->axes.size(); ++i)
    swept = swept || deck.sweep->axes[i].key == g.key;
  if (swept) {
    g.advice = "change the values of the swept " + g.key + ": " + g.advice;
    g.key = deck.sweep->axes.size() == 1 ? "sweep.values" : "sweep.axis";
  }
  return g;
}

GrowthEstimate collide_growth(const Deck& deck) {
  const CollideSettings& c = deck.collide;
  const double ns = static_cast<double>(deck.model.species.size());
  // stroke, t, energy, entropy, I, Sigma, Pi, Pi_A; seven per species;
  // Delta F for one species; the distance to the master equation.
  const double columns = 8 + 7 * ns + (ns == 1 ? 1 : 0) + (c.compare_master_equation ? 1 : 0);
  const double every = static_cast<double>(std::max<index_t>(1, c.output_every));
  double rows = 0, most = 0, smallest = c.tau.empty() ? 0 : c.tau.front();
  for (double tau : c.tau) {
    const double strokes = static_cast<double>(grid_intervals(c.t_final, tau));
    rows += std::ceil(strokes / every);
    most = std::max(most, strokes);
    smallest = std::min(smallest, tau);
  }
  GrowthEstimate g;
  const double bytes = rows * columns * 8;
  g.output_bytes = bytes;
  g.checkpoint_bytes = (deck.checkpoint.every_seconds > 0 ? 2 : 1) * bytes;
  // Every rank holds every run's records after they are shared (and in each
  // checkpoint), plus the packed copy that travels.
  g.memory_per_rank = 3 * bytes;
  g.what = "collide records " + number(rows) + " strokes x " + number(columns) +
           " numbers (up to " + number(most) + " strokes per tau, " +
           (every > 1 ? "every " + number(every) + "th recorded)" : "every one recorded)");
  g.key = "collide.output_every";
  g.advice =
      "raise collide.output_every (record every n-th stroke) or the smallest collide.tau = " +
      number(smallest);
  return g;
}

// A steady sweep writes each point's rho (d_k^2 complex numbers) into the
// output; the rest of a point is small. Points are re-read only when a swept
// key can change the system's size.
GrowthEstimate steady_growth(const Deck& deck, index_t d, std::optional<long long> sweep_index) {
  GrowthEstimate g;
  if (!deck.sweep) return g;
  const SweepSettings& sweep = *deck.sweep;
  bool resized = false;
  for (const SweepAxis& a : sweep.axes)
    resized = resized || a.key.rfind("params.", 0) == 0 || a.key.rfind("system.", 0) == 0;
  double bytes = 0;
  std::size_t points = 0;
  for (std::size_t k = 0; k < sweep.count(); ++k) {
    if (sweep_index && static_cast<std::size_t>(*sweep_index) != k) continue;
    const double dk =
        resized
            ? static_cast<double>(with_overrides(deck, sweep_overrides(sweep, k)).model.dimension())
            : static_cast<double>(d);
    bytes += dk * dk * 16.0 + 4096.0;  // rho and the point's scalars
    ++points;
  }
  g.output_bytes = bytes;
  g.what =
      "steady writes the steady state rho of each of " + std::to_string(points) + " sweep points";
  g.key = sweep.axes.size() == 1 ? "sweep.values" : "sweep.axis";
  g.advice = "fewer sweep points (or --sweep-index K to run them as separate jobs)";
  return g;
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

double file_bytes(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<double>(st.st_size) : 0.0;
}

// Free bytes for an unprivileged writer in the directory of `output`, -1
// when unknown; a file-size limit (ulimit -f) caps what one file can take.
double free_bytes(const std::string& output) {
  struct statvfs fs;
  if (statvfs(directory_of(output).c_str(), &fs) != 0) return -1;
  double free = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
  struct rlimit limit;
  if (getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    free = std::min(free, static_cast<double>(limit.rlim_cur));
  return free;
}

}  // namespace

GrowthEstimate estimate_output_growth(const Deck& deck, const std::string& task, index_t d,
                                      std::optional<long long> sweep_index) {
  if (task == "evolve") return evolve_growth(deck, d, sweep_index);
  if (task == "steady") return steady_growth(deck, d, sweep_index);
  if (task == "collide") {
    GrowthEstimate g = collide_growth(deck);
    // Every point of a collide sweep writes its own tables (one at a time).
    const double points = deck.sweep && !sweep_index ? static_cast<double>(deck.sweep->count()) : 1;
    if (points > 1) {
      g.output_bytes *= points;
      g.what = std::to_string(static_cast<long long>(points)) + " sweep points: each " + g.what;
    }
    return g;
  }
  return {};
}

void check_output_growth(MPI_Comm comm, const GrowthEstimate& g, const MemoryEstimate& m,
                         const std::string& output, bool restart, bool force) {
  if (g.what.empty()) return;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  double free = -1;
  if (rank == 0) {
    free = free_bytes(output);
    if (free >= 0 && restart) free += file_bytes(output) + file_bytes(checkpoint_path(output));
  }
  MPI_Bcast(&free, 1, MPI_DOUBLE, 0, comm);
  const double disk = g.output_bytes + g.checkpoint_bytes;
  const double memory_left = m.available_per_rank - m.bytes_per_rank;
  const bool disk_short = free >= 0 && disk > free;
  const bool memory_short = m.available_per_rank > 0 && g.memory_per_rank > memory_left;
  if (force || (!disk_short && !memory_short)) return;
  std::string have;
  if (disk_short)
    have = "the directory of " + output + " has " + human_bytes(free) +
           " free for one file (free disk space, or the file-size limit of ulimit -f)";
  if (memory_short)
    have += std::string(have.empty() ? "" : " and ") + "each rank has " +
            human_bytes(std::max(0.0, memory_left)) + " of memory left";
  throw InputError(g.what + ": about " + human_bytes(g.output_bytes) + " in " + output + " plus " +
                       human_bytes(g.checkpoint_bytes) + " for its checkpoint, and " +
                       human_bytes(g.memory_per_rank) + " of memory per rank; but " + have +
                       ". Change " + g.key + ": " + g.advice + ", or pass --force to run anyway",
                   g.key);
}

}  // namespace qcoll
