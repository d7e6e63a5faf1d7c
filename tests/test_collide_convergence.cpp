// The finite-tau map against the master equation as tau -> 0 (physics.md
// caveats: order 1 for sigma_+- couplings of qubit ancillas, about 1/2 for a
// generic coupling; several species converge to the additive master
// equation), and the collide task's HDF5 output and command line.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "qcoll/collide/collide_run.hpp"
#include "qcoll/collide/convergence.hpp"
#include "qcoll/collide/master_reference.hpp"
#include "qcoll/io/deck_problem.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "test_support.hpp"

using namespace qcoll;

namespace {

const std::vector<double> kTaus{0.1, 0.05, 0.025, 0.0125};

struct DeckProblem {
  explicit DeckProblem(const std::string& text)
      : deck(load_deck_from_string(text, "collide_test.toml")), problem(prepare_problem(deck)) {}
  Deck deck;
  Problem problem;
};

std::vector<CollideSeries> run_all(const Problem& p) {
  std::vector<CollideSeries> out(p.settings.collide.tau.size());
  for (size_t k = 0; k < out.size(); ++k)
    EXPECT_EQ(RunCollisions(collide_input(p), p.settings.collide.tau[k], &out[k]), 0);
  return out;
}

std::vector<double> column(const std::vector<CollideSeries>& runs, double CollideSeries::*m) {
  std::vector<double> out;
  for (const CollideSeries& r : runs) out.push_back(r.*m);
  return out;
}

const std::string kCollide = R"(
[collide]
tau = [0.1, 0.05, 0.025, 0.0125]
t_final = 5.0
)";

// The paper's qubit example.
const std::string kQubit = R"(
[system]
sites = ["spin1/2"]
hamiltonian = [[0.5, "sz", 0]]
[[species]]
name = "bath"
ancilla = "spin1/2"
hamiltonian = [[0.5, "sz", "A"]]
beta = 1.0
coupling = [[0.5, "sp", 0, "sm", "A"], [0.5, "sm", 0, "sp", "A"]]
lambda = 0.2
chi = "sx"
[initial]
state = "ground"
)";

// A generic coupling: the qutrit's third moments do not vanish, so one
// stroke has a tau^(3/2) error term.
const std::string kGeneric = R"(
[system]
sites = ["spin1/2"]
hamiltonian = [[0.5, "sz", 0]]
[[species]]
name = "qutrit"
ancilla = "qudit3"
hamiltonian = [[1.0, "proj11", "A"], [2.0, "proj22", "A"]]
beta = 1.0
coupling = [[0.5, "sx", 0, "proj01", "A"], [0.5, "sx", 0, "proj10", "A"],
            [0.5, "sx", 0, "proj12", "A"], [0.5, "sx", 0, "proj21", "A"],
            [0.5, "sx", 0, "proj02", "A"], [0.5, "sx", 0, "proj20", "A"],
            [[0, -0.5], "sz", 0, "proj01", "A"], [[0, 0.5], "sz", 0, "proj10", "A"],
            [[0, -0.5], "sz", 0, "proj12", "A"], [[0, 0.5], "sz", 0, "proj21", "A"]]
lambda = 0.2
chi = [[0, 0, 1], [0, 0, 0], [1, 0, 0]]
[initial]
state = "ground"
)";

std::string qubit_bath(const std::string& name, double beta, double g, double lambda,
                       const std::string& chi) {
  const std::string gs = std::to_string(g);
  return "[[species]]\nname = \"" + name +
         "\"\nancilla = \"spin1/2\"\nhamiltonian = [[0.5, \"sz\", \"A\"]]\nbeta = " +
         std::to_string(beta) + "\ncoupling = [[" + gs + ", \"sp\", 0, \"sm\", \"A\"], [" + gs +
         ", \"sm\", 0, \"sp\", \"A\"]]\nlambda = " + std::to_string(lambda) + "\nchi = \"" + chi +
         "\"\n";
}

std::string several_baths(int count) {
  std::string text =
      "[system]\nsites = [\"spin1/2\"]\nhamiltonian = [[0.5, \"sz\", 0]]\n"
      "[initial]\nstate = \"ground\"\n";
  const double betas[] = {0.3, 2.0, 1.0};
  const double couplings[] = {0.4, 0.3, 0.35};
  const double lambdas[] = {0.2, 0.3, 0.1};
  const char* chis[] = {"sx", "sy", "sx"};
  for (int j = 0; j < count; ++j)
    text += qubit_bath("bath" + std::to_string(j), betas[j], couplings[j], lambdas[j], chis[j]);
  return text;
}

}  // namespace

