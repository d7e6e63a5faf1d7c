// Time evolution against closed forms and the paper's identities (physics.md
// section 3), with every integrator the issue names.
#include <gtest/gtest.h>
#include <petscsys.h>

#include <cmath>

#include "physics_support.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

Trajectory evolve(const Deck& deck, const std::string& method = "ts") {
  Trajectory tr;
  EXPECT_EQ(EvolveDeck(deck, method, &tr), 0);
  return tr;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// Steady Bloch vector of H = (Omega/2) sz + h sx with gamma^- D[sm] + gamma^+ D[sp]:
//   dx/dt = -Omega y - Gamma/2 x,  dy/dt = Omega x - 2h z - Gamma/2 y,
//   dz/dt = 2h y - Gamma (z - z0),  Gamma = gamma^- + gamma^+, z0 = (gamma^+ - gamma^-)/Gamma.
struct Bloch {
  double x, y, z;
};
Bloch bloch_steady_state(double omega, double h, double gm, double gp) {
  const double gamma = gm + gp, z0 = (gp - gm) / gamma;
  const double z =
      z0 * (4 * omega * omega + gamma * gamma) / (4 * omega * omega + gamma * gamma + 8 * h * h);
  const double y = -4 * h * gamma * z / (4 * omega * omega + gamma * gamma);
  const double x = -2 * omega * y / gamma;
  return {x, y, z};
}

}  // namespace

TEST(Evolve, ThermalAncillasRelaxToGibbsStateOfTheSystem) {
  // Spin-1 system, resonant qubit ancillas without coherence.
  const std::string text = R"(
[system]
sites = ["spin1"]
hamiltonian = [[0.8, "Sz", 0]]
[[species]]
name = "bath"
ancilla = "spin1/2"
hamiltonian = [[0.4, "sz", "A"]]
beta = 1.3
coupling = [[0.7, "Sp", 0, "sm", "A"], [0.7, "Sm", 0, "sp", "A"]]
[initial]
state = "excited"
[evolve]
t_final = 60.0
dt_output = 1.0
)";
  const Deck deck = load_deck_from_string(text, "gibbs");
  const Trajectory tr = evolve(deck);
  const DenseMatrix gibbs = thermal_state(cplx(0.8) * LocalSpace::parse("spin1").op("Sz"), 1.3);
  EXPECT_LT((tr.rho_final - gibbs).max_abs(), 1e-6);
  EXPECT_GT(gibbs(2, 2).real(), 0.2);  // the check is not trivially satisfied
}

TEST(Evolve, QubitExampleReachesOpticalBlochSteadyState) {
  const Deck deck = deck_from_inputs(
      "qubit.toml",
      {{"evolve.t_final", "200.0"}, {"evolve.dt_output", "1.0"}, {"evolve.entropy", "false"}});
  const double omega = deck.params.at("Omega"), g = deck.params.at("g");
  const double beta = deck.model.species[0].beta, lambda = deck.model.species[0].lambda;
  const double p_up = 1.0 / (1.0 + std::exp(beta * omega));
  const Bloch b = bloch_steady_state(omega, lambda * g, g * g * (1 - p_up), g * g * p_up);
  const Trajectory tr = evolve(deck);
  const DenseMatrix& r = tr.rho_final;
  EXPECT_NEAR(2 * r(0, 1).real(), b.x, 1e-7);   // <sx> = 2 Re rho_01
  EXPECT_NEAR(-2 * r(0, 1).imag(), b.y, 1e-7);  // <sy> = -2 Im rho_01
  EXPECT_NEAR((r(0, 0) - r(1, 1)).real(), b.z, 1e-7);
  EXPECT_GT(std::abs(b.y), 0.005);
}

