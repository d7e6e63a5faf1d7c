// The matrix-free Liouvillian (MATSHELL) against the assembled MATAIJ: products
// L x, L^T x, L^H x and the diagonal agree to 1e-12 (relative) on every example
// deck and on generic sandwich terms; time evolution through the evolve task's
// operator agrees with the assembled one; the default choice of operator.
#include <gtest/gtest.h>
#include <petscmat.h>

#include <cmath>
#include <random>

#include "physics_support.hpp"
#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/solvers/evolve.hpp"
#include "qcoll/superop/matrix_free.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

// The 3-site chain with two coherent species (tests/decks), as in test_superop.
Deck chain_deck() {
  return load_deck(source_path("tests/decks/chain3_two_coherent_species.toml"));
}

// A vector with entries that differ on every rank and position.
PetscErrorCode FillTestVector(Vec v, unsigned seed) {
  PetscFunctionBeginUser;
  PetscInt rstart, rend;
  PetscCall(VecGetOwnershipRange(v, &rstart, &rend));
  PetscScalar* a;
  PetscCall(VecGetArray(v, &a));
  for (PetscInt r = rstart; r < rend; ++r) {
    std::mt19937 gen(seed * 1000003u + static_cast<unsigned>(r));
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    const double re = u(gen), im = u(gen);
    a[r - rstart] = PetscScalar(re, im);
  }
  PetscCall(VecRestoreArray(v, &a));
  PetscFunctionReturn(0);
}

enum class Product { kMult, kTranspose, kHermitian, kDiagonal };

// max |y_shell - y_assembled| / max |y_assembled| for one product.
double relative_difference(Mat assembled, Mat shell, Product what, unsigned seed) {
  Vec x, ya, ys;
  MatCreateVecs(assembled, &x, &ya);
  VecDuplicate(ya, &ys);
  FillTestVector(x, seed);
  switch (what) {
    case Product::kMult:
      MatMult(assembled, x, ya);
      EXPECT_EQ(MatMult(shell, x, ys), 0);
      break;
    case Product::kTranspose:
      MatMultTranspose(assembled, x, ya);
      EXPECT_EQ(MatMultTranspose(shell, x, ys), 0);
      break;
    case Product::kHermitian:
      MatMultHermitianTranspose(assembled, x, ya);
      EXPECT_EQ(MatMultHermitianTranspose(shell, x, ys), 0);
      break;
    case Product::kDiagonal:
      MatGetDiagonal(assembled, ya);
      EXPECT_EQ(MatGetDiagonal(shell, ys), 0);
      break;
  }
  PetscReal scale, diff;
  VecNorm(ya, NORM_INFINITY, &scale);
  VecAXPY(ys, -1.0, ya);
  VecNorm(ys, NORM_INFINITY, &diff);
  VecDestroy(&x);
  VecDestroy(&ya);
  VecDestroy(&ys);
  EXPECT_GT(scale, 0.0);
  return diff / scale;
}

void expect_all_products_agree(Mat assembled, Mat shell, const std::string& label) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    EXPECT_LT(relative_difference(assembled, shell, Product::kMult, seed), 1e-12) << label;
    EXPECT_LT(relative_difference(assembled, shell, Product::kTranspose, seed), 1e-12) << label;
    EXPECT_LT(relative_difference(assembled, shell, Product::kHermitian, seed), 1e-12) << label;
  }
  EXPECT_LT(relative_difference(assembled, shell, Product::kDiagonal, 0), 1e-12) << label;
}

void compare_on_deck(const Deck& deck, const std::string& label) {
  const Problem p = prepare_problem(deck);
  Liouvillian L;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  Mat shell;
  std::vector<PetscScalar> coefs(p.lambdas.begin(), p.lambdas.end());
  ASSERT_EQ(MatCreateMatrixFreeLiouvillian(MPI_COMM_WORLD, p.me.dim, fixed_liouvillian_terms(p.me),
                                           coherent_liouvillian_terms(p.me), coefs, &shell),
            0);
  // Same layout: whole columns of rho per rank, as the assembled matrix.
  PetscInt r0, r1, s0, s1;
  MatGetOwnershipRange(L.total, &r0, &r1);
  MatGetOwnershipRange(shell, &s0, &s1);
  EXPECT_EQ(r0, s0);
  EXPECT_EQ(r1, s1);
  expect_all_products_agree(L.total, shell, label);
  MatDestroy(&shell);
  LiouvillianDestroy(&L);
}