TEST(CollideConvergence, QubitExchangeConvergesWithOrderOne) {
  DeckProblem s(kQubit + kCollide);
  const auto runs = run_all(s.problem);
  const double final_order = fitted_order(kTaus, column(runs, &CollideSeries::final_distance));
  const double steady_order = fitted_order(kTaus, column(runs, &CollideSeries::steady_distance));
  EXPECT_NEAR(final_order, 1.0, 0.1);
  EXPECT_NEAR(steady_order, 1.0, 0.1);
  EXPECT_LT(runs.back().final_distance, 5e-3);
  for (const CollideSeries& r : runs) {
    EXPECT_EQ(r.records(), static_cast<size_t>(r.strokes));
    EXPECT_NEAR(r.t.back(), 5.0, 1e-12);
    for (size_t k = 0; k < r.records(); ++k) {
      ASSERT_NEAR(r.delta_energy[k], -r.heat_ancilla[k], 1e-13);
      ASSERT_GE(r.entropy_production[k], -1e-13);
      ASSERT_GE(r.relative_entropy[k], -1e-13);
    }
  }
  // Sigma/tau -> Pi at late times.
  std::vector<double> error;
  for (const CollideSeries& r : runs) error.push_back(std::abs(r.sigma_over_tau - r.pi));
  EXPECT_GT(fitted_order(kTaus, error), 0.8);
  EXPECT_LT(error.back(), 0.05 * std::abs(runs.back().pi));
}

TEST(CollideConvergence, GenericCouplingConvergesWithOrderAboutOneHalf) {
  DeckProblem s(kGeneric + kCollide);
  ASSERT_FALSE(s.problem.me.species[0].energy_conserving);
  const auto runs = run_all(s.problem);
  const double final_order = fitted_order(kTaus, column(runs, &CollideSeries::final_distance));
  const double steady_order = fitted_order(kTaus, column(runs, &CollideSeries::steady_distance));
  EXPECT_GT(final_order, 0.3);
  EXPECT_LT(final_order, 0.7);
  EXPECT_GT(steady_order, 0.3);
  EXPECT_LT(steady_order, 0.7);
  for (const CollideSeries& r : runs)
    for (double sigma : r.entropy_production) ASSERT_GE(sigma, -1e-13);
  // Without energy conservation Sigma/tau approaches Pi_A.
  std::vector<double> error;
  for (const CollideSeries& r : runs) error.push_back(std::abs(r.sigma_over_tau - r.pi_ancilla));
  EXPECT_GT(fitted_order(kTaus, error), 0.3);
}

TEST(CollideConvergence, SeveralSpeciesConvergeToTheAdditiveMasterEquation) {
  for (int count : {2, 3}) {
    DeckProblem s(several_baths(count) + kCollide);
    const auto runs = run_all(s.problem);
    const auto final_distance = column(runs, &CollideSeries::final_distance);
    EXPECT_NEAR(fitted_order(kTaus, final_distance), 1.0, 0.15) << count << " species";
    EXPECT_NEAR(fitted_order(kTaus, column(runs, &CollideSeries::steady_distance)), 1.0, 0.15)
        << count << " species";
    EXPECT_LT(final_distance.back(), 2e-3) << count << " species";
    for (const CollideSeries& r : runs) {
      ASSERT_EQ(r.delta_energy.size(), r.records() * count);
      for (size_t k = 0; k < r.delta_energy.size(); ++k)
        ASSERT_NEAR(r.delta_energy[k], -r.heat_ancilla[k], 1e-12);
    }
  }
}

TEST(CollideConvergence, RecordingEveryNthStrokeKeepsTheTrajectory) {
  DeckProblem all(kQubit + "[collide]\ntau = 0.05\nt_final = 2.0\n");
  DeckProblem sparse(kQubit + "[collide]\ntau = 0.05\nt_final = 2.0\noutput_every = 7\n");
  CollideSeries a, b;
  ASSERT_EQ(RunCollisions(collide_input(all.problem), 0.05, &a), 0);
  ASSERT_EQ(RunCollisions(collide_input(sparse.problem), 0.05, &b), 0);
  ASSERT_EQ(b.records(), 6u);  // strokes 7, 14, ..., 35 and the last, 40
  EXPECT_EQ(b.stroke.back(), 40.0);
  EXPECT_EQ(b.stroke[1], 14.0);
  for (size_t k = 0; k < a.rho_final.size(); ++k)
    EXPECT_LT(std::abs(a.rho_final[k] - b.rho_final[k]), 1e-14);
  EXPECT_NEAR(a.distance[13], b.distance[1], 1e-10);
  EXPECT_NEAR(a.final_distance, b.final_distance, 1e-10);
}