TEST(Evolve, OscillatorReachesDisplacedThermalState) {
  const Deck deck = deck_from_inputs(
      "oscillator.toml",
      {{"evolve.t_final", "400.0"}, {"evolve.dt_output", "5.0"}, {"evolve.entropy", "false"}});
  const double w = deck.params.at("omega"), g = deck.params.at("g");
  const Species& s = deck.model.species[0];
  const double p_up = 1.0 / (1.0 + std::exp(s.beta * w));
  const double gm = g * g * (1 - p_up), gp = g * g * p_up, kappa = gm - gp;
  // d<a>/dt = -i w <a> - i lambda g - kappa/2 <a>;  n_th = gp / kappa.
  const cplx alpha = cplx(0, -s.lambda * g) / cplx(kappa / 2, w);
  const double n_th = gp / kappa;
  const Trajectory tr = evolve(deck);
  const LocalSpace mode = deck.model.sites[0];
  const DenseMatrix a = mode.op("a"), n = mode.op("n");
  const cplx mean_a = (a * tr.rho_final).trace();
  const double mean_n = (n * tr.rho_final).trace().real();
  EXPECT_LT(std::abs(mean_a - alpha), 1e-6);
  EXPECT_NEAR(mean_n, n_th + std::norm(alpha), 1e-5);
  EXPECT_NEAR(n_th, 1.0 / (std::exp(s.beta * w) - 1.0), 1e-12);
}

TEST(Evolve, FirstLawHoldsAlongTrajectories) {
  for (const char* name : {"qubit.toml", "maser.toml", "xxz_chain.toml", "oscillator.toml"}) {
    const Deck deck = deck_from_inputs(name, {{"evolve.t_final", "4.0"},
                                              {"evolve.dt_output", "0.01"},
                                              {"evolve.entropy", "false"},
                                              {"evolve.rtol", "1e-10"},
                                              {"evolve.atol", "1e-12"}});
    const Trajectory tr = evolve(deck);
    double worst_identity = 0, worst_fd = 0, scale = 0;
    for (size_t k = 0; k < tr.values.size(); ++k) {
      const ThermoValues& v = tr.values[k];
      const double rhs = sum(v.work_coherent) + sum(v.heat_incoherent);
      worst_identity = std::max(worst_identity, std::abs(v.energy_rate - rhs));
      scale = std::max(scale, std::abs(v.energy_rate));
      EXPECT_NEAR(v.trace, 1.0, 1e-9) << name;
      if (k > 0 && k + 1 < tr.values.size()) {  // centred difference of <H_S>
        const double fd =
            (tr.values[k + 1].energy - tr.values[k - 1].energy) / (tr.t[k + 1] - tr.t[k - 1]);
        worst_fd = std::max(worst_fd, std::abs(fd - rhs));
      }
    }
    EXPECT_LT(worst_identity, 1e-10) << name;
    EXPECT_LT(worst_fd, 1e-3 * scale) << name;
    EXPECT_GT(scale, 1e-3) << name;
  }
}

TEST(Evolve, EntropyProductionIsNonNegativeForEnergyConservingDecks) {
  for (const char* name : {"qubit.toml", "maser.toml", "oscillator.toml"}) {
    const Deck deck = deck_from_inputs(
        name,
        {{"evolve.t_final", "15.0"}, {"evolve.dt_output", "0.25"}, {"evolve.entropy", "true"}});
    const Trajectory tr = evolve(deck);
    double min_pi = 1e300, max_pi = -1e300;
    for (size_t k = 1; k < tr.values.size(); ++k) {
      min_pi = std::min(min_pi, tr.values[k].entropy_production);
      max_pi = std::max(max_pi, tr.values[k].entropy_production);
      // Under strict energy conservation Pi_A = Pi.
      EXPECT_NEAR(tr.values[k].entropy_production_ancilla, tr.values[k].entropy_production,
                  1e-9 * std::max(1.0, std::abs(tr.values[k].entropy_production)));
    }
    EXPECT_GE(min_pi, -1e-9) << name;
    EXPECT_GT(max_pi, 1e-4) << name;
  }
}

