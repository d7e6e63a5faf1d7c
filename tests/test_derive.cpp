// Derivation of the master-equation terms (physics.md section 2): the paper's
// qubit example, and the general recipe against the eigenoperator formula.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "qcoll/derive/master_equation.hpp"
#include "qcoll/io/deck.hpp"
#include "test_support.hpp"

using namespace qcoll;

namespace {

DenseMatrix random_density(index_t d, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> n(0.0, 1.0);
  DenseMatrix a(d, d);
  for (index_t i = 0; i < d; ++i)
    for (index_t j = 0; j < d; ++j) a(i, j) = cplx(n(gen), n(gen));
  DenseMatrix rho = a * a.adjoint();
  rho *= 1.0 / rho.trace().real();
  return rho;
}

// D[L] rho = L rho L^dag - 1/2 {L^dag L, rho}
DenseMatrix lindblad(const DenseMatrix& l, const DenseMatrix& rho) {
  const DenseMatrix k = l.adjoint() * l;
  return l * rho * l.adjoint() - cplx(0.5) * (k * rho + rho * k);
}

double max_diff(const DenseMatrix& a, const DenseMatrix& b) {
  return (a - b).max_abs();
}

const char* kQubitDeck = R"(
[params]
Omega = 1.3
g = 0.7
[system]
sites = ["spin1/2"]
hamiltonian = [["Omega/2", "sz", 0]]
[[species]]
name = "bath"
ancilla = "spin1/2"
hamiltonian = [["Omega/2", "sz", "A"]]
beta = 0.8
coupling = [["g", "sp", 0, "sm", "A"], ["g", "sm", 0, "sp", "A"]]
lambda = 0.2
chi = "sx"
)";

}  // namespace

TEST(Derive, PaperQubitExampleGivesOpticalBlochTerms) {
  const Deck deck = load_deck_from_string(kQubitDeck, "qubit");
  const MasterEquation me = derive_master_equation(deck.model);
  ASSERT_EQ(me.species.size(), 1u);
  const SpeciesTerms& s = me.species[0];
  const double omega = 1.3, g = 0.7, beta = 0.8;
  // Ancilla populations: |0> = up has energy +Omega/2.
  const double p_up = std::exp(-beta * omega / 2) / (2 * std::cosh(beta * omega / 2));
  const double gamma_minus = g * g * (1 - p_up), gamma_plus = g * g * p_up;
  EXPECT_NEAR(gamma_plus / gamma_minus, std::exp(-beta * omega), 1e-12);  // detailed balance

  const LocalSpace spin = LocalSpace::parse("spin1/2");
  const DenseMatrix sm = spin.op("sm"), sp = spin.op("sp"), sx = spin.op("sx");
  for (unsigned seed = 1; seed <= 3; ++seed) {
    const DenseMatrix rho = random_density(2, seed);
    const DenseMatrix expected =
        cplx(gamma_minus) * lindblad(sm, rho) + cplx(gamma_plus) * lindblad(sp, rho);
    EXPECT_LT(max_diff(apply_dissipator(s, rho), expected), 1e-13);
    EXPECT_LT(
        max_diff(dissipator_from_definition(deck.model, deck.model.species[0], rho), expected),
        1e-13);
  }
  EXPECT_LT(max_diff(s.G.to_dense(), cplx(g) * sx), 1e-14);  // G = g sigma_x
  EXPECT_TRUE(s.energy_conserving);
  EXPECT_LT(s.first_moment, 1e-14);
}