TEST(MasterReference, DensePropagatorAndKrylovAgree) {
  DeckProblem s(several_baths(2) + "[collide]\ntau = 0.05\n");
  MasterReference dense, krylov;
  ASSERT_EQ(dense.Setup(collide_input(s.problem), 0.05, MasterReference::Method::Dense), 0);
  ASSERT_EQ(krylov.Setup(collide_input(s.problem), 0.05, MasterReference::Method::Krylov), 0);
  for (index_t strokes : {1, 7, 40}) {
    DenseMatrix a, b;
    ASSERT_EQ(dense.Advance(strokes, &a), 0);
    ASSERT_EQ(krylov.Advance(strokes, &b), 0);
    EXPECT_LT((a - b).max_abs(), 1e-10) << strokes << " strokes";
    EXPECT_NEAR(a.trace().real(), 1.0, 1e-12);
  }
}

TEST(CollideTask, WritesTheCollideGroupCollectively) {
  const std::string path = qcoll::testing::temp_path("collide_task", ".h5");
  std::string shared = path;
  int length = static_cast<int>(shared.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
  shared.resize(length);
  MPI_Bcast(shared.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
  DeckProblem s(kQubit + "[collide]\ntau = [0.2, 0.1, 0.05]\nt_final = 2.0\n");
  {
    Hdf5File out(shared, MPI_COMM_WORLD);
    RunContext ctx;
    ctx.output_path = shared;
    ASSERT_EQ(RunProblem(MPI_COMM_WORLD, "collide", s.problem, out, ctx), 0);
  }
  Hdf5File in(shared, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  EXPECT_EQ(in.read_real("/collide/tau"), (std::vector<double>{0.2, 0.1, 0.05}));
  EXPECT_NEAR(in.read_real_attribute("/collide", "order_final_distance"), 1.0, 0.2);
  EXPECT_EQ(in.read_string_attribute("/collide", "entropy_production_reference"), "Pi");
  std::vector<long long> owners;
  for (int k = 0; k < 3; ++k) {
    const std::string g = "/collide/" + std::to_string(k);
    const double tau = in.read_real_attribute(g, "tau");
    const auto strokes = static_cast<size_t>(std::llround(2.0 / tau));
    EXPECT_EQ(in.shape(g + "/t"), (std::vector<hsize_t>{strokes}));
    EXPECT_EQ(in.shape(g + "/heat_ancilla"), (std::vector<hsize_t>{strokes, 1}));
    EXPECT_EQ(in.shape(g + "/rho_final"), (std::vector<hsize_t>{4}));
    const auto rho = in.read_complex(g + "/rho_final");
    EXPECT_NEAR((rho[0] + rho[3]).real(), 1.0, 1e-12);
    owners.push_back(in.read_int_attribute(g, "rank"));
  }
  // The longest run (tau = 0.05) is alone on its rank when there are two.
  if (qcoll::testing::size() > 1) {
    EXPECT_NE(owners[2], owners[0]);
    EXPECT_EQ(owners[0], owners[1]);
  }
  in.close();
  MPI_Barrier(MPI_COMM_WORLD);
  if (qcoll::testing::rank() == 0) std::remove(shared.c_str());
}

TEST(CollideTask, CommandLineRejectsANonPsdAncillaWithExitStatusOne) {
  if (qcoll::testing::rank() != 0) return;
  const std::string deck = qcoll::testing::temp_path("collide_bad", ".toml");
  const std::string out = qcoll::testing::temp_path("collide_bad", ".h5");
  std::ofstream(deck) << kQubit << "[collide]\ntau = [0.1, 1.0]\nt_final = 2.0\n";
  // lambda = 0.2 is admissible at tau = 0.1 but not at tau = 1 (limit sqrt(p0 p1) = 0.4434...
  // / sqrt(tau)); raise it to 0.5.
  const auto r = qcoll::testing::run_qcoll("collide " + deck + " -o " + out +
                                           " --set species.bath.lambda=0.5");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("largest admissible |lambda| at this tau is 0.443"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("tau = 1"), std::string::npos) << r.output;
  std::remove(deck.c_str());
  std::remove(out.c_str());
}
