// The slow spectrum (solvers/spectrum.hpp) against dense diagonalisation on
// models whose slowest modes oscillate fast: there the eigenvalues nearest 0
// in modulus are not the slowest, and only an ordering by real part finds the
// gap. Also: one factorisation per steady run, and impossible requests refused.
#include <gtest/gtest.h>
#include <petscsys.h>

#include <algorithm>
#include <cmath>

#include "qcoll/solvers/spectrum.hpp"
#include "steady_support.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

// A qubit exchanging quanta with a boson (4 levels), three species: a hot
// coherent bath and a cold one on the qubit, a thermal one on the boson.
const char* kSpinBoson = R"(
[params]
w = 2.0
k = 0.3
g = 0.35
[system]
sites = ["spin1/2", "boson3"]
hamiltonian = [["w/2", "sz", 0], ["w", "n", 1], ["k", "sp", 0, "a", 1], ["k", "sm", 0, "adag", 1]]
[[species]]
name = "hot"
ancilla = "spin1/2"
hamiltonian = [["w/2", "sz", "A"]]
beta = 0.4
coupling = [["g", "sp", 0, "sm", "A"], ["g", "sm", 0, "sp", "A"]]
lambda = 0.25
chi = "sx"
[[species]]
name = "cold"
ancilla = "spin1/2"
hamiltonian = [["w/2", "sz", "A"]]
beta = 2.0
coupling = [["g/2", "sp", 0, "sm", "A"], ["g/2", "sm", 0, "sp", "A"]]
lambda = 0.0
[[species]]
name = "cavity"
ancilla = "spin1/2"
hamiltonian = [["w/2", "sz", "A"]]
beta = 1.0
coupling = [["g", "a", 1, "sp", "A"], ["g", "adag", 1, "sm", "A"]]
lambda = 0.1
chi = "sy"
[initial]
state = "maximally_mixed"
)";

double distance_to_nearest(cplx z, const std::vector<cplx>& set) {
  double best = 1e300;
  for (const cplx& w : set) best = std::min(best, std::abs(z - w));
  return best;
}

// Dense eigenvalues, slowest first.
std::vector<cplx> dense_slowest(const Problem& p) {
  std::vector<cplx> v = dense_eigen(dense_liouvillian(p)).values;
  sort_by_decay_rate(&v, 1e-12);
  return v;
}

SpectrumResult slow_spectrum(const Problem& p, index_t nev, bool allow_dense) {
  Liouvillian L;
  EXPECT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  SpectrumResult s;
  {
    SpectrumSolver solver;
    SpectrumOptions o;
    o.nev = nev;
    o.verbose = false;
    o.allow_dense = allow_dense;
    EXPECT_EQ(solver.Setup(L.total, o), 0);
    EXPECT_EQ(solver.Solve(&s), 0);
  }
  EXPECT_EQ(LiouvillianDestroy(&L), 0);
  return s;
}

// The computed eigenvalues are the nev slowest of the dense spectrum: the
// decay rates agree one by one, and each value is a dense eigenvalue. Always
// through the exp(t L) stage, also where d^2 is small enough for the dense path.
void expect_slowest(const Problem& p, index_t nev, const std::string& what) {
  const std::vector<cplx> dense = dense_slowest(p);
  const SpectrumResult s = slow_spectrum(p, nev, /*allow_dense=*/false);
  ASSERT_EQ(s.eigenvalues.size(), static_cast<size_t>(nev)) << what;
  for (index_t k = 0; k < nev; ++k) {
    EXPECT_NEAR(std::abs(s.eigenvalues[k].real()), std::abs(dense[k].real()), 1e-8)
        << what << " k = " << k;
    EXPECT_LT(distance_to_nearest(s.eigenvalues[k], dense), 1e-8) << what << " k = " << k;
    EXPECT_LT(s.residuals[k], 1e-8) << what << " k = " << k;
  }
  EXPECT_EQ(s.zero_count, 1) << what;
  EXPECT_NEAR(s.gap, std::abs(dense[1].real()), 1e-8) << what;
  EXPECT_FALSE(s.searched.empty());
}

