// Heat fluctuations (full counting statistics of each species' ancilla
// energy) and machine metrics at the steady state: the cumulants computed
// with the steady solver's factorisation equal finite differences of the
// dominant eigenvalue of the dense tilted generator; the mean equals
// -heat_incoherent_ancilla; the machine regimes follow their definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "../src/solvers/dense_eigen.hpp"
#include "physics_support.hpp"
#include "qcoll/derive/counting.hpp"
#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/io/deck_problem.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "qcoll/thermo/machine.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

// The eigenvalue of largest real part of L_s, s = fields (one per species).
double scgf(const Problem& p, const std::vector<double>& fields) {
  SuperOperatorTerms terms = liouvillian_terms(p.me, p.lambdas);
  for (size_t j = 0; j < fields.size(); ++j) {
    if (fields[j] == 0.0) continue;
    const SuperOperatorTerms tilt = counting_tilt_terms(p.me.species[j], fields[j]);
    terms.insert(terms.end(), tilt.begin(), tilt.end());
  }
  const DenseMatrix l = dense_superoperator(p.me.dim, terms);
  const index_t n = l.rows();
  std::vector<cplx> a(static_cast<size_t>(n * n));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < n; ++j) a[i + n * j] = l(i, j);
  DenseEigen e;
  EXPECT_TRUE(dense_eigen_column_major(n, a, &e));
  double best = -std::numeric_limits<double>::infinity();
  for (const cplx& v : e.values) best = std::max(best, v.real());
  return best;
}

std::vector<double> field(size_t ns, size_t j, double s, size_t k = 0, double t = 0.0) {
  std::vector<double> f(ns, 0.0);
  f[j] += s;
  f[k] += t;
  return f;
}

struct Cumulants {
  std::vector<double> mean, covariance, third, tur, incoherent_ancilla;
  double entropy_production = 0.0;
};

Cumulants run_steady(const Deck& deck) {
  const std::string path = shared_temp_path("fluctuations");
  const Problem p = prepare_problem(deck);
  Cumulants c;
  {
    Hdf5File out(path, MPI_COMM_WORLD);
    RunContext ctx;
    ctx.output_path = path;
    EXPECT_EQ(RunProblem(MPI_COMM_WORLD, "steady", p, out, ctx), 0);
  }
  Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  c.mean = f.read_real("/steady/fluctuations/mean");
  c.covariance = f.read_real("/steady/fluctuations/covariance");
  c.third = f.read_real("/steady/fluctuations/cumulant3");
  c.tur = f.read_real("/steady/fluctuations/tur_ratio");
  c.incoherent_ancilla = f.read_real("/steady/heat_incoherent_ancilla");
  c.entropy_production = f.read_real("/steady/entropy_production")[0];
  return c;
}

// Every cumulant against central differences of the dense SCGF (Richardson
// extrapolated for the third), relative to the cumulant's scale.
void expect_cumulants_match_dense(const Deck& deck, double tol) {
  const Problem p = prepare_problem(deck);
  const Cumulants c = run_steady(deck);
  const size_t ns = p.me.species.size();
  ASSERT_EQ(c.mean.size(), ns);
  const double h = 1e-3, h3 = 2e-2;
  for (size_t j = 0; j < ns; ++j) {
    EXPECT_NEAR(c.mean[j], -c.incoherent_ancilla[j], 1e-10) << "species " << j;
    const double up = scgf(p, field(ns, j, h)), down = scgf(p, field(ns, j, -h));
    const double zero = scgf(p, std::vector<double>(ns, 0.0));
    const double mean_fd = (up - down) / (2 * h);
    const double var_fd = (up - 2 * zero + down) / (h * h);
    const double scale = std::max(
        {std::abs(c.mean[j]), std::abs(c.covariance[j * ns + j]), std::abs(c.third[j]), 1e-3});
    EXPECT_NEAR(c.mean[j], mean_fd, tol * scale) << "mean " << j;
    EXPECT_NEAR(c.covariance[j * ns + j], var_fd, tol * scale) << "variance " << j;
    auto third = [&](double s) {
      return (scgf(p, field(ns, j, 2 * s)) - 2 * scgf(p, field(ns, j, s)) +
              2 * scgf(p, field(ns, j, -s)) - scgf(p, field(ns, j, -2 * s))) /
             (2 * s * s * s);
    };
    const double third_fd = (4 * third(h3 / 2) - third(h3)) / 3;
    EXPECT_NEAR(c.third[j], third_fd, 10 * tol * scale) << "third cumulant " << j;
    for (size_t k = 0; k < j; ++k) {
      const double cross = (scgf(p, field(ns, j, h, k, h)) - scgf(p, field(ns, j, h, k, -h)) -
                            scgf(p, field(ns, j, -h, k, h)) + scgf(p, field(ns, j, -h, k, -h))) /
                           (4 * h * h);
      EXPECT_NEAR(c.covariance[j * ns + k], cross, tol * scale) << "covariance " << j << k;
      EXPECT_EQ(c.covariance[j * ns + k], c.covariance[k * ns + j]);
    }
    if (c.mean[j] != 0.0)
      EXPECT_NEAR(c.tur[j],
                  c.covariance[j * ns + j] * c.entropy_production / (c.mean[j] * c.mean[j]),
                  1e-12 * std::abs(c.tur[j]));
  }
}

