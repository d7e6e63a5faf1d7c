// [sweep] with the evolve task: every point equals a separate evolve run of
// the deck with the point's value (the lambda path that keeps L_0 and L_Gj,
// assembled and matrix-free, and the path that rebuilds), and bad sweeps are
// clear input errors. Restarts: tests/scripts/evolve_sweep_restart.sh;
// merging --sweep-index files: post/tests/test_merge_sweep.py.
#include <gtest/gtest.h>
#include <petscsys.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "physics_support.hpp"
#include "qcoll/io/deck_points.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

// An inputs/ deck, shortened, with a [sweep] table appended.
std::string sweep_text(const std::string& input, const std::string& key,
                       const std::string& values) {
  return read_text(source_path("inputs/" + input)) + "\n[sweep]\nkey = \"" + key +
         "\"\nvalues = " + values + "\n";
}

const std::vector<Override> kShort{{"evolve.t_final", "2.0"},
                                   {"evolve.dt_output", "0.1"},
                                   {"evolve.store_states", "5"},
                                   {"evolve.entropy", "true"}};

void remove_shared(const std::string& path) {
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) std::remove(path.c_str());
}

// The evolve task on `deck` (a sweep when it has one) into a new file.
std::string run_evolve(const Deck& deck, const std::string& stem) {
  const std::string path = shared_temp_path(stem);
  const Problem p = prepare_problem(deck);
  Hdf5File f(path, MPI_COMM_WORLD);
  RunContext ctx;
  ctx.output_path = path;
  if (deck.sweep) {
    EXPECT_EQ(RunTask(MPI_COMM_WORLD, "evolve", DeckPoints(deck), f, ctx), 0);
  } else {
    EXPECT_EQ(RunProblem(MPI_COMM_WORLD, "evolve", p, f, ctx), 0);
  }
  EXPECT_FALSE(ctx.stopped);
  return path;
}

template <class T>
double max_diff(const std::vector<T>& a, const std::vector<T>& b) {
  EXPECT_EQ(a.size(), b.size());
  if (a.size() != b.size()) return INFINITY;
  double m = 0;
  for (size_t k = 0; k < a.size(); ++k) m = std::max(m, std::abs(a[k] - b[k]));
  return m;
}

// Row k of a table [np, n] stored row-major.
std::vector<double> row(const std::vector<double>& table, size_t k, size_t n) {
  return std::vector<double>(table.begin() + k * n, table.begin() + (k + 1) * n);
}

const char* const kScalars[] = {"energy",         "dEdt",    "trace",
                                "purity",         "entropy", "entropy_production",
                                "work_switching", "dSdt",    "entropy_production_ancilla"};
const char* const kPerSpecies[] = {"work_coherent", "heat_incoherent", "heat_ancilla",
                                   "heat_incoherent_ancilla"};

