// [sweep] with the steady and spectrum tasks: a sweep equals separate runs
// (both the lambda path that reuses the Liouvillian and the re-loading path),
// --sweep-index runs one point, post/qcoll-merge joins such files, and a
// degenerate steady state fails cleanly from the command line.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "qcoll/io/deck_points.hpp"
#include "qcoll/io/result_fields.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "steady_support.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

// An inputs/ deck with a [sweep] table appended.
Deck sweep_deck(const std::string& input, const std::string& key, const std::string& values,
                const std::vector<Override>& overrides = {}) {
  const std::string text = read_text(source_path("inputs/" + input)) + "\n[sweep]\nkey = \"" + key +
                           "\"\nvalues = " + values + "\n";
  return load_deck_from_string(text, input, overrides);
}

void remove_shared(const std::string& path) {
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) std::remove(path.c_str());
}

// Runs `task` on deck (a sweep when the deck has one) into a new file.
std::string run_task(const std::string& task, const Deck& deck, const std::string& stem) {
  const std::string path = shared_temp_path(stem);
  const Problem p = prepare_problem(deck);
  Hdf5File f(path, MPI_COMM_WORLD);
  RunContext ctx;
  ctx.output_path = path;
  if (deck.sweep) {
    EXPECT_EQ(RunTask(MPI_COMM_WORLD, task, DeckPoints(deck), f, ctx), 0);
  } else {
    EXPECT_EQ(RunProblem(MPI_COMM_WORLD, task, p, f, ctx), 0);
  }
  return path;
}

double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t k = 0; k < std::min(a.size(), b.size()); ++k) m = std::max(m, std::abs(a[k] - b[k]));
  return m;
}

double max_diff(const std::vector<cplx>& a, const std::vector<cplx>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t k = 0; k < std::min(a.size(), b.size()); ++k) m = std::max(m, std::abs(a[k] - b[k]));
  return m;
}