TEST(Evolve, AncillaHeatBalancesSystemUnlessEnergyIsNotConserved) {
  for (const char* name : {"qubit.toml", "maser.toml", "oscillator.toml"}) {
    const Deck deck = deck_from_inputs(
        name,
        {{"evolve.t_final", "3.0"}, {"evolve.dt_output", "0.5"}, {"evolve.entropy", "false"}});
    const Trajectory tr = evolve(deck);
    for (const ThermoValues& v : tr.values) {
      for (size_t j = 0; j < v.heat_ancilla.size(); ++j)
        EXPECT_NEAR(v.heat_ancilla[j], -(v.work_coherent[j] + v.heat_incoherent[j]), 1e-12) << name;
      EXPECT_NEAR(v.work_switching, 0.0, 1e-12) << name;
    }
  }
  // The boundary-driven chain couples locally: energy is not strictly conserved.
  const Deck chain = deck_from_inputs(
      "xxz_chain.toml",
      {{"evolve.t_final", "3.0"}, {"evolve.dt_output", "0.5"}, {"evolve.entropy", "false"}});
  const Trajectory tr = evolve(chain);
  double max_switching = 0;
  for (const ThermoValues& v : tr.values)
    max_switching = std::max(max_switching, std::abs(v.work_switching));
  EXPECT_GT(max_switching, 1e-3);
}

TEST(Evolve, IntegratorsAgree) {
  const Deck deck = deck_from_inputs("maser.toml", {{"evolve.t_final", "5.0"},
                                                    {"evolve.dt_output", "0.5"},
                                                    {"evolve.entropy", "false"},
                                                    {"evolve.rtol", "1e-10"},
                                                    {"evolve.atol", "1e-12"}});
  const Trajectory reference = evolve(deck, "expm");
  const Trajectory rk = evolve(deck, "ts");
  EXPECT_LT((rk.rho_final - reference.rho_final).max_abs(), 1e-8);
  ASSERT_EQ(rk.t.size(), reference.t.size());
  EXPECT_DOUBLE_EQ(rk.t.back(), 5.0);
  struct Case {
    const char* type;
    const char* extra_name;
    const char* extra_value;
    double tol;
  };
  for (const Case& c :
       {Case{"rk", "-ts_rk_type", "3bs", 1e-6}, Case{"bdf", "-ts_bdf_order", "4", 1e-5},
        Case{"cn", "-ts_dt", "0.002", 1e-5}}) {
    ScopedOption type("-ts_type", c.type);
    ScopedOption extra(c.extra_name, c.extra_value);
    const Trajectory other = evolve(deck, "ts");
    EXPECT_LT((other.rho_final - reference.rho_final).max_abs(), c.tol) << c.type;
    for (size_t k = 0; k < other.t.size(); ++k)
      EXPECT_NEAR(other.t[k], reference.t[k], 1e-12) << c.type;  // outputs exactly at k dt
  }
}

// The default controller for explicit RK (TSAdapt "qcoll", the basic rule with
// a fused error norm) takes the same steps as PETSc's basic controller.
TEST(Evolve, FastStepControllerMatchesPetscBasic) {
  const Deck deck = deck_from_inputs(
      "xxz_chain.toml",
      {{"evolve.t_final", "2.0"}, {"evolve.dt_output", "0.5"}, {"evolve.entropy", "false"}});
  const Trajectory fast = evolve(deck, "ts");
  Trajectory basic;
  {
    ScopedOption adapt("-ts_adapt_type", "basic");
    basic = evolve(deck, "ts");
  }
  ASSERT_EQ(fast.t.size(), basic.t.size());
  EXPECT_LT((fast.rho_final - basic.rho_final).max_abs(), 1e-12);
  // and is tight enough to matter: the 3bs pair at the same tolerances differs more.
  ScopedOption other("-ts_rk_type", "3bs");
  const Trajectory bs = evolve(deck, "ts");
  EXPECT_GT((bs.rho_final - fast.rho_final).max_abs(), 1e-9);
}