// The slowest non-zero mode oscillates: |Im| > |Re| of some faster mode...
// i.e. ordering by modulus would rank a faster mode first.
bool modulus_order_misleads(const Problem& p) {
  const std::vector<cplx> dense = dense_slowest(p);
  const std::vector<cplx> by_modulus = sorted_by_modulus(dense);
  return std::abs(std::abs(by_modulus[1].real()) - std::abs(dense[1].real())) > 1e-6;
}

}  // namespace

TEST(SlowSpectrum, TruncatedOscillatorGapIsTheSlowestOscillatingMode) {
  const Problem p = prepare_problem(deck_from_inputs("oscillator.toml"));
  ASSERT_TRUE(modulus_order_misleads(p));
  expect_slowest(p, 8, "oscillator");
}

TEST(SlowSpectrum, SpinOneInAStrongFieldHasItsCoherencesSlowest) {
  const Problem p = prepare_problem(load_deck(source_path("tests/decks/spin1_in_field.toml")));
  ASSERT_TRUE(modulus_order_misleads(p));
  expect_slowest(p, 6, "spin-1");
}

TEST(SlowSpectrum, SpinBosonWithThreeSpeciesMatchesDenseSpectrum) {
  const Problem p = prepare_problem(load_deck_from_string(kSpinBoson, "spin_boson.toml"));
  expect_slowest(p, 8, "spin x boson");
}

TEST(SlowSpectrum, ChainSlowestEigenvaluesAreDenseSlowest) {
  const Problem p = prepare_problem(deck_from_inputs("xxz_chain.toml", chain4_overrides()));
  expect_slowest(p, 6, "chain");
}

TEST(SlowSpectrum, NevBeyondTheDimensionIsRefused) {
  const Problem p = prepare_problem(deck_from_inputs("oscillator.toml"));
  Liouvillian L;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  {
    SpectrumSolver solver;
    SpectrumOptions o;
    o.nev = 256;            // d^2 = 256
    o.dense_dimension = 0;  // the Krylov stages (the dense path lists all d^2 at most)
    const PetscErrorCode ierr = solver.Setup(L.total, o);
    EXPECT_EQ(ierr, PETSC_ERR_USER_INPUT);
  }
  PetscPopErrorHandler();
  ASSERT_EQ(LiouvillianDestroy(&L), 0);
}

// A steady run with the uniqueness check and the gap factorises once: the
// check and the slow spectrum use the steady state's LU.
TEST(SlowSpectrum, SteadyRunWithGapFactorisesOnce) {
  const Problem p = prepare_problem(deck_from_inputs("oscillator.toml"));
  ASSERT_EQ(PetscLogDefaultBegin(), 0);
  PetscLogEvent lu;
  ASSERT_EQ(PetscLogEventGetId("MatLUFactorNum", &lu), 0);
  auto count = [lu]() {
    PetscEventPerfInfo info;
    EXPECT_EQ(PetscLogEventGetPerfInfo(0, lu, &info), 0);
    return info.count;
  };
  Liouvillian L;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  std::vector<Vec> trace;
  ASSERT_EQ(TraceCovectorsCreate(L.total, {&p.ops.identity}, &trace), 0);
  Vec v;
  ASSERT_EQ(CreateInitialVector(p, L, &v), 0);
  SteadyReport r;
  const int before = count();
  {
    SteadyOptions o;
    o.method = "direct";
    o.gap = true;
    o.nev = 6;
    o.verbose = false;
    o.spectrum_dense_dimension = 0;  // the Krylov stages, not the dense path
    SteadySolver solver;
    ASSERT_EQ(solver.Setup(L.total, L.layout, trace[0], o), 0);
    ASSERT_EQ(solver.Solve(v, &r), 0);
  }
  EXPECT_EQ(count() - before, 1);
  EXPECT_TRUE(r.unique_checked);
  EXPECT_TRUE(r.unique);
  ASSERT_TRUE(r.with_spectrum);
  const std::vector<cplx> dense = dense_slowest(p);
  EXPECT_NEAR(r.spectrum.gap, std::abs(dense[1].real()), 1e-8);
  // The near-zero stage does not list the steady state's own 0.
  for (const cplx& z : r.spectrum.nearest_zero) EXPECT_GT(std::abs(z), 1e-6);
  EXPECT_LT(r.residual, 1e-12);
  ASSERT_EQ(VecDestroy(&v), 0);
  ASSERT_EQ(VecsDestroy(&trace), 0);
  ASSERT_EQ(LiouvillianDestroy(&L), 0);
}