Deck chain(const std::vector<Override>& extra = {}) {
  std::vector<Override> o{{"steady.fluctuations", "true"}};
  o.insert(o.end(), extra.begin(), extra.end());
  return load_deck(source_path("tests/decks/xxz4_two_baths.toml"), o);
}

}  // namespace

TEST(Fluctuations, MaserCumulantsEqualFiniteDifferencesOfTheTiltedGenerator) {
  // Three species, a coherent drive (lambda != 0): heat flows hot -> cold.
  expect_cumulants_match_dense(deck_from_inputs("maser.toml", {{"steady.fluctuations", "true"}}),
                               1e-6);
}

TEST(Fluctuations, ChainInItsMagnetisationSectorMatchesTheDenseReference) {
  // lambda = 0: solved in the q = 0 sector, the cumulants from full-length vectors.
  expect_cumulants_match_dense(chain(), 1e-6);
}

TEST(Fluctuations, CoherentChainWithTheIterativeSolverMatchesTheDenseReference) {
  expect_cumulants_match_dense(
      chain({{"species.hot.lambda", "0.2"}, {"steady.method", "iterative"}}), 1e-6);
}

TEST(Fluctuations, TimeSteppingHasNoFactorisationAndSaysSo) {
  const Deck deck = chain({{"steady.method", "evolve"}});
  const Problem p = prepare_problem(deck);
  const std::string path = shared_temp_path("fluctuations_evolve");
  Hdf5File out(path, MPI_COMM_WORLD);
  RunContext ctx;
  ctx.output_path = path;
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  const PetscErrorCode ierr = RunProblem(MPI_COMM_WORLD, "steady", p, out, ctx);
  PetscPopErrorHandler();
  EXPECT_NE(ierr, 0);
  const char* text = nullptr;
  char* specific = nullptr;
  PetscErrorMessage(ierr, &text, &specific);
  EXPECT_NE(std::string(specific ? specific : "").find("direct or iterative"), std::string::npos)
      << (specific ? specific : "");
}

TEST(Machine, EachRegimeFollowsItsDefinition) {
  const std::vector<double> betas{0.5, 2.0, 1.0};
  auto values = [](double w, double qh, double qc) {
    ThermoValues v;
    v.work_coherent = {0.0, 0.0, w};  // the drive does the work
    v.heat_incoherent = {qh, qc, 0.0};
    return v;
  };
  // engine: power = -W > 0; efficiency = power / heat_hot
  MachineMetrics m = machine_metrics(values(-0.1, 0.4, -0.3), betas, 0, 1);
  EXPECT_EQ(m.regime, "engine");
  EXPECT_DOUBLE_EQ(m.efficiency, 0.25);
  EXPECT_TRUE(std::isnan(m.cop));
  EXPECT_DOUBLE_EQ(m.carnot_efficiency, 0.75);
  m = machine_metrics(values(0.2, -0.3, 0.1), betas, 0, 1);
  EXPECT_EQ(m.regime, "refrigerator");
  EXPECT_DOUBLE_EQ(m.cop, 0.5);
  EXPECT_TRUE(std::isnan(m.efficiency));
  EXPECT_EQ(machine_metrics(values(0.1, 0.2, -0.3), betas, 0, 1).regime, "accelerator");
  EXPECT_EQ(machine_metrics(values(0.5, -0.2, -0.3), betas, 0, 1).regime, "heater");
  EXPECT_EQ(machine_metrics(values(0.0, 0.2, -0.2), betas, 0, 1).regime, "none");
  // Hot and cold: smallest and largest finite beta, or as named.
  const std::vector<std::string> names{"a", "b", "c"};
  EXPECT_EQ(machine_species(names, betas, "", ""), std::make_pair(0, 1));
  EXPECT_EQ(machine_species(names, betas, "c", ""), std::make_pair(2, 1));
  EXPECT_EQ(machine_species(names, {1.0, INFINITY}, "", ""), std::make_pair(-1, -1));
}

TEST(Machine, TheFilesMetricsAreItsOwnCurrents) {
  const std::string path = run_steady_like_command_line(deck_from_inputs("maser.toml"), "machine");
  Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  const std::vector<double> w = f.read_real("/steady/work_coherent");
  const std::vector<double> q = f.read_real("/steady/heat_incoherent");
  const double power = f.read_real("/steady/machine/power")[0];
  EXPECT_NEAR(power, -(w[0] + w[1] + w[2]), 1e-15);
  EXPECT_EQ(f.read_string_attribute("/steady/machine", "hot"), "hot");
  EXPECT_EQ(f.read_real("/steady/machine/heat_hot")[0], q[0]);
  EXPECT_EQ(f.read_real("/steady/machine/heat_cold")[0], q[1]);
  // At its defaults the maser is an engine (inputs/maser.toml): heat runs
  // hot -> cold and the atom does work on the drive's field.
  EXPECT_EQ(f.read_string_attribute("/steady/machine", "regime"), "engine");
  EXPECT_GT(power, 0);
  EXPECT_NEAR(f.read_real("/steady/machine/efficiency")[0], power / q[0], 1e-15);
}