// A random sparse n x n matrix with about `per_row` entries per row.
std::shared_ptr<const CsrMatrix> random_sparse(index_t n, int per_row, std::mt19937& gen) {
  std::uniform_int_distribution<index_t> col(0, n - 1);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<CsrMatrix::Triplet> t;
  for (index_t i = 0; i < n; ++i)
    for (int k = 0; k < per_row; ++k) t.push_back({i, col(gen), cplx(u(gen), u(gen))});
  return std::make_shared<const CsrMatrix>(CsrMatrix::from_triplets(n, n, std::move(t)));
}

}  // namespace

TEST(MatrixFree, ProductsEqualAssembledOnEveryExampleDeck) {
  compare_on_deck(chain_deck(), "chain3");
  for (const char* name : {"qubit.toml", "maser.toml", "xxz_chain.toml", "oscillator.toml"})
    compare_on_deck(deck_from_inputs(name), name);
  // Seven sites, the cold bath (site 5) coherent too: both ends driven.
  compare_on_deck(deck_from_inputs("xxz_chain.toml", {{"system.model.sites", "7"},
                                                      {"species.cold.lambda", "0.4"},
                                                      {"species.cold.chi", "sy"}}),
                  "xxz7");
}

// Generic terms: identity terms with a coefficient, left-only, right-only,
// sandwiches whose right operator has several entries per column (the
// scratch-column path), a part with a zero coefficient. Compared with the
// assembled Liouvillian and with the dense Kronecker form.
TEST(MatrixFree, GenericSandwichTermsEqualAssembled) {
  const index_t d = 7;
  std::mt19937 gen(12345);
  SuperOperatorTerms fixed = {
      {nullptr, nullptr, cplx(0.3, -0.2)},
      {random_sparse(d, 2, gen), nullptr, cplx(1.0, 0.5)},
      {nullptr, random_sparse(d, 3, gen), cplx(-0.7, 0.1)},
      {random_sparse(d, 2, gen), random_sparse(d, 3, gen), cplx(0.4, 0.9)},
      {random_sparse(d, 1, gen), random_sparse(d, 1, gen), cplx(1.1, 0.0)},
  };
  std::vector<SuperOperatorTerms> parts = {
      {{random_sparse(d, 2, gen), random_sparse(d, 2, gen), cplx(0.0, 1.0)}},
      {{random_sparse(d, 3, gen), nullptr, 1.0}, {nullptr, random_sparse(d, 2, gen), 2.0}},
      {{random_sparse(d, 2, gen), random_sparse(d, 2, gen), 5.0}},
  };
  const std::vector<PetscScalar> coefs = {PetscScalar(0.6, -0.3), PetscScalar(-1.2, 0.0),
                                          PetscScalar(0.0, 0.0)};
  Liouvillian L;
  ASSERT_EQ(LiouvillianCreate(MPI_COMM_WORLD, d, fixed, parts, coefs, &L), 0);
  Mat shell;
  ASSERT_EQ(MatCreateMatrixFreeLiouvillian(MPI_COMM_WORLD, d, fixed, parts, coefs, &shell), 0);
  expect_all_products_agree(L.total, shell, "generic");

  // Dense reference: y = L x for the gathered x.
  DenseMatrix dense = dense_superoperator(d, fixed);
  for (size_t g = 0; g < parts.size(); ++g) dense += coefs[g] * dense_superoperator(d, parts[g]);
  Vec x, y;
  MatCreateVecs(shell, &x, &y);
  FillTestVector(x, 7);
  MatMult(shell, x, y);
  DenseMatrix xd, yd;
  ASSERT_EQ(GatherDensity(x, d, &xd), 0);
  ASSERT_EQ(GatherDensity(y, d, &yd), 0);
  double worst = 0.0, scale = 0.0;
  for (index_t r = 0; r < d * d; ++r) {
    cplx acc = 0.0;
    for (index_t c = 0; c < d * d; ++c) acc += dense(r, c) * xd(c % d, c / d);
    worst = std::max(worst, std::abs(acc - yd(r % d, r / d)));
    scale = std::max(scale, std::abs(acc));
  }
  EXPECT_LT(worst, 1e-12 * scale);
  VecDestroy(&x);
  VecDestroy(&y);
  MatDestroy(&shell);
  LiouvillianDestroy(&L);
}