// Each sweep point equals a steady run of the deck with the point's override.
// `tol`: agreement expected (1e-12 for LU; an iterative solve is looser).
void expect_sweep_equals_separate_runs(const Deck& deck, double tol = 1e-12) {
  const std::string sweep_path = run_task("steady", deck, "sweep");
  Hdf5File sweep(sweep_path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  const Problem base = prepare_problem(deck);
  const std::vector<double> values = sweep.read_real("/sweep/values");
  ASSERT_EQ(values, deck.sweep->values);
  const size_t ns = base.me.species.size();
  for (size_t k = 0; k < values.size(); ++k) {
    Deck single = with_override(deck, sweep_override(*deck.sweep, k));
    single.sweep.reset();
    const std::string path = run_task("steady", single, "single");
    Hdf5File one(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
    const std::string g = "/sweep/" + std::to_string(k);
    // Every result field of the single run's /steady is in the sweep's table
    // and in the point's group, with the same value (the one field table).
    size_t compared = 0;
    for (const ResultField& field : thermo_result_fields()) {
      const std::string name = field.name;
      if (!one.exists("/steady/" + name)) continue;
      ++compared;
      ASSERT_TRUE(sweep.exists("/sweep/" + name)) << name << " is missing from the sweep table";
      const std::vector<double> expected = one.read_real("/steady/" + name);
      const std::vector<double> table = sweep.read_real("/sweep/" + name);
      const size_t width = field.per_species() ? ns : 1;
      ASSERT_EQ(table.size(), values.size() * width) << name;
      const std::vector<double> row(table.begin() + k * width, table.begin() + (k + 1) * width);
      EXPECT_LT(max_diff(row, expected), tol) << name << " " << k;
      EXPECT_LT(max_diff(sweep.read_real(g + "/" + name), expected), tol) << name << " " << k;
    }
    EXPECT_GE(compared, 12u);  // energy, dEdt, trace, purity, ..., Pi, Pi_A
    for (const std::string& o : base.ops.observable_names)
      EXPECT_LT(std::abs(sweep.read_complex("/sweep/observables/" + o)[k] -
                         one.read_complex("/steady/observables/" + o)[0]),
                tol)
          << o;
    EXPECT_LT(max_diff(sweep.read_complex(g + "/rho"), one.read_complex("/steady/rho")), tol);
    if (deck.steady.gap)
      EXPECT_NEAR(sweep.read_real("/sweep/gap")[k], one.read_real("/steady/gap")[0], 1e-9);
    EXPECT_EQ(sweep.read_string_attribute(g, "override"),
              deck.sweep->key + "=" + sweep_override(*deck.sweep, k).value);
    one.close();
    remove_shared(path);
  }
  sweep.close();
  remove_shared(sweep_path);
}

std::string write_text(const std::string& stem, const std::string& text) {
  return write_temp_file(stem, ".toml", text);
}

}  // namespace

TEST(Sweep, LambdaSweepReusingTheLiouvillianEqualsSeparateRuns) {
  expect_sweep_equals_separate_runs(
      sweep_deck("maser.toml", "species.drive.lambda", "[0.0, 0.15, 0.3]"));
}

TEST(Sweep, ParameterSweepEqualsSeparateRuns) {
  expect_sweep_equals_separate_runs(sweep_deck("qubit.toml", "params.g", "[0.3, 0.6]"));
}

TEST(Sweep, IterativeLambdaSweepEqualsSeparateRuns) {
  std::vector<Override> overrides = chain4_overrides();
  overrides.push_back({"steady.method", "\"iterative\""});
  overrides.push_back({"steady.tol", "1e-13"});
  expect_sweep_equals_separate_runs(
      sweep_deck("xxz_chain.toml", "species.hot.lambda", "[0.1, 0.4]", overrides), 1e-9);
}

TEST(Sweep, EveryMethodReusesItsSolverAcrossLambdaPoints) {
  for (const char* method : {"eigen", "evolve"}) {
    const std::vector<Override> overrides{{"steady.method", std::string("\"") + method + "\""},
                                          {"steady.tol", "1e-12"}};
    expect_sweep_equals_separate_runs(
        sweep_deck("maser.toml", "species.drive.lambda", "[0.0, 0.2, 0.3]", overrides), 1e-10);
  }
}

TEST(Sweep, SpectrumSweepGivesTheGapOfEachPoint) {
  const Deck deck = sweep_deck("qubit.toml", "species.bath.lambda", "[0.0, 0.5]");
  const std::string path = run_task("spectrum", deck, "spectrum_sweep");
  Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  const std::vector<double> gap = f.read_real("/sweep/gap");
  ASSERT_EQ(gap.size(), 2u);
  EXPECT_NEAR(gap[0], 0.125, 1e-10);  // lambda = 0: Gamma/2 = g^2 / 2
  Deck single = with_override(deck, sweep_override(*deck.sweep, 1));
  single.sweep.reset();
  const std::string one_path = run_task("spectrum", single, "spectrum_one");
  Hdf5File one(one_path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  EXPECT_NEAR(gap[1], one.read_real("/spectrum/gap")[0], 1e-9);
  EXPECT_EQ(f.shape("/sweep/eigenvalues"), (std::vector<hsize_t>{2, 4}));
  one.close();
  f.close();
  remove_shared(one_path);
  remove_shared(path);
}

TEST(Sweep, SweepIndexFilesMergeIntoTheFullSweep) {
  if (rank() != 0) return;
  const std::string deck = write_text("sweep_deck", read_text(source_path("inputs/qubit.toml")) +
                                                        "\n[sweep]\nkey = \"species.bath.lambda\"\n"
                                                        "start = 0.0\nstop = 0.4\ncount = 3\n");
  const std::string full = temp_path("sweep_full", ".h5");
  ASSERT_EQ(run_qcoll("steady " + deck + " -o " + full).exit_code, 0);
  std::string parts;
  for (int k : {2, 0, 1}) {
    const std::string part = temp_path("sweep_part", ".h5");
    const CommandResult r =
        run_qcoll("steady " + deck + " --sweep-index " + std::to_string(k) + " -o " + part);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    Hdf5File f(part, MPI_COMM_SELF, Hdf5File::Mode::Append);
    EXPECT_EQ(f.read_int_attribute("/sweep", "sweep_index"), k);
    EXPECT_EQ(f.read_int("/sweep/index"), std::vector<long long>{k});
    EXPECT_TRUE(f.exists("/sweep/" + std::to_string(k) + "/rho"));
    parts += " " + part;
  }
  const CommandResult bad = run_qcoll("steady " + deck + " --sweep-index 3 -o never.h5");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("out of range"), std::string::npos) << bad.output;

  const std::string merged = temp_path("sweep_merged", ".h5");
  const std::string merge =
      "/usr/bin/python3 " + source_path("post/qcoll-merge") + " -o " + merged + parts + " 2>&1";
  FILE* p = popen(merge.c_str(), "r");
  char buf[4096];
  std::string text;
  while (fgets(buf, sizeof buf, p)) text += buf;
  ASSERT_EQ(pclose(p), 0) << text;
  Hdf5File a(full, MPI_COMM_SELF, Hdf5File::Mode::Append);
  Hdf5File b(merged, MPI_COMM_SELF, Hdf5File::Mode::Append);
  EXPECT_EQ(b.read_real("/sweep/values"), a.read_real("/sweep/values"));
  for (const char* name : {"/sweep/energy", "/sweep/work_coherent", "/sweep/heat_incoherent",
                           "/sweep/entropy_production", "/sweep/1/rho"}) {
    EXPECT_EQ(b.shape(name), a.shape(name)) << name;
    if (std::string(name).find("rho") != std::string::npos)
      EXPECT_LT(max_diff(b.read_complex(name), a.read_complex(name)), 1e-14) << name;
    else
      EXPECT_LT(max_diff(b.read_real(name), a.read_real(name)), 1e-14) << name;
  }
  EXPECT_LT(
      max_diff(b.read_complex("/sweep/observables/sz"), a.read_complex("/sweep/observables/sz")),
      1e-14);
  EXPECT_EQ(b.read_int_attribute("/", "complete"), 1);
  a.close();
  b.close();
  for (const std::string& f : {deck, full, merged}) std::remove(f.c_str());
  std::istringstream names(parts);
  for (std::string f; names >> f;) std::remove(f.c_str());
}

TEST(Sweep, DegenerateSteadyStateFailsCleanlyOnTheCommandLine) {
  if (rank() != 0) return;
  const std::string deck = write_text("two_blocks", R"(
[system]
sites = ["spin1/2", "spin1/2"]
hamiltonian = [[1.0, "sz", 0], [1.0, "sz", 1]]
[[species]]
name = "bath"
ancilla = "spin1/2"
hamiltonian = [[1.0, "sz", "A"]]
beta = 1.0
coupling = [[0.5, "sp", 0, "sm", "A"], [0.5, "sm", 0, "sp", "A"]]
)");
  const std::string out = temp_path("two_blocks", ".h5");
  const CommandResult steady = run_qcoll("steady " + deck + " -o " + out);
  EXPECT_EQ(steady.exit_code, 2) << steady.output;
  EXPECT_NE(steady.output.find("not unique"), std::string::npos) << steady.output;
  EXPECT_EQ(steady.output.find("PETSC ERROR"), std::string::npos) << steady.output;
  const CommandResult spectrum = run_qcoll("spectrum " + deck + " --overwrite -o " + out);
  ASSERT_EQ(spectrum.exit_code, 0) << spectrum.output;
  Hdf5File f(out, MPI_COMM_SELF, Hdf5File::Mode::Append);
  EXPECT_EQ(f.read_int_attribute("/spectrum/eigenvalues", "zero_count"), 2);
  f.close();
  const CommandResult evolve =
      run_qcoll("steady " + deck + " --overwrite -o " + out + " --set steady.method=evolve");
  EXPECT_EQ(evolve.exit_code, 0) << evolve.output;
  EXPECT_NE(evolve.output.find("warning"), std::string::npos) << evolve.output;
  Hdf5File g(out, MPI_COMM_SELF, Hdf5File::Mode::Append);
  EXPECT_EQ(g.read_int_attribute("/steady", "unique"), 0);
  g.close();
  std::remove(deck.c_str());
  std::remove(out.c_str());
}
