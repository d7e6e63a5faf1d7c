// Steady states and the Liouvillian spectrum (solvers/steady.hpp,
// solvers/spectrum.hpp, the steady task): every method against the others,
// against closed forms (optical Bloch equations, Gibbs states) and against a
// dense null space / dense spectrum from LAPACK.
#include <gtest/gtest.h>
#include <petscsys.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "qcoll/io/output.hpp"
#include "qcoll/solvers/spectrum.hpp"
#include "qcoll/superop/adjoint.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "steady_support.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

DenseMatrix solve(const Deck& deck, const std::string& method, SteadyReport* report = nullptr) {
  SteadyOptions o;
  o.method = method;
  o.tol = 1e-12;
  DenseMatrix rho;
  SteadyReport r;
  EXPECT_EQ(SolveSteady(deck, o, &rho, &r), 0) << method;
  if (report) *report = r;
  return rho;
}

// Steady Bloch vector of H = (Omega/2) sz + h sx with gamma^- D[sm] + gamma^+ D[sp]
// (physics.md section 2; |0> = up). With Gamma = gamma^- + gamma^+,
//   dx/dt = -Omega y - Gamma/2 x
//   dy/dt =  Omega x - 2 h z - Gamma/2 y
//   dz/dt =  2 h y - Gamma z + (gamma^+ - gamma^-)
// and the steady state follows by elimination (x from the first line, y from
// the second, z from the third).
struct Bloch {
  double x, y, z;
};
Bloch bloch_steady_state(double omega, double h, double gm, double gp) {
  const double gamma = gm + gp, z0 = (gp - gm) / gamma, w2 = 4 * omega * omega + gamma * gamma;
  const double z = z0 * w2 / (w2 + 8 * h * h);
  const double y = -4 * h * gamma * z / w2;
  return {-2 * omega * y / gamma, y, z};
}

// The 3 x 3 Bloch matrix M of d(x, y, z)/dt = M (x, y, z) + const; the
// Liouvillian's eigenvalues are {0} and those of M.
DenseMatrix bloch_matrix(double omega, double h, double gamma) {
  DenseMatrix m(3, 3);
  m(0, 0) = -gamma / 2;
  m(0, 1) = -omega;
  m(1, 0) = omega;
  m(1, 1) = -gamma / 2;
  m(1, 2) = -2 * h;
  m(2, 1) = 2 * h;
  m(2, 2) = -gamma;
  return m;
}

struct QubitRates {
  double omega, g, beta, gm, gp;
};
QubitRates qubit_rates(const Deck& deck) {
  const double omega = deck.params.at("Omega"), g = deck.params.at("g");
  const double beta = deck.model.species[0].beta;
  const double p0 = 1.0 / (1.0 + std::exp(beta * omega));  // up population of rho_th
  return {omega, g, beta, g * g * (1 - p0), g * g * p0};
}

// Two uncoupled qubits, the bath acting on qubit 0 only: the populations of
// qubit 1 are conserved, so L has a two-dimensional null space.
const char* kTwoBlocks = R"(
[params]
Omega = 1.0
g = 0.5
[system]
sites = ["spin1/2", "spin1/2"]
hamiltonian = [["Omega/2", "sz", 0], ["Omega/2", "sz", 1]]
[[species]]
name = "bath"
ancilla = "spin1/2"
hamiltonian = [["Omega/2", "sz", "A"]]
beta = 1.0
coupling = [["g", "sp", 0, "sm", "A"], ["g", "sm", 0, "sp", "A"]]
[initial]
state = "ground"
)";

double distance_to_nearest(cplx z, const std::vector<cplx>& set) {
  double nearest = 1e300;
  for (const cplx& w : set) nearest = std::min(nearest, std::abs(z - w));
  return nearest;
}

}  // namespace

