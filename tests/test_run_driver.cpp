// The one driver of every task (tasks/run_driver.cpp): a run is a sweep of
// one point. Collide sweeps like every other task, every sweep stops cleanly
// between points on a signal and a restart finishes it into the same file,
// equal to an uninterrupted run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "physics_support.hpp"
#include "qcoll/io/deck_points.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

Deck qubit_sweep(const std::string& extra, const std::vector<Override>& overrides = {}) {
  return load_deck_from_string(read_text(source_path("tests/decks/small_qubit.toml")) + extra,
                               "small_qubit.toml", overrides);
}

// Runs `task` on every point of `deck` into a new file; ctx.stopped is returned.
bool run_points(const std::string& task, const Deck& deck, const std::string& path,
                bool restart = false) {
  Hdf5File f(path, MPI_COMM_WORLD, restart ? Hdf5File::Mode::Append : Hdf5File::Mode::Create);
  RunContext ctx;
  ctx.output_path = path;
  ctx.restart = restart;
  EXPECT_EQ(RunTask(MPI_COMM_WORLD, task, DeckPoints(deck), f, ctx), 0);
  return ctx.stopped;
}

double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t k = 0; k < std::min(a.size(), b.size()); ++k) {
    if (std::isnan(a[k]) && std::isnan(b[k])) continue;
    m = std::max(m, std::abs(a[k] - b[k]));
  }
  return m;
}

void remove_shared(const std::string& path) {
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) std::remove(path.c_str());
}

}  // namespace

// [sweep] with the collide task: each point's /sweep/<k> equals a separate
// collide run of the deck with the point's override, and the per-tau summary
// is tabulated as /sweep/<name>[np, ntau].
TEST(RunDriver, CollideSweepPointsEqualSeparateRuns) {
  const Deck deck = qubit_sweep("[sweep]\nkey = \"species.bath.lambda\"\nvalues = [0.0, 0.3]\n",
                                {{"collide.tau", "[0.2, 0.1]"}});
  const std::string sweep_path = shared_temp_path("collide_sweep");
  EXPECT_FALSE(run_points("collide", deck, sweep_path));
  Hdf5File sweep(sweep_path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  EXPECT_EQ(sweep.read_string_attribute("/sweep", "task"), "collide");
  const std::vector<double> table = sweep.read_real("/sweep/final_distance");
  ASSERT_EQ(table.size(), 4u);  // [np = 2, ntau = 2]
  for (size_t k = 0; k < 2; ++k) {
    Deck single = with_override(deck, sweep_override(*deck.sweep, k));
    single.sweep.reset();
    const std::string path = shared_temp_path("collide_single");
    EXPECT_FALSE(run_points("collide", single, path));
    Hdf5File one(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
    const std::string g = "/sweep/" + std::to_string(k);
    EXPECT_EQ(sweep.read_int_attribute(g, "complete"), 1);
    for (const char* name : {"tau", "final_distance", "entropy_production_over_tau"})
      EXPECT_EQ(max_diff(sweep.read_real(g + "/" + std::string(name)),
                         one.read_real("/collide/" + std::string(name))),
                0.0)
          << name << " " << k;
    for (const char* name : {"energy", "entropy_production", "heat_ancilla"})
      EXPECT_EQ(max_diff(sweep.read_real(g + "/1/" + std::string(name)),
                         one.read_real("/collide/1/" + std::string(name))),
                0.0)
          << name << " " << k;
    const std::vector<double> row(table.begin() + 2 * k, table.begin() + 2 * k + 2);
    EXPECT_EQ(max_diff(row, one.read_real("/collide/final_distance")), 0.0);
    one.close();
    remove_shared(path);
  }
  // lambda changes the map: the points differ.
  EXPECT_GT(std::abs(table[1] - table[3]), 1e-6);
  sweep.close();
  remove_shared(sweep_path);
}

// A stop signal between the points of a steady sweep (no checkpoint is
// needed there): the finished point is complete in the file, the next is not
// started; --restart keeps the finished point and computes the rest, giving
// the file an uninterrupted sweep writes.
TEST(RunDriver, SteadySweepStoppedBetweenPointsRestartsToTheSameResult) {
  const Deck deck =
      qubit_sweep("[sweep]\nkey = \"species.bath.lambda\"\nvalues = [0.0, 0.2, 0.4]\n");
  const std::string whole = shared_temp_path("sweep_whole");
  EXPECT_FALSE(run_points("steady", deck, whole));
  const std::string cut = shared_temp_path("sweep_cut");
  raise_stop_flag();
  const bool stopped = run_points("steady", deck, cut);
  clear_stop_flag();
  ASSERT_TRUE(stopped);
  {
    Hdf5File f(cut, MPI_COMM_WORLD, Hdf5File::Mode::Append);
    EXPECT_EQ(f.read_int_attribute("/sweep/0", "complete"), 1);
    EXPECT_FALSE(f.exists("/sweep/1"));
    EXPECT_FALSE(f.exists("/sweep/energy"));  // no tables before every point is done
  }
  EXPECT_FALSE(run_points("steady", deck, cut, /*restart=*/true));
  Hdf5File a(whole, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  Hdf5File b(cut, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  for (const char* name : {"energy", "purity", "heat_incoherent", "entropy_production", "residual"})
    EXPECT_EQ(max_diff(a.read_real("/sweep/" + std::string(name)),
                       b.read_real("/sweep/" + std::string(name))),
              0.0)
        << name;
  EXPECT_EQ(b.read_real("/sweep/values"), deck.sweep->values);
  a.close();
  b.close();
  remove_shared(whole);
  remove_shared(cut);
}
