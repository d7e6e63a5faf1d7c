// The spectrum block by block (superop/structure.hpp BlockClasses,
// solvers/block_spectrum.hpp) against dense diagonalisation of the full L: on
// an XXZ chain with conserved magnetisation between two baths, and on a model
// whose slowest mode lies outside the steady (diagonal) class; through the
// tasks (`spectrum`, `steady` with gap = true) against [steady] symmetry = false.
#include <gtest/gtest.h>
#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/solvers/block_spectrum.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "steady_support.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

// xxz_chain.toml with N sites, hot bath on site 0, cold bath on the last.
Deck chain(int n, const std::string& delta, const std::string& lambda,
           std::vector<Override> more = {}) {
  const std::string last = std::to_string(n - 1);
  std::vector<Override> o{
      {"system.model.sites", std::to_string(n)},
      {"species.cold.coupling", "[[\"g\", \"sp\", " + last + ", \"sm\", \"A\"], [\"g\", \"sm\", " +
                                    last + ", \"sp\", \"A\"]]"},
      {"params.Delta", delta},
      {"species.hot.lambda", lambda},
      {"evolve.observables", "[]"}};
  o.insert(o.end(), more.begin(), more.end());
  return deck_from_inputs("xxz_chain.toml", o);
}

double binomial(int n, int k) {
  if (k < 0 || k > n) return 0;
  double b = 1;
  for (int i = 1; i <= k; ++i) b = b * (n - k + i) / i;
  return b;
}

double distance_to_nearest(cplx z, const std::vector<cplx>& set) {
  double best = 1e300;
  for (const cplx& w : set) best = std::min(best, std::abs(z - w));
  return best;
}

std::vector<cplx> dense_slowest(const Problem& p) {
  std::vector<cplx> v = dense_eigen(dense_liouvillian(p)).values;
  sort_by_decay_rate(&v, 1e-12);
  return v;
}

SpectrumResult block_spectrum(const Problem& p, index_t nev, index_t dense_dimension) {
  const BlockClasses classes = block_classes(p.me.dim, all_terms(p));
  SpectrumOptions o;
  o.nev = nev;
  o.verbose = false;
  o.dense_dimension = dense_dimension;
  const ClassAssembler assemble = [&p](const ReducedSpace& s, Liouvillian* l) {
    return CreateLiouvillian(MPI_COMM_WORLD, p, l, &s);
  };
  SpectrumResult r;
  EXPECT_EQ(SolveBlockSpectrum(MPI_COMM_WORLD, classes, assemble, o, nullptr, &r), 0);
  return r;
}

// The block spectrum is the nev slowest of the dense full spectrum, one by one.
void expect_dense_slowest(const Problem& p, const SpectrumResult& s, index_t nev,
                          const std::string& what) {
  const std::vector<cplx> dense = dense_slowest(p);
  ASSERT_EQ(s.eigenvalues.size(), static_cast<size_t>(nev)) << what;
  for (index_t k = 0; k < nev; ++k) {
    EXPECT_NEAR(std::abs(s.eigenvalues[k].real()), std::abs(dense[k].real()), 1e-8)
        << what << " k = " << k;
    EXPECT_LT(distance_to_nearest(s.eigenvalues[k], dense), 1e-8) << what << " k = " << k;
    EXPECT_LT(s.residuals[k], 1e-8) << what << " k = " << k;
  }
  EXPECT_EQ(s.zero_count, 1) << what;
  EXPECT_NEAR(s.gap, std::abs(dense[1].real()), 1e-8) << what;
  EXPECT_NE(s.searched.find("block by block"), std::string::npos) << what;
}

// What `qcoll TASK DECK -o FILE` writes: the task's group's eigenvalues.
std::vector<cplx> task_eigenvalues(const Deck& deck, const std::string& task,
                                   std::string* searched) {
  const std::string path = shared_temp_path("block_spectrum");
  const Problem p = prepare_problem(deck);
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::vector<cplx> values;
  {
    Hdf5File out(path, MPI_COMM_WORLD);
    write_run_header(out, deck, p.me, Provenance{task, "", size});
    RunContext ctx;
    ctx.output_path = path;
    EXPECT_EQ(RunProblem(MPI_COMM_WORLD, task, p, out, ctx), 0);
    write_complete(out);
    values = out.read_complex("/" + task + "/eigenvalues");
    *searched = out.read_string_attribute("/" + task + "/eigenvalues", "searched");
    out.close();
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) std::remove(path.c_str());
  return values;
}

}  // namespace

