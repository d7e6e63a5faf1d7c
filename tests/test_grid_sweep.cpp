// Grid sweeps ([[sweep.axis]], mode grid or zip): the deck's validation, and
// every point of a grid equals a separate run of the deck with the point's
// overrides, in last-axis-fastest order; --sweep-index runs one grid point.
#include <gtest/gtest.h>

#include <cmath>

#include "physics_support.hpp"
#include "qcoll/io/deck_points.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

const char* kTwoAxes = R"(
[sweep]
mode = "MODE"
[[sweep.axis]]
key = "species.bath.lambda"
values = [0.0, 0.2, 0.4]
[[sweep.axis]]
key = "species.bath.beta"
start = 0.5
stop = 1.5
count = COUNT
)";

Deck grid_deck(const std::string& mode, int count) {
  std::string sweep = kTwoAxes;
  sweep.replace(sweep.find("MODE"), 4, mode);
  sweep.replace(sweep.find("COUNT"), 5, std::to_string(count));
  return load_deck_from_string(read_text(source_path("tests/decks/small_qubit.toml")) + sweep,
                               "grid.toml");
}

// The message of the InputError loading `extra` after the small qubit deck throws.
std::string error_of(const std::string& extra) {
  try {
    load_deck_from_string(read_text(source_path("tests/decks/small_qubit.toml")) + extra,
                          "grid.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string run(const Deck& deck, const std::string& stem, std::optional<long long> only = {}) {
  const std::string path = shared_temp_path(stem);
  Hdf5File f(path, MPI_COMM_WORLD);
  RunContext ctx;
  ctx.output_path = path;
  ctx.sweep_index = only;
  EXPECT_EQ(RunTask(MPI_COMM_WORLD, "steady", DeckPoints(deck), f, ctx), 0);
  return path;
}

double energy_of_single_run(const Deck& deck, size_t k) {
  Deck single = with_overrides(deck, sweep_overrides(*deck.sweep, k));
  single.sweep.reset();
  const Problem p = prepare_problem(single);
  const std::string path = shared_temp_path("grid_single");
  {
    Hdf5File f(path, MPI_COMM_WORLD);
    RunContext ctx;
    ctx.output_path = path;
    EXPECT_EQ(RunProblem(MPI_COMM_WORLD, "steady", p, f, ctx), 0);
  }
  Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  return f.read_real("/steady/energy")[0];
}

}  // namespace

TEST(GridSweep, AxesCombineAsAGridLastAxisFastestOrZipped) {
  const Deck grid = grid_deck("grid", 2);
  ASSERT_TRUE(grid.sweep);
  EXPECT_EQ(grid.sweep->count(), 6u);
  EXPECT_EQ(grid.sweep->axis_index(4), (std::vector<size_t>{2, 0}));
  const std::vector<Override> o = sweep_overrides(*grid.sweep, 3);
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0].key, "species.bath.lambda");
  EXPECT_EQ(o[0].value, "0.2");
  EXPECT_EQ(o[1].value, "1.5");
  const Deck zip = grid_deck("zip", 3);
  EXPECT_EQ(zip.sweep->count(), 3u);
  EXPECT_EQ(sweep_overrides(*zip.sweep, 2)[1].value, "1.5");
  // The one-key form keeps its layout.
  const Deck one = load_deck_from_string(read_text(source_path("tests/decks/small_qubit.toml")) +
                                             "[sweep]\nkey = \"params.x\"\nvalues = [1, 2]\n",
                                         "one.toml");
  EXPECT_EQ(one.sweep->key, "params.x");
  EXPECT_EQ(one.sweep->axes.size(), 1u);
}

TEST(GridSweep, BadAxesAreInputErrorsNamingTheKey) {
  EXPECT_NE(error_of("[sweep]\nmode = \"zip\"\n[[sweep.axis]]\nkey = \"species.bath.lambda\"\n"
                     "values = [0.0, 0.1]\n[[sweep.axis]]\nkey = \"species.bath.beta\"\n"
                     "values = [1.0]\n")
                .find("equal length"),
            std::string::npos);
  EXPECT_NE(error_of("[sweep]\n[[sweep.axis]]\nkey = \"species.bath.lambda\"\nvalues = [0.0]\n"
                     "[[sweep.axis]]\nkey = \"species.bath.lambda\"\nvalues = [1.0]\n")
                .find("already swept by sweep.axis[0]"),
            std::string::npos);
  EXPECT_NE(error_of("[sweep]\nkey = \"species.bath.beta\"\nvalues = [1.0]\n[[sweep.axis]]\n"
                     "key = \"species.bath.lambda\"\nvalues = [0.0]\n")
                .find("not both"),
            std::string::npos);
  EXPECT_NE(error_of("[sweep]\nmode = \"diagonal\"\n[[sweep.axis]]\nkey = \"params.x\"\n"
                     "values = [0.0]\n")
                .find("sweep.mode"),
            std::string::npos);
  EXPECT_NE(error_of("[sweep]\n[[sweep.axis]]\nkey = \"species.nobody.lambda\"\nvalues = [0]\n")
                .find("sweep.axis[0].key"),
            std::string::npos);
  EXPECT_NE(error_of("[sweep]\n[[sweep.axis]]\nkey = \"params.x\"\nstart = 0\nstop = 1\n"
                     "count = 1000\n[[sweep.axis]]\nkey = \"params.y\"\nstart = 0\nstop = 1\n"
                     "count = 1000\n")
                .find("at most 100000"),
            std::string::npos);
}

TEST(GridSweep, EveryGridPointEqualsItsSeparateRun) {
  const Deck deck = grid_deck("grid", 2);
  const std::string path = run(deck, "grid");
  Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  EXPECT_EQ(f.read_string_attribute("/sweep", "mode"), "grid");
  EXPECT_EQ(f.read_real("/sweep/axes/1"), (std::vector<double>{0.5, 1.5}));
  const std::vector<double> axis_values = f.read_real("/sweep/axis_values");
  const std::vector<double> energy = f.read_real("/sweep/energy");
  ASSERT_EQ(energy.size(), 6u);
  for (size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(axis_values[2 * k], (std::vector<double>{0.0, 0.2, 0.4})[k / 2]);
    EXPECT_EQ(axis_values[2 * k + 1], (std::vector<double>{0.5, 1.5})[k % 2]);
    EXPECT_NEAR(energy[k], energy_of_single_run(deck, k), 1e-12) << "point " << k;
  }
  EXPECT_GT(std::abs(energy[0] - energy[1]), 1e-3);  // beta changes the state
}

TEST(GridSweep, ZipAndOneGridPointBySweepIndex) {
  const Deck zip = grid_deck("zip", 3);
  const std::string path = run(zip, "zip");
  Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  const std::vector<double> energy = f.read_real("/sweep/energy");
  ASSERT_EQ(energy.size(), 3u);
  EXPECT_NEAR(energy[2], energy_of_single_run(zip, 2), 1e-12);
  const Deck grid = grid_deck("grid", 2);
  const std::string one = run(grid, "grid_one", 5);
  Hdf5File g(one, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  EXPECT_EQ(g.read_int("/sweep/index"), (std::vector<long long>{5}));
  EXPECT_NEAR(g.read_real("/sweep/energy")[0], energy_of_single_run(grid, 5), 1e-12);
  EXPECT_EQ(g.read_string_attribute("/sweep/5", "override"),
            "species.bath.lambda=0.4 species.bath.beta=1.5");
}