TEST(MatrixFree, GroupingGivesTheMasterEquationOperators) {
  // A0 = -i H_eff - 1/2 sum K, B0 = +i H_eff - 1/2 sum K, sandwiches L rho L^dag.
  const Problem p = prepare_problem(chain_deck());
  std::vector<PetscScalar> coefs(p.lambdas.begin(), p.lambdas.end());
  const GroupedTerms g =
      group_terms(p.me.dim, fixed_liouvillian_terms(p.me), coherent_liouvillian_terms(p.me), coefs);
  CsrMatrix k(p.me.dim, p.me.dim);
  size_t njumps = 0;
  for (const SpeciesTerms& s : p.me.species)
    for (const CsrMatrix& l : s.jumps) {
      k = k + l.adjoint() * l;
      ++njumps;
    }
  const CsrMatrix h = p.me.effective_hamiltonian();
  const CsrMatrix a0 = axpby(cplx(0, -1), h, -0.5, k), b0 = axpby(cplx(0, 1), h, -0.5, k);
  EXPECT_LT((g.left - a0).max_abs(), 1e-14);
  EXPECT_LT((g.right - b0).max_abs(), 1e-14);
  EXPECT_EQ(g.sandwiches.size(), njumps);
}

TEST(MatrixFree, GhostColumnsCoverTheAssembledHalo) {
  const Problem p = prepare_problem(deck_from_inputs("xxz_chain.toml"));
  const index_t d = p.me.dim;
  Liouvillian L;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  Mat shell;
  std::vector<PetscScalar> coefs(p.lambdas.begin(), p.lambdas.end());
  ASSERT_EQ(MatCreateMatrixFreeLiouvillian(MPI_COMM_WORLD, d, fixed_liouvillian_terms(p.me),
                                           coherent_liouvillian_terms(p.me), coefs, &shell),
            0);
  PetscBool is_mf = PETSC_FALSE;
  MatIsMatrixFreeLiouvillian(shell, &is_mf);
  EXPECT_TRUE(is_mf);
  MatIsMatrixFreeLiouvillian(L.total, &is_mf);
  EXPECT_FALSE(is_mf);
  MatrixFreeStats st;
  ASSERT_EQ(MatrixFreeGetStats(shell, &st), 0);
  EXPECT_EQ(st.d, d);
  if (size() == 1) {
    EXPECT_EQ(st.ghost_columns, 0);
    EXPECT_EQ(st.owned_columns, d);
  } else {
    // The assembled off-diagonal block reads entries of non-owned columns of
    // rho, all of them among the matrix-free operator's ghost columns.
    Mat ad, ao;
    const PetscInt* garray;
    ASSERT_EQ(MatMPIAIJGetSeqAIJ(L.total, &ad, &ao, &garray), 0);
    PetscInt nghost, rstart, rend;
    MatGetSize(ao, nullptr, &nghost);
    MatGetOwnershipRange(L.total, &rstart, &rend);
    std::vector<index_t> cols;
    for (PetscInt g = 0; g < nghost; ++g) {
      const index_t col = garray[g] / d;
      EXPECT_TRUE(col < rstart / d || col >= rend / d);
      if (cols.empty() || cols.back() != col) cols.push_back(col);  // garray is sorted
    }
    EXPECT_EQ(static_cast<index_t>(cols.size()), st.ghost_columns);
    EXPECT_GE(st.ghost_columns * d, nghost);
  }
  MatDestroy(&shell);
  LiouvillianDestroy(&L);
}