TEST(BlockClasses, XXChainClassesAreTheMagnetisationDifferences) {
  const int n = 4;
  const Problem p = prepare_problem(chain(n, "0.0", "0.0"));
  const BlockClasses c = block_classes(p.me.dim, all_terms(p));
  ASSERT_EQ(c.count, 2 * n + 1);  // q = m - m' = -n .. n
  // Class 0 is exactly the steady structure's reached blocks.
  EXPECT_EQ(c.class_blocks({0}).reached, steady_block_structure(p.me.dim, all_terms(p)).reached);
  EXPECT_EQ(c.dimension[0], static_cast<index_t>(binomial(2 * n, n)));
  std::vector<double> dims, expected;
  index_t total = 0;
  for (int k = 0; k < c.count; ++k) {
    dims.push_back(static_cast<double>(c.dimension[k]));
    total += c.dimension[k];
    ASSERT_GE(c.conjugate[k], 0);
    EXPECT_EQ(c.conjugate[c.conjugate[k]], k);
    EXPECT_EQ(c.dimension[c.conjugate[k]], c.dimension[k]);
  }
  for (int q = -n; q <= n; ++q) expected.push_back(binomial(2 * n, n - q));
  std::sort(dims.begin(), dims.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(dims, expected);
  EXPECT_EQ(total, p.me.dim * p.me.dim);
  EXPECT_EQ(c.conjugate[0], 0);
}

TEST(BlockSpectrum, XXZChainBetweenTwoBathsMatchesDenseFullSpectrum) {
  const Problem p = prepare_problem(chain(4, "0.5", "0.0"));
  // Large classes through exp(t L) + LU (only those of at most nev + 1
  // entries densely), then everything densely.
  expect_dense_slowest(p, block_spectrum(p, 6, 0), 6, "chain, Krylov");
  expect_dense_slowest(p, block_spectrum(p, 10, 1024), 10, "chain, dense");
}

TEST(BlockSpectrum, SlowestModeOutsideTheSteadyClassIsFound) {
  const Problem p = prepare_problem(
      load_deck(source_path("tests/decks/spin1_in_field.toml"), {{"species.bath.lambda", "0.0"}}));
  const BlockClasses c = block_classes(p.me.dim, all_terms(p));
  ASSERT_EQ(c.count, 5);  // q = -2 .. 2
  // The steady class alone misses the slowest non-zero mode.
  const std::vector<cplx> dense = dense_slowest(p);
  {
    SpectrumOptions o;
    o.nev = 9;
    o.verbose = false;
    ReducedSpace space;
    ASSERT_EQ(space.Setup(MPI_COMM_WORLD, c.class_blocks({0}), column_layout(MPI_COMM_WORLD, 3)),
              0);
    Liouvillian L;
    ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L, &space), 0);
    SpectrumSolver solver;
    SpectrumResult steady_class;
    ASSERT_EQ(solver.Setup(L.total, o), 0);
    ASSERT_EQ(solver.Solve(&steady_class), 0);
    EXPECT_GT(steady_class.gap, std::abs(dense[1].real()) + 1e-3);
  }
  expect_dense_slowest(p, block_spectrum(p, 4, 1024), 4, "spin-1");
  expect_dense_slowest(p, block_spectrum(p, 9, 1024), 9, "spin-1, all");
}

TEST(BlockSpectrum, NevBeyondTheDimensionGivesAll) {
  const Problem p = prepare_problem(
      load_deck(source_path("tests/decks/spin1_in_field.toml"), {{"species.bath.lambda", "0.0"}}));
  const SpectrumResult s = block_spectrum(p, 20, 1024);
  EXPECT_EQ(s.eigenvalues.size(), 9u);
}

TEST(BlockSpectrum, TasksAgreeWithTheFullLiouvillian) {
  for (const std::string task : {"spectrum", "steady"}) {
    const std::vector<Override> gap{{"steady.gap", "true"}, {"steady.nev", "8"}};
    std::vector<Override> off = gap;
    off.push_back({"steady.symmetry", "false"});
    std::string by_blocks, full;
    const std::vector<cplx> a = task_eigenvalues(chain(4, "0.5", "0.0", gap), task, &by_blocks);
    const std::vector<cplx> b = task_eigenvalues(chain(4, "0.5", "0.0", off), task, &full);
    EXPECT_NE(by_blocks.find("block by block"), std::string::npos) << task;
    EXPECT_EQ(full.find("block by block"), std::string::npos) << task;
    ASSERT_EQ(a.size(), 8u) << task;
    ASSERT_EQ(b.size(), 8u) << task;
    // Decay rates one by one; each value an eigenvalue of L (at the cut-off
    // either member of a conjugate pair may be listed).
    const std::vector<cplx> dense = dense_slowest(prepare_problem(chain(4, "0.5", "0.0")));
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_NEAR(std::abs(a[k].real()), std::abs(b[k].real()), 1e-8) << task << " k = " << k;
      EXPECT_LT(distance_to_nearest(a[k], dense), 1e-8) << task << " k = " << k;
    }
  }
}
