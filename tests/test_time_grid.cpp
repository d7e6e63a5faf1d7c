// No result without its guarantee (issue 14): time grids that floating point
// cannot honour are refused when the deck is read, and a finished time series
// is checked against its grid before the output is marked complete.
#include <gtest/gtest.h>
#include <petscsys.h>

#include <cstdio>
#include <string>
#include <vector>

#include "qcoll/io/deck.hpp"
#include "qcoll/io/deck_problem.hpp"
#include "qcoll/io/time_grid.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "test_support.hpp"

using namespace qcoll;

namespace {

const std::string kDeck = qcoll::testing::small_qubit_deck();

// The InputError message of loading kDeck with `overrides`, "" when it loads.
std::string load_error(const std::vector<Override>& overrides) {
  try {
    load_deck_from_string(kDeck, "grid.toml", overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::vector<double> grid(long long n, double step) {
  std::vector<double> t;
  for (long long k = 0; k <= n; ++k) t.push_back(static_cast<double>(k) * step);
  return t;
}

}  // namespace

TEST(TimeGrid, StepsBelowRoundOffOfTFinalAreRefused) {
  for (double step : {1e-20, 1e-300, 1e-16, 5e-324}) {
    const std::string why = time_grid_problem(1.0, step, "dt_output", true);
    EXPECT_NE(why.find("below the round-off of t_final"), std::string::npos) << step << ": " << why;
  }
  EXPECT_NE(time_grid_problem(1e300, 1.0, "tau", false).find("round-off"), std::string::npos);
  // More intervals than any run can store: refused, naming the limit.
  EXPECT_NE(time_grid_problem(1.0, 1e-13, "dt_output", true).find("1e+12"), std::string::npos);
  EXPECT_EQ(time_grid_problem(1.0, 1e-9, "dt_output", true), "");  // the growth check's business
}

TEST(TimeGrid, EvolveNeedsAWholeNumberOfOutputIntervals) {
  EXPECT_EQ(time_grid_problem(20.0, 0.1, "dt_output", true), "");
  EXPECT_EQ(time_grid_problem(10.0, 1.0 / 3.0, "dt_output", true), "");
  const std::string why = time_grid_problem(1.0, 0.4, "dt_output", true);
  EXPECT_NE(why.find("t = 1.2 instead of t_final"), std::string::npos) << why;
  EXPECT_NE(why.find("0.333333 or 0.5"), std::string::npos) << why;
  // collide rounds t_final to a multiple of tau (documented): not an error.
  EXPECT_EQ(time_grid_problem(1.0, 0.3, "tau", false), "");
}

TEST(TimeGrid, DeckErrorsNameTheKey) {
  for (const char* dt : {"1e-20", "1e-300", "1e-13", "0.4"}) {
    const std::string e = load_error({{"evolve.dt_output", dt}});
    EXPECT_NE(e.find("key evolve.dt_output"), std::string::npos) << dt << ": " << e;
  }
  for (const char* tau : {"[1e-20]", "[0.1, 1e-300]", "1e-13"}) {
    const std::string e = load_error({{"collide.tau", tau}});
    EXPECT_NE(e.find("key collide.tau"), std::string::npos) << tau << ": " << e;
  }
  EXPECT_EQ(load_error({{"evolve.dt_output", "0.001"}, {"collide.tau", "[0.3, 1e-6]"}}), "");
}

TEST(TimeGrid, FinishedSeriesIsCheckedAgainstItsGrid) {
  EXPECT_EQ(time_series_defect(grid(10, 0.1), 1.0, 0.1, true), "");
  EXPECT_EQ(time_series_defect(grid(200, 0.1), 20.0, 0.1, true), "");
  // What dt_output = 1e-20 wrote before: t = [0].
  EXPECT_NE(time_series_defect({0.0}, 1.0, 1e-20, true), "");
  // Stopped short, one time too many, off the grid, past t_final.
  EXPECT_NE(time_series_defect(grid(9, 0.1), 1.0, 0.1, true).find("needs 11"), std::string::npos);
  EXPECT_NE(time_series_defect(grid(11, 0.1), 1.0, 0.1, true), "");
  std::vector<double> shifted = grid(10, 0.1);
  shifted[4] += 1e-6;
  EXPECT_NE(time_series_defect(shifted, 1.0, 0.1, true).find("time 4"), std::string::npos);
  EXPECT_NE(time_series_defect(grid(3, 0.4), 1.0, 0.4, true), "");
  EXPECT_EQ(time_series_defect(grid(3, 0.3), 1.0, 0.3, false), "");  // rounded, as collide does
}

TEST(TimeGrid, EvolveTaskFailsOnASeriesThatMissesTFinal) {
  // Past the deck checks (as a bug upstream would be): the grids that
  // wrote t = [0] (dt_output = 1e-20) and t = [0, 0.4, 0.8, 1.2] before.
  for (double dt : {1e-20, 0.4}) {
    Deck deck = load_deck_from_string(kDeck, "grid.toml");
    deck.evolve.dt_output = dt;
    const Problem p = prepare_problem(deck);
    std::string path = qcoll::testing::temp_path("grid_miss", ".h5");
    int length = static_cast<int>(path.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
    path.resize(length);
    MPI_Bcast(path.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
    PetscErrorCode ierr = 0;
    {
      Hdf5File out(path, MPI_COMM_WORLD);
      RunContext ctx;
      ctx.output_path = path;
      PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
      ierr = RunProblem(MPI_COMM_WORLD, "evolve", p, out, ctx);
      PetscPopErrorHandler();
    }
    EXPECT_NE(ierr, 0) << dt;
    const char* text = nullptr;
    char* specific = nullptr;
    PetscErrorMessage(ierr, &text, &specific);
    const std::string message = specific ? specific : "";
    EXPECT_NE(message.find("/evolve: the time series"), std::string::npos) << message;
    EXPECT_NE(message.find("complete = 0"), std::string::npos) << message;
    MPI_Barrier(MPI_COMM_WORLD);
    if (qcoll::testing::rank() == 0) std::remove(path.c_str());
  }
}