TEST(Superop, AdjointScatterGivesTheAdjointAcrossRanks) {
  const index_t d = 5;  // columns split unevenly over the ranks
  auto value = [](index_t i, index_t j) { return cplx(1.0 + i + 10.0 * j, 0.5 * i - j); };
  const ColumnLayout lay = column_layout(MPI_COMM_WORLD, d);
  Vec v, out;
  ASSERT_EQ(VecCreateMPI(MPI_COMM_WORLD, lay.local_rows(), d * d, &v), 0);
  ASSERT_EQ(VecDuplicate(v, &out), 0);
  ASSERT_EQ(FillDensityVector(lay, v, value), 0);
  AdjointScatter a;
  ASSERT_EQ(AdjointScatterCreate(v, d, &a), 0);
  ASSERT_EQ(VecAdjoint(&a, v, out), 0);
  DenseMatrix adj;
  ASSERT_EQ(GatherDensity(out, d, &adj), 0);
  for (index_t i = 0; i < d; ++i)
    for (index_t j = 0; j < d; ++j) EXPECT_EQ(adj(i, j), std::conj(value(j, i)));
  PetscReal antihermitian;
  ASSERT_EQ(VecHermitianPart(&a, v, &antihermitian), 0);
  DenseMatrix h;
  ASSERT_EQ(GatherDensity(v, d, &h), 0);
  DenseMatrix m(d, d);
  for (index_t i = 0; i < d; ++i)
    for (index_t j = 0; j < d; ++j) m(i, j) = value(i, j);
  EXPECT_LT(max_abs_diff(h, cplx(0.5) * (m + m.adjoint())), 1e-14);
  double norm = 0;
  for (index_t i = 0; i < d; ++i)
    for (index_t j = 0; j < d; ++j) norm += std::norm(m(i, j) - std::conj(m(j, i)));
  EXPECT_NEAR(antihermitian, std::sqrt(norm), 1e-12);
  ASSERT_EQ(AdjointScatterDestroy(&a), 0);
  ASSERT_EQ(VecDestroy(&v), 0);
  ASSERT_EQ(VecDestroy(&out), 0);
}

TEST(Steady, AllMethodsAgree) {
  const std::vector<std::pair<std::string, Deck>> decks = {
      {"qubit", deck_from_inputs("qubit.toml")},
      {"maser", deck_from_inputs("maser.toml")},
      {"chain4", deck_from_inputs("xxz_chain.toml", chain4_overrides())},
      {"oscillator", deck_from_inputs("oscillator.toml", {{"system.sites", R"(["boson8"])"}})}};
  for (const auto& [name, deck] : decks) {
    SteadyReport ref_report;
    const DenseMatrix ref = solve(deck, "direct", &ref_report);
    EXPECT_LT(ref_report.residual, 1e-12) << name;
    EXPECT_LT(ref_report.trace_error, 1e-12) << name;
    EXPECT_LT(ref_report.hermiticity_error, 1e-12) << name;
    EXPECT_TRUE(ref_report.unique_checked && ref_report.unique) << name;
    EXPECT_GT(ref_report.min_eigenvalue, 0.0) << name;
    // iterative: GMRES with the Sylvester preconditioner; "iterative asm":
    // BiCGStab with ASM/ILU(1), the preconditioner when no structure is known.
    for (const char* method : {"eigen", "iterative", "iterative asm", "evolve", "auto"}) {
      const bool asm_pc = std::string(method) == "iterative asm";
      std::unique_ptr<ScopedOption> pc;
      if (asm_pc) pc = std::make_unique<ScopedOption>("-steady_pc_type", "asm");
      SteadyReport r;
      const DenseMatrix rho = solve(deck, asm_pc ? "iterative" : method, &r);
      EXPECT_LT(max_abs_diff(rho, ref), 1e-8) << name << " " << method;
      EXPECT_LT(r.residual, 1e-10) << name << " " << method;
      EXPECT_NEAR(rho.trace().real(), 1.0, 1e-14) << name << " " << method;
      EXPECT_LT(max_abs_diff(rho, rho.adjoint()), 1e-15) << name << " " << method;
      if (std::string(method) != "evolve") EXPECT_TRUE(r.unique_checked) << name << " " << method;
    }
  }
}