// Spin-1 system, qubit ancilla, complex g and complex chi:
// V = g L^dag (x) A + conj(g) L (x) A^dag with L = Sm, A = sm (both lower the energy by w).
TEST(Derive, GeneralRecipeEqualsEigenoperatorFormulaSpin1) {
  const cplx g(0.4, 0.3), c(0.25, -0.6);
  const double w = 0.9, beta = 1.7;
  const std::string deck_text = R"(
[params]
w = 0.9
[system]
sites = ["spin1"]
hamiltonian = [["w", "Sz", 0]]
[[species]]
name = "b"
ancilla = "spin1/2"
hamiltonian = [["w/2", "sz", "A"]]
beta = 1.7
coupling = [[[0.4, 0.3], "Sp", 0, "sm", "A"], [[0.4, -0.3], "Sm", 0, "sp", "A"]]
lambda = 0.5
chi = [[0, [0.25, -0.6]], [[0.25, 0.6], 0]]
)";
  const Deck deck = load_deck_from_string(deck_text, "spin1");
  const MasterEquation me = derive_master_equation(deck.model);
  const SpeciesTerms& s = me.species[0];
  EXPECT_TRUE(s.energy_conserving);

  const LocalSpace spin1 = LocalSpace::parse("spin1"), q = LocalSpace::parse("spin1/2");
  const DenseMatrix L = spin1.op("Sm"), Ldag = spin1.op("Sp");
  const DenseMatrix A = q.op("sm"), Adag = q.op("sp");
  const DenseMatrix rho_th = thermal_state(cplx(w / 2) * q.op("sz"), beta);
  const DenseMatrix chi = deck.model.species[0].chi;
  // <X Y>_th = tr(rho_th X Y) = tr(Y rho_th X)
  const double gamma_minus = std::norm(g) * (Adag * rho_th * A).trace().real();  // <A A^dag>
  const double gamma_plus = std::norm(g) * (A * rho_th * Adag).trace().real();   // <A^dag A>
  const cplx mean_a = (A * chi).trace(), mean_adag = (Adag * chi).trace();
  EXPECT_NEAR(std::abs(mean_a), std::abs(c), 1e-14);
  const DenseMatrix G_expected = g * mean_a * Ldag + std::conj(g) * mean_adag * L;
  EXPECT_LT(max_diff(s.G.to_dense(), G_expected), 1e-14);
  EXPECT_NEAR(gamma_plus / gamma_minus, std::exp(-beta * w), 1e-12);

  for (unsigned seed = 10; seed < 13; ++seed) {
    const DenseMatrix rho = random_density(3, seed);
    const DenseMatrix expected =
        cplx(gamma_minus) * lindblad(L, rho) + cplx(gamma_plus) * lindblad(Ldag, rho);
    EXPECT_LT(max_diff(apply_dissipator(s, rho), expected), 1e-13);
    EXPECT_LT(
        max_diff(dissipator_from_definition(deck.model, deck.model.species[0], rho), expected),
        1e-13);
  }
}

// Boson mode with a qubit ancilla: V = g a (x) sp + conj(g) adag (x) sm, i.e.
// L = a with A = sm and coupling constant conj(g).
TEST(Derive, GeneralRecipeEqualsEigenoperatorFormulaBoson) {
  const std::string deck_text = R"(
[system]
sites = ["boson5"]
hamiltonian = [[1.1, "n", 0]]
[[species]]
name = "b"
ancilla = "spin1/2"
hamiltonian = [[0.55, "sz", "A"]]
temperature = 2.0
coupling = [[[0.3, 0.2], "a", 0, "sp", "A"], [[0.3, -0.2], "adag", 0, "sm", "A"]]
lambda = 0.3
chi = "sy"
)";
  const Deck deck = load_deck_from_string(deck_text, "boson");
  const MasterEquation me = derive_master_equation(deck.model);
  const SpeciesTerms& s = me.species[0];
  EXPECT_TRUE(s.energy_conserving);
  const cplx gk(0.3, -0.2);  // coefficient of L^dag (x) A = adag (x) sm
  const LocalSpace mode = LocalSpace::parse("boson5"), q = LocalSpace::parse("spin1/2");
  const DenseMatrix a = mode.op("a"), adag = mode.op("adag");
  const DenseMatrix A = q.op("sm"), Adag = q.op("sp");
  const DenseMatrix rho_th = thermal_state(cplx(0.55) * q.op("sz"), 0.5);
  const double gm = std::norm(gk) * (Adag * rho_th * A).trace().real();  // <A A^dag>
  const double gp = std::norm(gk) * (A * rho_th * Adag).trace().real();  // <A^dag A>
  const DenseMatrix chi = q.op("sy");
  const DenseMatrix G_expected =
      gk * (A * chi).trace() * adag + std::conj(gk) * (Adag * chi).trace() * a;
  EXPECT_LT(max_diff(s.G.to_dense(), G_expected), 1e-14);
  for (unsigned seed = 20; seed < 23; ++seed) {
    const DenseMatrix rho = random_density(6, seed);
    const DenseMatrix expected = cplx(gm) * lindblad(a, rho) + cplx(gp) * lindblad(adag, rho);
    EXPECT_LT(max_diff(apply_dissipator(s, rho), expected), 1e-13);
  }
}