namespace {

// Evolves `deck` to t_final with the evolve task's operator under the given
// PETSc options; returns rho(t_final) gathered, and whether the operator was matrix-free.
void evolve_with_options(const Deck& deck, const std::string& method,
                         const std::vector<std::pair<std::string, std::string>>& options,
                         DenseMatrix* rho_final, bool* matrix_free) {
  struct OptionsGuard {  // set for this evolution only
    const std::vector<std::pair<std::string, std::string>>& o;
    explicit OptionsGuard(const std::vector<std::pair<std::string, std::string>>& opts) : o(opts) {
      for (const auto& [k, v] : o) PetscOptionsSetValue(nullptr, k.c_str(), v.c_str());
    }
    ~OptionsGuard() {
      for (const auto& kv : o) PetscOptionsClearValue(nullptr, kv.first.c_str());
    }
  } guard(options);
  const Problem p = prepare_problem(deck);
  Liouvillian L;
  Mat op;
  ASSERT_EQ(CreateEvolutionOperator(MPI_COMM_WORLD, p, &L, &op), 0);
  PetscBool mf;
  MatIsMatrixFreeLiouvillian(op, &mf);
  *matrix_free = mf == PETSC_TRUE;
  Vec rho;
  ASSERT_EQ(CreateInitialVector(p, L, &rho), 0);
  EvolveOptions o;
  o.method = method;
  o.dt_output = deck.evolve.dt_output;
  o.last_output = static_cast<index_t>(std::llround(deck.evolve.t_final / deck.evolve.dt_output));
  o.rtol = 1e-10;
  o.atol = 1e-12;
  o.progress_seconds = 1e9;
  EvolveStats stats;
  ASSERT_EQ(EvolveLinear(op, rho, o, nullptr, &stats), 0);
  ASSERT_EQ(GatherDensity(rho, p.me.dim, rho_final), 0);
  VecDestroy(&rho);
  MatDestroy(&op);
  LiouvillianDestroy(&L);
}

}  // namespace

TEST(MatrixFree, EvolutionAgreesWithAssembled) {
  const Deck deck = deck_from_inputs("xxz_chain.toml", {{"evolve.t_final", "2.0"}});
  for (const std::string method : {"ts", "expm"}) {
    DenseMatrix assembled, free;
    bool mf = true;
    evolve_with_options(deck, method, {{"-qcoll_matrix_free", "false"}}, &assembled, &mf);
    EXPECT_FALSE(mf);
    evolve_with_options(deck, method, {{"-qcoll_matrix_free", "true"}}, &free, &mf);
    EXPECT_TRUE(mf);
    EXPECT_LT((free - assembled).max_abs(), 1e-10) << method;
    EXPECT_NEAR(std::abs(free.trace()), 1.0, 1e-10);
  }
}

TEST(MatrixFree, DefaultIsMatrixFreeForExplicitMethodsOnly) {
  const Deck deck = deck_from_inputs("qubit.toml", {{"evolve.t_final", "0.2"}});
  DenseMatrix rho;
  bool mf = false;
  evolve_with_options(deck, "ts", {}, &rho, &mf);
  EXPECT_TRUE(mf);
  evolve_with_options(deck, "ts", {{"-ts_type", "rk"}}, &rho, &mf);
  EXPECT_TRUE(mf);
  evolve_with_options(deck, "ts", {{"-ts_type", "beuler"}}, &rho, &mf);
  EXPECT_FALSE(mf);
  // Explicitly requested with an implicit stepper: refused (TS would need the entries).
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  PetscOptionsSetValue(nullptr, "-ts_type", "beuler");
  PetscOptionsSetValue(nullptr, "-qcoll_matrix_free", "true");
  const Problem p = prepare_problem(deck);
  Liouvillian L;
  Mat op = nullptr;
  EXPECT_NE(CreateEvolutionOperator(MPI_COMM_WORLD, p, &L, &op), 0);
  PetscOptionsClearValue(nullptr, "-ts_type");
  PetscOptionsClearValue(nullptr, "-qcoll_matrix_free");
  PetscPopErrorHandler();
  MatDestroy(&op);
  LiouvillianDestroy(&L);
}