TEST(Steady, SuperLUDistAgreesWithMumps) {
  for (const Deck& deck :
       {deck_from_inputs("maser.toml"), deck_from_inputs("xxz_chain.toml", chain4_overrides())}) {
    const DenseMatrix mumps = solve(deck, "direct");
    PetscOptionsSetValue(nullptr, "-steady_pc_factor_mat_solver_type", "superlu_dist");
    SteadyReport r;
    const DenseMatrix superlu = solve(deck, "direct", &r);
    PetscOptionsClearValue(nullptr, "-steady_pc_factor_mat_solver_type");
    EXPECT_LT(max_abs_diff(superlu, mumps), 1e-10) << deck.title;
    EXPECT_LT(r.residual, 1e-11) << deck.title;
  }
}

TEST(Steady, QubitMatchesOpticalBlochClosedForm) {
  for (const char* lambda : {"0.2", "0.7"}) {
    const Deck deck = deck_from_inputs("qubit.toml", {{"species.bath.lambda", lambda}});
    const QubitRates q = qubit_rates(deck);
    const Bloch b = bloch_steady_state(q.omega, std::atof(lambda) * q.g, q.gm, q.gp);
    const DenseMatrix rho = solve(deck, "auto");
    // <sx> = 2 Re rho_01, <sy> = -2 Im rho_01, <sz> = rho_00 - rho_11.
    EXPECT_NEAR(2 * rho(0, 1).real(), b.x, 1e-12) << lambda;
    EXPECT_NEAR(-2 * rho(0, 1).imag(), b.y, 1e-12) << lambda;
    EXPECT_NEAR((rho(0, 0) - rho(1, 1)).real(), b.z, 1e-12) << lambda;
  }
}

TEST(Steady, DirectSolutionEqualsDenseNullSpace) {
  for (const Deck& deck : {deck_from_inputs("qubit.toml"), deck_from_inputs("maser.toml"),
                           deck_from_inputs("xxz_chain.toml", chain4_overrides())}) {
    const DenseMatrix dense = dense_steady_state(prepare_problem(deck));
    EXPECT_LT(max_abs_diff(solve(deck, "direct"), dense), 1e-10) << deck.title;
  }
}

TEST(Steady, ThermalAncillasGiveGibbsStateOfTheSystem) {
  const Deck qubit = deck_from_inputs("qubit.toml", {{"species.bath.lambda", "0"}});
  const Deck oscillator = deck_from_inputs(
      "oscillator.toml", {{"system.sites", R"(["boson5"])"}, {"species.bath.lambda", "0"}});
  for (const Deck* deck : {&qubit, &oscillator}) {
    const Problem p = prepare_problem(*deck);
    const DenseMatrix h = p.me.hamiltonian.to_dense();
    const double beta = p.betas[0];
    DenseMatrix gibbs = hermitian_function(eigh(h), [&](double e) { return std::exp(-beta * e); });
    gibbs *= 1.0 / gibbs.trace();
    EXPECT_LT(max_abs_diff(solve(*deck, "direct"), gibbs), 1e-12) << deck->title;
    EXPECT_LT(max_abs_diff(solve(*deck, "eigen"), gibbs), 1e-10) << deck->title;
  }
}

TEST(Steady, TaskWritesFirstLawAndNonNegativeEntropyProduction) {
  for (const Deck& deck : {deck_from_inputs("qubit.toml", {{"species.bath.lambda", "0.5"}}),
                           deck_from_inputs("maser.toml"),
                           deck_from_inputs("maser.toml", {{"species.hot.beta", "0.05"}})}) {
    const Problem p = prepare_problem(deck);
    const std::string path = shared_temp_path("steady_task");
    {
      Hdf5File f(path, MPI_COMM_WORLD);
      RunContext ctx;
      ASSERT_EQ(RunProblem(MPI_COMM_WORLD, "steady", p, f, ctx), 0);
    }
    Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
    const std::vector<double> w = f.read_real("/steady/work_coherent");
    const std::vector<double> q = f.read_real("/steady/heat_incoherent");
    double first_law = 0, pi_from_heat = 0;
    for (size_t j = 0; j < w.size(); ++j) {
      first_law += w[j] + q[j];
      pi_from_heat -= p.betas[j] * q[j];
    }
    EXPECT_LT(std::abs(first_law), 1e-12) << deck.title;
    const double pi = f.read_real("/steady/entropy_production")[0];
    EXPECT_NEAR(pi, pi_from_heat, 1e-14) << deck.title;
    EXPECT_GE(pi, -1e-14) << deck.title;
    EXPECT_NEAR(f.read_real("/steady/first_law_residual")[0], first_law, 1e-15);
    EXPECT_LT(f.read_real("/steady/residual")[0], 1e-12);
    EXPECT_EQ(f.read_complex("/steady/rho").size(), static_cast<size_t>(p.me.dim * p.me.dim));
    EXPECT_EQ(f.read_string_attribute("/steady/rho", "layout"), "column-major");
    EXPECT_EQ(f.read_int_attribute("/steady", "unique"), 1);
    EXPECT_EQ(f.read_string_attribute("/steady", "method"), "direct");
    // Both decks set [steady] gap = true.
    EXPECT_GT(f.read_real("/steady/gap")[0], 0.0);
    f.close();
    if (rank() == 0) std::remove(path.c_str());
  }
}