// A generic coupling (not of eigenoperator form) on a two-site system: the
// jump-operator form must equal the definition -1/2 tr_A[V,[V, rho (x) rho_th]].
TEST(Derive, JumpFormEqualsDefinitionForGenericCoupling) {
  const std::string deck_text = R"(
[system]
sites = ["spin1/2", "qudit3"]
hamiltonian = [[0.7, "sz", 0], [1.0, "proj11", 1], [2.5, "proj22", 1], [0.2, "sx", 0, "proj01", 1], [0.2, "sx", 0, "proj10", 1]]
[[species]]
name = "b"
ancilla = "qudit3"
hamiltonian = [[0.4, "proj11", "A"], [1.3, "proj22", "A"]]
beta = 0.9
coupling = [[0.5, "sx", 0, "proj01", "A"], [0.5, "sx", 0, "proj10", "A"], [[0, 0.3], "proj12", 1, "proj02", "A"], [[0, -0.3], "proj21", 1, "proj20", "A"]]
)";
  const Deck deck = load_deck_from_string(deck_text, "generic");
  const MasterEquation me = derive_master_equation(deck.model);
  EXPECT_FALSE(me.species[0].energy_conserving);
  for (unsigned seed = 30; seed < 33; ++seed) {
    const DenseMatrix rho = random_density(6, seed);
    EXPECT_LT(max_diff(apply_dissipator(me.species[0], rho),
                       dissipator_from_definition(deck.model, deck.model.species[0], rho)),
              1e-13);
  }
}

TEST(Derive, DetunedAncillaIsReportedAsNotEnergyConserving) {
  const Deck deck = load_deck_from_string(kQubitDeck, "qubit",
                                          {{"species.bath.hamiltonian", "[[0.9, \"sz\", \"A\"]]"}});
  const MasterEquation me = derive_master_equation(deck.model);
  EXPECT_FALSE(me.species[0].energy_conserving);
  EXPECT_GT(me.species[0].energy_violation, 1e-3);
}

TEST(Derive, NonZeroThermalMeanOfCouplingIsAnInputError) {
  const Deck deck = load_deck_from_string(
      kQubitDeck, "qubit", {{"species.bath.coupling", "[[0.3, \"sz\", 0, \"sz\", \"A\"]]"}});
  try {
    derive_master_equation(deck.model);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "species.bath.coupling");
    EXPECT_NE(std::string(e.what()).find("tr_A(V rho_th)"), std::string::npos);
  }
  // At infinite temperature <sz> = 0 and the same coupling is admissible.
  const Deck hot =
      load_deck_from_string(kQubitDeck, "qubit",
                            {{"species.bath.coupling", "[[0.3, \"sz\", 0, \"sz\", \"A\"]]"},
                             {"species.bath.beta", "0.0"}});
  EXPECT_NO_THROW(derive_master_equation(hot.model));
}

TEST(Derive, NonHermitianCouplingIsAnInputError) {
  Deck deck = load_deck_from_string(kQubitDeck, "qubit");
  deck.model.species[0].coupling.pop_back();  // drop the Hermitian conjugate
  try {
    derive_master_equation(deck.model);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "species.bath.coupling");
  }
}