// Every point of the sweep (its group and its row of the table) equals an
// evolve run of the deck with the point's override, to `tol`.
void expect_sweep_equals_separate_runs(const Deck& deck, double tol = 1e-10) {
  const std::string sweep_path = run_evolve(deck, "evolve_sweep");
  Hdf5File sweep(sweep_path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  const Problem base = prepare_problem(deck);
  const size_t np = deck.sweep->values.size(), ns = base.me.species.size();
  ASSERT_EQ(sweep.read_real("/sweep/values"), deck.sweep->values);
  EXPECT_EQ(sweep.read_string_attribute("/sweep", "task"), "evolve");
  for (size_t k = 0; k < np; ++k) {
    Deck single = with_override(deck, sweep_override(*deck.sweep, k));
    single.sweep.reset();
    const std::string path = run_evolve(single, "evolve_single");
    Hdf5File one(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
    const std::string g = "/sweep/" + std::to_string(k);
    EXPECT_EQ(sweep.read_int_attribute(g, "complete"), 1);
    EXPECT_EQ(sweep.read_string_attribute(g, "override"),
              deck.sweep->key + "=" + sweep_override(*deck.sweep, k).value);
    EXPECT_EQ(sweep.read_string_attribute(g, "deck"), single.toml);
    EXPECT_EQ(sweep.read_real("/sweep/t_final")[k], one.read_real("/evolve/t").back());
    EXPECT_EQ(sweep.read_real(g + "/t"), one.read_real("/evolve/t"));
    for (const char* name : kScalars) {
      const std::vector<double> series = one.read_real("/evolve/" + std::string(name));
      EXPECT_LT(max_diff(sweep.read_real(g + "/" + name), series), tol) << name << " " << k;
      EXPECT_NEAR(sweep.read_real("/sweep/" + std::string(name))[k], series.back(), tol) << name;
    }
    for (const char* name : kPerSpecies) {
      const std::vector<double> series = one.read_real("/evolve/" + std::string(name));
      EXPECT_LT(max_diff(sweep.read_real(g + "/" + name), series), tol) << name << " " << k;
      const size_t nt = series.size() / ns;
      EXPECT_LT(max_diff(row(sweep.read_real("/sweep/" + std::string(name)), k, ns),
                         row(series, nt - 1, ns)),
                tol)
          << name << " " << k;
    }
    for (const std::string& o : base.ops.observable_names) {
      const std::vector<cplx> series = one.read_complex("/evolve/observables/" + o);
      EXPECT_LT(max_diff(sweep.read_complex(g + "/observables/" + o), series), tol) << o;
      EXPECT_LT(std::abs(sweep.read_complex("/sweep/observables/" + o)[k] - series.back()), tol)
          << o;
    }
    for (const char* name : {"rho_final", "rho"})
      EXPECT_LT(max_diff(sweep.read_complex(g + "/" + name),
                         one.read_complex("/evolve/" + std::string(name))),
                tol)
          << name << " " << k;
    EXPECT_EQ(sweep.read_real(g + "/rho_t"), one.read_real("/evolve/rho_t"));
    one.close();
    remove_shared(path);
  }
  // The points differ, so agreement is not trivial.
  const std::vector<double> energy = sweep.read_real("/sweep/energy");
  EXPECT_GT(std::abs(energy.front() - energy.back()), 1e-4);
  sweep.close();
  remove_shared(sweep_path);
}

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string write_text(const std::string& stem, const std::string& text) {
  return write_temp_file(stem, ".toml", text);
}

}  // namespace

TEST(EvolveSweep, LambdaSweepOfTheMatrixFreeOperatorEqualsSeparateRuns) {
  expect_sweep_equals_separate_runs(load_deck_from_string(
      sweep_text("maser.toml", "species.drive.lambda", "[0.0, 0.15, 0.3]"), "maser", kShort));
}

TEST(EvolveSweep, LambdaSweepOfTheAssembledLiouvillianEqualsSeparateRuns) {
  ScopedOption assembled("-qcoll_matrix_free", "false");
  expect_sweep_equals_separate_runs(load_deck_from_string(
      sweep_text("maser.toml", "species.drive.lambda", "[0.0, 0.15, 0.3]"), "maser", kShort));
}

TEST(EvolveSweep, LambdaSweepWithExpmEqualsSeparateRuns) {
  std::vector<Override> overrides = kShort;
  overrides.push_back({"evolve.method", "\"expm\""});
  expect_sweep_equals_separate_runs(load_deck_from_string(
      sweep_text("qubit.toml", "species.bath.lambda", "[0.1, 0.5]"), "qubit", overrides));
}

TEST(EvolveSweep, ParameterSweepRebuildingTheModelEqualsSeparateRuns) {
  expect_sweep_equals_separate_runs(
      load_deck_from_string(sweep_text("qubit.toml", "params.g", "[0.3, 0.6]"), "qubit", kShort));
}

TEST(EvolveSweep, BadSweepsAreClearInputErrors) {
  if (rank() != 0) return;
  const std::string base = read_text(source_path("inputs/qubit.toml"));
  const std::string out = temp_path("bad_sweep", ".h5");
  struct Case {
    std::string sweep, args, expected;
  };
  for (const Case& c : {
           Case{"key = \"species.nobody.lambda\"\nvalues = [0.1]", "", "no species named"},
           Case{"key = \"evolve.method\"\nvalues = [0.1]", "", "does not name a number"},
           Case{"key = \"evolve.tfinal\"\nvalues = [0.1]", "", "does not name a deck key"},
           Case{"key = \"evolve.t_final\"\nvalues = [1.0, -1.0]", "", "point 1"},
           Case{"key = \"species.bath.lambda\"\nvalues = [0.1, 0.2]", "--sweep-index 2",
                "out of range"},
       }) {
    const std::string deck = write_text("bad_sweep", base + "\n[sweep]\n" + c.sweep + "\n");
    const CommandResult r = run_qcoll("evolve " + deck + " -o " + out + " " + c.args);
    EXPECT_EQ(r.exit_code, 1) << c.sweep << "\n" << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("PETSC ERROR"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("sweep: point"), std::string::npos) << "a point ran: " << r.output;
    EXPECT_FALSE(exists(out)) << "the output was created for " << c.sweep;
    std::remove(deck.c_str());
  }
}

TEST(EvolveSweep, SweepIndexRunsOnePointIntoItsOwnFile) {
  if (rank() != 0) return;
  const std::string deck =
      write_text("index_deck", sweep_text("qubit.toml", "species.bath.lambda", "[0.0, 0.25, 0.5]"));
  const std::string out = temp_path("index_point", ".h5");
  const CommandResult r = run_qcoll("evolve " + deck + " --sweep-index 1 -o " + out +
                                    " --set evolve.t_final=1.0 --set evolve.entropy=false");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sweep: point 1 (1 of 1)"), std::string::npos) << r.output;
  Hdf5File f(out, MPI_COMM_SELF, Hdf5File::Mode::Append);
  EXPECT_EQ(f.read_int_attribute("/sweep", "sweep_index"), 1);
  EXPECT_EQ(f.read_int("/sweep/index"), std::vector<long long>{1});
  EXPECT_EQ(f.read_real("/sweep/values"), std::vector<double>{0.25});
  EXPECT_FALSE(f.exists("/sweep/0"));
  EXPECT_FALSE(f.exists("/sweep/entropy"));  // entropy = false
  EXPECT_EQ(f.shape("/sweep/work_coherent"), (std::vector<hsize_t>{1, 1}));
  EXPECT_EQ(f.read_real("/sweep/1/t").back(), 1.0);
  EXPECT_EQ(f.read_int_attribute("/", "complete"), 1);
  f.close();
  EXPECT_FALSE(exists(out + ".checkpoint"));
  std::remove(out.c_str());
  std::remove(deck.c_str());
}