TEST(Spectrum, QubitGapMatchesBlochMatrixAndDenseLiouvillian) {
  const Deck deck = deck_from_inputs("qubit.toml");
  const Problem p = prepare_problem(deck);
  const QubitRates q = qubit_rates(deck);
  std::vector<cplx> expected{0.0};
  for (const cplx& z : dense_eigen(bloch_matrix(q.omega, p.lambdas[0] * q.g, q.gm + q.gp)).values)
    expected.push_back(z);
  expected = sorted_by_modulus(expected);
  const std::vector<cplx> dense = sorted_by_modulus(dense_eigen(dense_liouvillian(p)).values);
  double gap = 1e300;
  for (size_t k = 1; k < expected.size(); ++k) gap = std::min(gap, std::abs(expected[k].real()));

  Liouvillian L;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  SpectrumResult s;
  {
    SpectrumSolver solver;
    SpectrumOptions o;
    o.nev = 4;
    ASSERT_EQ(solver.Setup(L.total, o), 0);
    ASSERT_EQ(solver.Solve(&s), 0);
  }
  ASSERT_EQ(s.eigenvalues.size(), 4u);
  // Conjugate pairs have equal moduli: compare each with the nearest expected.
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_LT(distance_to_nearest(s.eigenvalues[k], expected), 1e-10) << k;
    EXPECT_LT(distance_to_nearest(dense[k], expected), 1e-12) << k;
  }
  EXPECT_EQ(s.zero_count, 1);
  EXPECT_NEAR(s.gap, gap, 1e-10);
  ASSERT_EQ(LiouvillianDestroy(&L), 0);
}

TEST(Steady, DisconnectedBlocksAreReportedAsNotUnique) {
  const Deck deck = load_deck_from_string(kTwoBlocks, "two_blocks.toml");
  // direct (and iterative, eigen) refuse: the answer would be arbitrary.
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  for (const char* method : {"direct", "eigen", "iterative"}) {
    SteadyOptions o;
    o.method = method;
    DenseMatrix rho;
    SteadyReport r;
    const PetscErrorCode ierr = SolveSteady(deck, o, &rho, &r);
    EXPECT_NE(ierr, 0) << method;
    const char* text = nullptr;
    char* specific = nullptr;
    PetscErrorMessage(ierr, &text, &specific);
    EXPECT_NE(std::string(specific ? specific : "").find("not unique"), std::string::npos)
        << method << ": " << (specific ? specific : "");
  }
  PetscPopErrorHandler();
  // evolve warns and returns the state [initial] (both qubits down) relaxes
  // to: qubit 0 thermal, qubit 1 still down.
  SteadyReport r;
  const DenseMatrix rho = solve(deck, "evolve", &r);
  EXPECT_TRUE(r.unique_checked);
  EXPECT_FALSE(r.unique);
  const double p0 = 1.0 / (1.0 + std::exp(1.0));  // up population at beta Omega = 1
  DenseMatrix expected(4, 4);
  expected(1, 1) = p0;      // |0 1>
  expected(3, 3) = 1 - p0;  // |1 1>
  EXPECT_LT(max_abs_diff(rho, expected), 1e-9);
}
