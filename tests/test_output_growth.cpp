// The up-front estimate of what a run grows (issue 14): the evolve time series
// and stored states, the collide per-stroke tables; refused beyond free disk
// or memory with the key to change, unless --force.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "qcoll/cli/output_growth.hpp"
#include "qcoll/io/deck.hpp"
#include "test_support.hpp"

using namespace qcoll;

namespace {

const std::string kDeck = qcoll::testing::small_qubit_deck();

Deck deck_with(const std::vector<Override>& overrides) {
  std::vector<Override> all{
      {"evolve.observables", R"([{ name = "sz", terms = [[1.0, "sz", 0]] }])"}};
  all.insert(all.end(), overrides.begin(), overrides.end());
  return load_deck_from_string(kDeck, "growth.toml", all);
}

MemoryEstimate memory(double available) {
  MemoryEstimate m;
  m.available_per_rank = available;
  return m;
}

// The key of the InputError check_output_growth throws, "" when it passes.
std::string refusal(const GrowthEstimate& g, double available, bool force = false) {
  try {
    check_output_growth(MPI_COMM_WORLD, g, memory(available), "growth_never.h5", false, force);
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--force"), std::string::npos) << e.what();
    return e.key();
  }
  return "";
}

}  // namespace

TEST(OutputGrowth, EvolveSeriesCountsRowsColumnsAndStates) {
  // 1e4 + 1 rows of t, energy, dEdt, trace, purity, work_switching, 4 species
  // rates, 5 entropy columns and one complex observable: 17 numbers.
  const GrowthEstimate g =
      estimate_output_growth(deck_with({{"evolve.dt_output", "1e-4"}}), "evolve", 2, std::nullopt);
  EXPECT_DOUBLE_EQ(g.output_bytes, 10001.0 * 17 * 8);
  EXPECT_EQ(g.key, "evolve.dt_output");
  EXPECT_GT(g.memory_per_rank, g.output_bytes);
  // Stored states dominate: every output of a d = 2 state is 64 bytes.
  const GrowthEstimate states = estimate_output_growth(
      deck_with({{"evolve.dt_output", "1e-4"}, {"evolve.store_states", "1"}}), "evolve", 2,
      std::nullopt);
  EXPECT_DOUBLE_EQ(states.output_bytes, 10001.0 * (17 * 8 + 64));
  EXPECT_EQ(states.key, "evolve.dt_output");  // 136 bytes of series per row against 64 of states
  const GrowthEstimate big =
      estimate_output_growth(deck_with({{"evolve.store_states", "1"}}), "evolve", 64, std::nullopt);
  EXPECT_EQ(big.key, "evolve.store_states");
  EXPECT_TRUE(estimate_output_growth(deck_with({}), "steady", 2, std::nullopt).what.empty());
}

TEST(OutputGrowth, CollideTablesCountRecordedStrokes) {
  // tau = 1e-4: 1e4 strokes, every 10th recorded; 8 + 7 + 1 + 1 = 17 numbers each.
  const GrowthEstimate g =
      estimate_output_growth(deck_with({{"collide.tau", "[1e-4]"}, {"collide.output_every", "10"}}),
                             "collide", 2, std::nullopt);
  EXPECT_DOUBLE_EQ(g.output_bytes, 1000.0 * 17 * 8);
  EXPECT_EQ(g.key, "collide.output_every");
}

TEST(OutputGrowth, RefusedBeyondMemoryOrDiskUnlessForced) {
  const GrowthEstimate evolve =
      estimate_output_growth(deck_with({{"evolve.dt_output", "1e-4"}}), "evolve", 2, std::nullopt);
  EXPECT_EQ(refusal(evolve, 1024.0 * 1024.0), "evolve.dt_output");  // 1 MiB per rank
  EXPECT_EQ(refusal(evolve, 1024.0 * 1024.0, true), "");
  EXPECT_EQ(refusal(evolve, 0), "");  // memory unknown: not checked
  EXPECT_EQ(refusal(evolve, 1e12), "");
  // 1e11 rows are more than any disk here holds (about 14 TiB).
  const GrowthEstimate disk =
      estimate_output_growth(deck_with({{"evolve.dt_output", "1e-11"}}), "evolve", 2, std::nullopt);
  EXPECT_EQ(refusal(disk, 0), "evolve.dt_output");
  const GrowthEstimate collide =
      estimate_output_growth(deck_with({{"collide.tau", "[1e-11]"}}), "collide", 2, std::nullopt);
  EXPECT_EQ(refusal(collide, 0), "collide.output_every");
}

// A steady sweep writes each point's rho: d_k^2 complex numbers per point
// (each point's own d in a sweep of the chain length), refused beyond the
// disk naming the sweep's key.
TEST(OutputGrowth, SteadySweepsCountEveryPointsState) {
  const GrowthEstimate lambdas =
      estimate_output_growth(deck_with({{"sweep.key", "\"species.bath.lambda\""},
                                        {"sweep.start", "0.0"},
                                        {"sweep.stop", "0.1"},
                                        {"sweep.count", "100000"}}),
                             "steady", 64, std::nullopt);
  EXPECT_DOUBLE_EQ(lambdas.output_bytes, 100000 * (64.0 * 64 * 16 + 4096));
  EXPECT_EQ(lambdas.key, "sweep.values");
  EXPECT_NE(lambdas.what.find("100000 sweep points"), std::string::npos) << lambdas.what;
  EXPECT_EQ(refusal(lambdas, 1e12), "");  // memory: nothing held per point
  const Deck chain = load_deck(qcoll::testing::source_path("inputs/chain_length_scan.toml"), {});
  const GrowthEstimate lengths = estimate_output_growth(chain, "steady", 16, std::nullopt);
  double bytes = 0;
  for (int n = 2; n <= 6; ++n) bytes += std::pow(4.0, n) * 16 + 4096;
  EXPECT_DOUBLE_EQ(lengths.output_bytes, bytes);
  const GrowthEstimate one = estimate_output_growth(chain, "steady", 16, 4);  // N = 6 only
  EXPECT_DOUBLE_EQ(one.output_bytes, std::pow(4.0, 6) * 16 + 4096);
  EXPECT_TRUE(estimate_output_growth(deck_with({}), "steady", 2, std::nullopt).what.empty());
}
